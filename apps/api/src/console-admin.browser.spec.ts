import type { Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { ApiHarness } from './testing/api-harness';
import { ConsoleBrowser, chromiumAvailable, screenshot, seriousViolations } from './testing/console-browser';

/**
 * Organization administration in a real browser (Debian's Chromium) against the real API on a
 * real database: an administrator creates an API key (its secret shown once on the page), the
 * key works against the API, the administrator revokes it in the console, and the same call then
 * fails; builds the department tree, binds and unbinds a channel account; sets the request
 * deadline policy, refused beside the form when malformed. axe-core on each page, no CSP violation.
 */
const available = chromiumAvailable('console-admin.browser.spec');

(available ? describe : describe.skip)('organization administration in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const ui = new ConsoleBrowser(api, new FixedClock(new Date()));
  let page: Page;
  let tenantId: string;

  beforeAll(async () => {
    await ui.start('console_admin_browser');
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
    await screenshot(page, 'console-admin-keys');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Revoke crm-sync' }).click();
    await page.getByLabel('Why (kept with the revocation)').fill('The CRM integration was replaced');
    await page.getByRole('button', { name: 'Yes, revoke crm-sync' }).click();
    await page.locator('tr[data-state="revoked"]').waitFor();
    expect((await api.call('GET', '/v1/me', { key: secret })).status).toBe(401);
    expect(await seriousViolations(page)).toEqual([]);
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
});
