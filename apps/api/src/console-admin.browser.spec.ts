import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { expectEventually } from '@attest/testing';
import { ApiHarness } from './testing/api-harness';
import { testJobRunner } from './testing/job-runner';
import { ConsoleBrowser, chromiumAvailable, screenshot, seriousViolations } from './testing/console-browser';
import { TenantReceiver, WebhookInbox } from './testing/webhook-inbox';

/**
 * Organization administration in a real browser (Debian's Chromium) against the real API on a
 * real database: an administrator creates an API key (its secret shown once on the page), the
 * key works against the API, the administrator revokes it in the console, and the same call then
 * fails; builds the department tree, binds and unbinds a channel account; sets the request
 * deadline policy, refused beside the form when malformed; invites members from a contact list,
 * moves one, delegates to it, reveals its contact for a stated purpose and approves its leaving.
 * axe-core on each page, no CSP violation.
 */
const available = chromiumAvailable('console-admin.browser.spec');
const ISSUER = 'https://idp.test';
const AUDIENCE = 'attest-api';

(available ? describe : describe.skip)('organization administration in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date());
  const ui = new ConsoleBrowser(api, clock);
  let page: Page;
  let tenantId: string;
  let inbox: WebhookInbox;
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  /** An end user's access token from the (test) identity provider. */
  const endUser = (sub: string): Promise<string> =>
    new SignJWT({ sub, tenant_id: tenantId, roles: ['end-user'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(signingKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    await ui.start('console_admin_browser', { oidc: { issuer: ISSUER, audience: AUDIENCE, jwks: createLocalJWKSet({ keys: [jwk] }) } });
    inbox = await WebhookInbox.start(api.infra, clock, { maxAttempts: 2 });
    const registered = await api.call('POST', '/v1/registrations/enterprise', {
      body: {
        tenantId: 'console-admin',
        legalName: 'Console Admin Ltd',
        registrationNumber: 'CONSOLEADMIN1',
        contact: { name: 'Shop Contact', email: 'contact@example.org' },
        evidence: { documentRef: 's.pdf', sha256: 'e'.repeat(64) },
      },
    });
    expect(registered.status).toBe(201);
    tenantId = (registered.body as { tenantId: string }).tenantId;
    page = await ui.newPage();
  }, 120_000);

  afterAll(async () => {
    await inbox.stop();
    await ui.stop();
  });

  it('creates a key whose secret is shown once and works, then revokes it and the API refuses it', async () => {
    await ui.signIn(page, tenantId, ['org-admin'], '/console/admin/api-keys');
    await page.waitForURL(/\/console\/admin\/api-keys/);
    await page.getByLabel('Label').fill('crm-sync');
    await page.getByRole('button', { name: 'Create the key' }).click();
    const secret = (await page.locator('[data-secret]').innerText()).trim();
    expect(secret.length).toBeGreaterThan(20);
    expect((await api.call('GET', '/v1/me', { key: secret })).status).toBe(200);
    // Nothing of it stays in the browser's storage.
    expect(await page.evaluate('JSON.stringify(Object.values(localStorage)) + JSON.stringify(Object.values(sessionStorage))')).not.toContain(secret);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Revoke crm-sync' }).click();
    await page.getByLabel('Why (kept with the revocation)').fill('The CRM integration was replaced');
    await page.getByRole('button', { name: 'Yes, revoke crm-sync' }).click();
    await page.locator('tr[data-state="revoked"]').waitFor();
    expect((await api.call('GET', '/v1/me', { key: secret })).status).toBe(401);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows when a key was last used, and rotates it: the new secret once, the old key working for the grace period', async () => {
    const admin = await api.key(tenantId, ['org-admin']);
    const issued = (await api.call('POST', '/v1/api-keys', { key: admin, body: { roles: ['service'], label: 'erp-sync' } })).body as {
      key: string;
      keyId: string;
    };
    expect((await api.call('GET', '/v1/me', { key: issued.key })).status).toBe(200);
    await ui.signIn(page, tenantId, ['org-admin'], '/console/admin/api-keys');
    const row = page.locator(`tr[data-key="${issued.keyId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-last-used')).not.toBe('never');
    await row.getByRole('button', { name: 'Rotate erp-sync' }).click();
    await row.getByLabel('The old key keeps working for').selectOption({ label: '1 hours' });
    await row.getByRole('button', { name: 'Yes, rotate erp-sync' }).click();
    await page.locator(`[data-replaces="${issued.keyId}"]`).waitFor();
    const secret = (await page.locator('[data-secret]').innerText()).trim();
    expect(secret).not.toBe(issued.key);
    expect((await api.call('GET', '/v1/me', { key: secret })).status).toBe(200);
    expect((await api.call('GET', '/v1/me', { key: issued.key })).status).toBe(200);
    await page.locator(`tr[data-key="${issued.keyId}"][data-state="replaced"]`).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-admin-keys');
    await page.getByRole('button', { name: 'I have stored it' }).click();
  });

  it('creates, renames and removes departments; binds a channel account (never shown again) and unbinds it; requires approval to unbind', async () => {
    await ui.signIn(page, tenantId, ['org-admin'], '/console/admin/organization');
    await page.locator('[data-tenant]').waitFor();
    await page.getByLabel('New department').fill('Sales');
    await page.getByRole('button', { name: 'Create the department' }).click();
    await page.locator('[data-department="Sales"]').waitFor();
    await page.getByLabel('New department').fill('Sales east');
    await page.getByLabel('Inside').selectOption({ label: 'Sales' });
    await page.getByRole('button', { name: 'Create the department' }).click();
    await page.locator('[data-department="Sales east"]').waitFor();
    await page.locator('[data-department="Sales east"]').getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name for Sales east').fill('Sales East China');
    await page.locator('[data-department="Sales east"]').getByRole('button', { name: 'Rename' }).click();
    await page.locator('[data-department="Sales East China"]').waitFor();
    // A department with a sub-department cannot be removed: the API says why, beside it.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('[data-department="Sales"]').getByRole('button', { name: 'Remove' }).click();
    await page.locator('[data-department="Sales"] [role="alert"]').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('[data-department="Sales East China"]').getByRole('button', { name: 'Remove' }).click();
    await page.locator('[data-department="Sales East China"]').waitFor({ state: 'detached' });

    await page.getByLabel('Number or id at the channel').fill('+8613800001234');
    await page.getByRole('button', { name: 'Bind', exact: true }).click();
    await page.locator('table[data-bindings="1"]').waitFor();
    expect(await page.locator('main').innerText()).not.toContain('8613800001234');
    // The box follows the server: it shows checked once the setting is saved and read back.
    await page.getByLabel('Members need our approval to leave the organization (A9)').click();
    await page.locator('input[type="checkbox"]:checked:not([disabled])').waitFor();
    const organization = (await api.call('GET', '/v1/organization', { key: await api.key(tenantId, ['org-admin']) })).body as {
      unbindingApprovalRequired: boolean;
      departments: { name: string }[];
    };
    expect(organization.unbindingApprovalRequired).toBe(true);
    expect(organization.departments.map((d) => d.name)).toEqual(['Sales']);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-admin-organization');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Unbind' }).click();
    await page.locator('[data-bindings="0"]').waitFor();
  });

  it('sets the request deadline policy with holidays and a retention duty; a malformed one is refused beside the form', async () => {
    await ui.signIn(page, tenantId, ['org-admin'], '/console/admin/request-policy');
    await page.locator('[data-policy="gdpr-month"]').waitFor();
    await page.getByLabel('Deadline', { exact: true }).selectOption('working-days');
    await page.getByLabel('Days', { exact: true }).fill('15');
    await page.getByLabel('Holidays').fill('2026-12-25\n25/12/2026');
    await page.getByRole('button', { name: 'Save the policy' }).click();
    await page.locator('form [role="alert"]').waitFor();
    expect(await page.locator('form [role="alert"]').innerText()).toContain('YYYY-MM-DD');
    await page.getByLabel('Holidays').fill('2026-12-25\n2027-01-01');
    await page.getByRole('button', { name: 'Add a duty' }).click();
    await page.getByLabel('Field').fill('bankAccount');
    await page.getByLabel('Why').fill('Tax law: accounting records are kept 10 years');
    await page.getByLabel('Years').fill('10');
    await page.getByRole('button', { name: 'Save the policy' }).click();
    await page.locator('[data-policy="working-days"]').waitFor();
    const policy = (await api.call('GET', '/v1/data-subject-request-policy', { key: await api.key(tenantId, ['org-admin']) })).body as {
      policy: { kind: string; days?: number };
      calendar: { holidays: string[] };
      retentionDuties: { field: string; years: number }[];
    };
    expect(policy.policy).toEqual({ kind: 'working-days', days: 15 });
    expect(policy.calendar.holidays).toEqual(['2026-12-25', '2027-01-01']);
    expect(policy.retentionDuties).toMatchObject([{ field: 'bankAccount', years: 10 }]);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-admin-request-policy');
    expect(ui.cspViolations).toEqual([]);
  });

  it('invites members from a contact list, moves one, delegates to it, reveals its contact and approves its leaving', async () => {
    const admin = await api.key(tenantId, ['org-admin']);
    expect((await api.call('POST', '/v1/organization/departments', { key: admin, body: { name: 'Support', parentId: null } })).status).toBe(201);
    await ui.signIn(page, tenantId, ['org-admin'], '/console/admin/members');
    await page.locator('table[aria-busy="false"][data-members]').waitFor();
    // A line that cannot be sent is named, and nothing is sent until it is fixed.
    await page.getByLabel('Contact list', { exact: true }).fill('Name,Email,Phone,Birth date\nAda Member, ada.member@example.org\nBad line, not-an-email\n');
    await page.locator('[data-contact-problems="1"]').waitFor();
    expect(await page.locator('[data-contact-problems]').innerText()).toContain('Line 3');
    expect(await page.getByRole('button', { name: 'Invite 1' }).isDisabled()).toBe(true);
    // A minor without the guardian's consent is refused on its own; the adult is invited.
    await page.getByLabel('Contact list', { exact: true }).fill('Ada Member, ada.member@example.org\nYoung Member, young.member@example.org,,2016-05-01\n');
    // The organization's departments load on their own: the option must be there, and chosen, before the invitation leaves.
    const department = page.getByLabel('Department', { exact: true }).first();
    await department.locator('option', { hasText: 'Support' }).waitFor({ state: 'attached' });
    await department.selectOption({ label: 'Support' });
    await page.locator('[data-invite-department]:not([data-invite-department=""])').waitFor();
    await page.getByRole('button', { name: 'Invite 2' }).click();
    await page.locator('table[data-invited="1"][data-refused="1"]').waitFor();
    expect(await page.getByLabel('Contact list', { exact: true }).inputValue()).toBe('');

    const invitation = (await inbox.dispatch()).find((m) => m.kind === 'invitation' && m.tenantId === tenantId);
    const accountId = String(invitation?.payload.accountId);
    expect((await api.call('POST', `/v1/invitations/${accountId}/accept`, { body: { token: invitation?.payload.token } })).status).toBe(200);

    // The row is the accounts read model's; on a loaded machine its department can show a moment after the acceptance.
    for (let attempt = 0; ; attempt++) {
      await page.reload();
      await page.locator(`tr[data-member="${accountId}"][data-status="active"]`).waitFor();
      const row = await page.locator(`tr[data-member="${accountId}"]`).innerText();
      if (row.includes('Support') || attempt >= 20) {
        expect(row).toContain('Support');
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    await page.getByRole('button', { name: `Open member ${accountId.slice(0, 8)}` }).click();
    await page.locator(`[data-member-panel="${accountId}"][data-status="active"]`).waitFor();
    // Moved out of its department.
    await page.getByLabel('Move to').selectOption({ label: '(no department)' });
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await page.locator(`tr[data-member="${accountId}"]:not(:has-text("Support"))`).waitFor();
    // A delegated permission, saved as grant events; the API reads it back.
    await page.getByLabel('customers:read').check();
    await page.getByRole('button', { name: 'Save the permissions' }).click();
    await page.locator('[data-delegations-saved]').waitFor();
    const delegated = (await api.call('GET', `/v1/delegations/${accountId}`, { key: admin })).body as { permissions: string[] };
    expect(delegated.permissions).toEqual(['customers:read']);
    // The contact is hidden until revealed for a stated purpose.
    expect(await page.locator('main').innerText()).not.toContain('ada.member@example.org');
    await page.locator(`[data-member-panel="${accountId}"]`).getByRole('button', { name: 'Reveal…' }).click();
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    await page.locator('[data-revealed="yes"]').waitFor();
    expect(await page.locator('[data-revealed="yes"]').innerText()).toContain('ada.member@example.org');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-admin-members');

    // The member asks to leave (the organization requires approval); the administrator approves.
    expect((await api.call('PUT', '/v1/organization/settings', { key: admin, body: { unbindingApprovalRequired: true } })).status).toBe(200);
    expect((await api.call('POST', '/v1/accounts/me/unbinding', { key: await endUser(accountId) })).status).toBe(200);
    await page.reload();
    await page.getByLabel('Only those waiting for approval to leave').click();
    await page.locator('table[aria-busy="false"][data-members="1"]').waitFor();
    await page.getByRole('button', { name: `Open member ${accountId.slice(0, 8)}` }).click();
    await page.locator('[data-unbinding="requested"]').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Approve leaving' }).click();
    await page.locator(`[data-member-panel="${accountId}"][data-status="unbound"]`).waitFor();
    const member = (await api.call('GET', `/v1/organization/members/${accountId}`, { key: admin })).body as { status: string };
    expect(member.status).toBe('unbound');
    expect(await seriousViolations(page)).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });

  it('shows what the timed jobs will destroy of the organization, with the warning sent about it, and every job with its runs', async () => {
    // Two customers' processing records, written (as a database administrator would see time pass) three years less a week ago.
    const service = await api.key(tenantId, ['service']);
    for (const name of ['Old Customer', 'Older Customer'])
      expect((await api.call('POST', '/v1/customers', { key: service, body: { profile: { name }, tags: [] } })).status).toBe(201);
    await expectEventually(async () => {
      const [row] = await api.infra.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM processing.records WHERE tenant_id = $1`, [tenantId]);
      expect(row?.n).toBeGreaterThanOrEqual(2);
    }, 15_000);
    await api.infra.dataSource.transaction(async (m) => {
      await m.query(`ALTER TABLE processing.records DISABLE TRIGGER records_append_only`);
      await m.query(`UPDATE processing.records SET recorded_at = now() - interval '3 years' + interval '7 days' WHERE tenant_id = $1`, [tenantId]);
      await m.query(`ALTER TABLE processing.records ENABLE ALWAYS TRIGGER records_append_only`);
    });
    await ui.signIn(page, tenantId, ['org-admin'], '/console/admin/timed-jobs');
    await page.locator('tr[data-requirement="P2"][data-warning="due"]').waitFor();
    // The warning job runs (as the scheduler would) and its notice is delivered to the tenant's webhook.
    const runner = testJobRunner(api, clock);
    expect((await runner.runNow('destruction-warnings')).status).toBe('succeeded');
    expect((await inbox.dispatch()).filter((m) => m.kind === 'processing-record-purge-warning' && m.tenantId === tenantId)).toHaveLength(1);
    await page.reload();
    await page.locator('tr[data-requirement="P2"][data-warning="sent"]').waitFor();
    expect(await page.locator('tr[data-requirement="P2"]').innerText()).toContain('processing-record bodies purged');
    await page.locator('tr[data-job="processing-record-purge"]').waitFor();
    expect(await page.locator('tr[data-job="destruction-warnings"] [data-run-status="succeeded"]').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-admin-timed-jobs');
  });

  it('sets the organization’s webhook endpoint (secret shown once), sends a test, and retries a dead letter from the delivery log', async () => {
    const receiver = await TenantReceiver.start(clock);
    try {
      await ui.signIn(page, tenantId, ['org-admin'], '/console/admin/webhook');
      await page.locator('[data-endpoint="none"]').waitFor();
      await page.getByLabel('URL', { exact: true }).fill(receiver.url);
      await page.getByRole('button', { name: 'Set the endpoint' }).click();
      receiver.secret = (await page.locator('[data-webhook-secret] [data-secret]').innerText()).trim();
      expect(receiver.secret).toMatch(/^whsec_/);
      expect(await page.evaluate('JSON.stringify(Object.values(localStorage)) + JSON.stringify(Object.values(sessionStorage))')).not.toContain(receiver.secret);
      await page.getByRole('button', { name: 'I have stored it' }).click();
      await page.locator('[data-endpoint="set"]').waitFor();
      const queued = (): Promise<unknown> => page.waitForResponse((r) => r.url().endsWith('/v1/organization/webhook/test') && r.status() === 201);
      await Promise.all([queued(), page.getByRole('button', { name: 'Send a test' }).click()]);
      await page.locator('[data-test-queued]').waitFor();
      await inbox.dispatch();
      expect(receiver.messages.map((m) => m.kind)).toEqual(['webhook-test']);
      // The receiver goes down: the next test becomes a dead letter, retried from the log once it is back.
      receiver.down = true;
      await Promise.all([queued(), page.getByRole('button', { name: 'Send a test' }).click()]);
      await inbox.dispatch();
      clock.advance(60_000);
      await inbox.dispatch();
      clock.set(new Date());
      await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Dead letter' });
      await page.locator('table[aria-busy="false"] tr[data-status="dead"]').waitFor();
      expect(await page.locator('tr[data-status="dead"]').innerText()).toContain('HTTP 503');
      receiver.down = false;
      await page.getByRole('button', { name: 'Retry' }).click();
      await page.locator('table[aria-busy="false"][data-deliveries="0"]').waitFor();
      await inbox.dispatch();
      expect(receiver.messages.map((m) => m.kind)).toEqual(['webhook-test', 'webhook-test']);
      await page.getByLabel('Status', { exact: true }).selectOption({ label: '(any status)' });
      await page.locator('table[aria-busy="false"] tr[data-status="delivered"]').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'console-admin-webhook');
    } finally {
      await receiver.stop();
    }
  });
});
