import type { Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { ApiHarness } from './testing/api-harness';
import { WebhookInbox } from './testing/webhook-inbox';
import { ConsoleBrowser, attributes, chromiumAvailable, screenshot, seriousViolations } from './testing/console-browser';

/**
 * The platform operator's queues in a real browser (Debian's Chromium) against the real API on a
 * real database: an enterprise waiting for verification, rejected without reasons (refused beside
 * the form), then verified; a hold recorded and released; the requests tenants escalated; a dead letter put back in the queue and delivered. axe-core on each
 * page, no CSP violation.
 */
const available = chromiumAvailable('console-platform.browser.spec');
const OPERATOR = ['platform-operator'] as const;
const HOUR = 3_600_000;

(available ? describe : describe.skip)('the platform operator’s queues in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date());
  const ui = new ConsoleBrowser(api, clock);
  let page: Page;
  let inbox: WebhookInbox;
  let pending: string;
  let escalated: string;

  const register = async (tenantId: string, number: string): Promise<string> => {
    const res = await api.call('POST', '/v1/registrations/enterprise', {
      body: {
        tenantId,
        legalName: `${tenantId} Ltd`,
        registrationNumber: number,
        contact: { name: 'Shop Contact', email: `contact@${tenantId}.example.org` },
        evidence: { documentRef: 'licence.pdf', sha256: 'e'.repeat(64) },
      },
    });
    expect(res.status).toBe(201);
    return (res.body as { accountId: string }).accountId;
  };

  beforeAll(async () => {
    await ui.start('console_platform_browser');
    inbox = await WebhookInbox.start(api.infra, clock);
    pending = await register('platform-queue', 'PLATFORMQ1');
    // A tenant whose handler escalated a request, and whose code message cannot be delivered.
    const service = await api.key('platform-escalating', ['service']);
    const handler = await api.key('platform-escalating', ['dsr-handler']);
    const created = await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: 'Escalated Person' }, tags: [] } });
    const received = await api.call('POST', '/v1/data-subject-requests', {
      key: service,
      body: {
        customerId: (created.body as { id: string }).id,
        type: 'deletion',
        channel: 'web',
        requester: { relation: 'self', contact: { email: 'escalated@example.org' } },
      },
    });
    escalated = (received.body as { requestId: string }).requestId;
    expect(
      (await api.call('POST', `/v1/data-subject-requests/${escalated}/escalations`, { key: handler, body: { reason: 'The tenant disputes the scope' } }))
        .status,
    ).toBe(200);
    expect((await api.call('POST', `/v1/data-subject-requests/${escalated}/verification-codes`, { key: handler })).status).toBe(201);
    inbox.down = true;
    for (let attempt = 0; attempt < 8; attempt++) {
      await inbox.dispatch();
      clock.advance(HOUR);
    }
    clock.set(new Date());
    inbox.down = false;
    page = await ui.newPage();
  }, 180_000);

  afterAll(async () => {
    await inbox.stop();
    await ui.stop();
  });

  it('verifies an enterprise from the verification queue; a rejection without reasons is refused beside its form', async () => {
    await ui.signIn(page, 'platform', OPERATOR, '/console/platform/accounts');
    await page.locator('table[aria-busy="false"]').waitFor();
    expect(await attributes(page.locator('tbody tr'), 'data-account')).toContain(pending);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-platform-accounts');
    await page.locator(`tr[data-account="${pending}"] a`).click();
    await page.locator(`[data-account-page="${pending}"][data-verification="pending"]`).waitFor();
    // What is verified: the evidence's reference and hash, as registered.
    expect(await page.locator('[data-evidence]').innerText()).toContain('licence.pdf');
    expect(await page.locator('[data-evidence]').innerText()).toContain('e'.repeat(64));
    await page.getByRole('button', { name: 'Reject the verification' }).click();
    await page.locator('[data-step="reject"] [role="alert"]').waitFor();
    await page.getByRole('button', { name: 'Verify the enterprise' }).click();
    await page.locator(`[data-account-page="${pending}"][data-verification="verified"]`).waitFor();
    expect(await page.locator('[data-history] li').count()).toBeGreaterThanOrEqual(2);
    expect(await seriousViolations(page)).toEqual([]);
    // Verified, it has left the queue.
    await page.getByRole('link', { name: 'Accounts', exact: true }).first().click();
    await page.locator('table[data-accounts][aria-busy="false"]').waitFor();
    expect(await attributes(page.locator('tbody tr'), 'data-account')).not.toContain(pending);
  });

  it('records a hold on an account (no personal data, a case reference) and releases it after a confirmation', async () => {
    const accountId = await register('platform-holds', 'PLATFORMH1');
    await ui.signIn(page, 'platform', OPERATOR, `/console/platform/accounts/${accountId}`);
    await page.locator(`[data-account-page="${accountId}"]`).waitFor();
    await page.getByLabel('What is open').selectOption('complaint');
    await page.getByLabel('Your case or transaction reference').fill('CMP-2026-118');
    await page.getByRole('button', { name: 'Record a hold' }).click();
    await page.locator('ul[data-holds="1"]').waitFor();
    expect(await page.locator('ul[data-holds="1"]').innerText()).toContain('CMP-2026-118');
    await screenshot(page, 'console-platform-account');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Release' }).click();
    await page.locator('[data-holds="0"]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lists the requests tenants escalated, and puts a dead letter back in the queue, which is then delivered', async () => {
    await ui.signIn(page, 'platform', OPERATOR, '/console/platform/requests');
    await page.locator('table[aria-busy="false"]').waitFor();
    expect(await attributes(page.locator('tbody tr'), 'data-request')).toContain(escalated);
    const row = await page.locator(`tr[data-request="${escalated}"]`).innerText();
    expect(row).toContain('The tenant disputes the scope');
    expect(row).not.toContain('escalated@example.org');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Notifications' }).click();
    // The requests page's table is also settled: wait for the notifications' own table, then its row.
    await page.locator('table[data-notifications][aria-busy="false"]').waitFor();
    const dead = page.locator('tbody tr', { hasText: 'platform-escalating' });
    await dead.waitFor();
    expect(await dead.count()).toBe(1);
    expect(await dead.innerText()).toContain('503');
    expect(await page.locator('main').innerText()).not.toContain('escalated@example.org');
    await screenshot(page, 'console-platform-notifications');
    await dead.getByRole('button', { name: 'Deliver again' }).click();
    // Back in the queue, it is no longer a dead letter.
    await page.locator('tbody tr', { hasText: 'platform-escalating' }).waitFor({ state: 'detached' });
    const delivered = (await inbox.dispatch()).filter((m) => m.kind === 'one-time-code' && m.payload.requestId === escalated);
    expect(delivered).toHaveLength(1);
    await page.locator('[data-status-tab="delivered"]').click();
    await page.locator('[data-status-tab="delivered"][aria-current="page"]').waitFor();
    await page.locator('table[data-notifications][aria-busy="false"]').waitFor();
    const sent = page.locator('tbody tr', { hasText: 'platform-escalating' });
    await sent.waitFor();
    expect(await sent.count()).toBe(1);
    expect(ui.cspViolations).toEqual([]);
  });
});
