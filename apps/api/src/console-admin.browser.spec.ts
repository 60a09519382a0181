import type { Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { ApiHarness } from './testing/api-harness';
import { ConsoleBrowser, chromiumAvailable, screenshot, seriousViolations } from './testing/console-browser';

/**
 * Organization administration in a real browser (Debian's Chromium) against the real API on a
 * real database: an administrator creates an API key (its secret shown once on the page), the
 * key works against the API, the administrator revokes it in the console, and the same call then
 * fails. axe-core on the page, no CSP violation.
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
});
