import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { ApiHarness } from './testing/api-harness';
import { ConsoleBrowser, attributes, chromiumAvailable, screenshot, seriousViolations } from './testing/console-browser';

/**
 * The console's consent page, the consent receipt of an entry, the explorer's channel and
 * decision filters, and "who looked", in a real browser (Debian's Chromium) against the real
 * API on a real database. The data is made through the API as back-office apps make it: a
 * registered tenant, purposes, customers, consents given and withdrawn, decisions, and a read
 * of personal data with a declared purpose. axe-core on every page, no CSP violation.
 */
const available = chromiumAvailable('console-consent.browser.spec');
const OFFICER = ['compliance-officer'] as const;

const evidence = {
  noticeVersion: 'notice-1',
  method: 'checkbox',
  source: 'web-signup-form',
  collector: 'system:web-shop',
  collectedAt: '2026-11-01T10:00:00.000Z',
};
const purpose = (purposeKey: string, channels: string[]) => ({
  purposeKey,
  name: purposeKey,
  description: `${purposeKey} description`,
  legalBasis: 'consent',
  method: 'bulk-email',
  dataCategories: ['contact'],
  channels,
  retentionDays: 730,
  noticeVersion: 'notice-1',
});

interface Receipt {
  readonly receiptId: string;
  readonly consentId: string;
  readonly event: { readonly id: string };
}

(available ? describe : describe.skip)('the console’s consent pages and "who looked" in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date());
  const ui = new ConsoleBrowser(api, clock);
  let page: Page;
  let tenantId: string;
  let service: string;
  let alice: string;
  let aliceEmail: Receipt;

  beforeAll(async () => {
    await ui.start('console_consent_browser');
    const registered = await api.call('POST', '/v1/registrations/enterprise', {
      body: {
        tenantId: 'console-consent',
        legalName: 'Console Consent Ltd',
        registrationNumber: 'CONSOLECONSENT1',
        contact: { name: 'Shop Contact', email: 'contact@example.org' },
        evidence: { documentRef: 's.pdf', sha256: 'e'.repeat(64) },
      },
    });
    expect(registered.status).toBe(201);
    tenantId = (registered.body as { tenantId: string }).tenantId;
    const admin = await api.key(tenantId, ['org-admin']);
    service = await api.key(tenantId, ['service']);
    for (const p of [purpose('newsletter', ['email', 'sms']), purpose('loyalty', ['whatsapp'])]) {
      expect((await api.call('POST', '/v1/purposes', { key: admin, body: p })).status).toBe(201);
    }
    const customer = async (name: string): Promise<string> => {
      const created = await api.call('POST', '/v1/customers', { key: service, body: { profile: { name, birthDate: '1990-03-07' }, tags: [] } });
      expect(created.status).toBe(201);
      return (created.body as { id: string }).id;
    };
    const grant = async (customerId: string, purposeKey: string, channel: string): Promise<Receipt> => {
      const granted = await api.call('POST', `/v1/customers/${customerId}/consents`, {
        key: service,
        body: { purposeKey, channel, scope: 'general', evidence },
      });
      expect(granted.status).toBe(201);
      return granted.body as Receipt;
    };
    alice = await customer('Alice');
    const bob = await customer('Bob');
    aliceEmail = await grant(alice, 'newsletter', 'email');
    await grant(alice, 'newsletter', 'sms');
    const withdrawn = await api.call('POST', `/v1/customers/${alice}/consents/withdraw`, {
      key: service,
      body: { purposeKey: 'newsletter', channel: 'sms', scope: 'general', method: 'unsubscribe-link', source: 'newsletter-footer' },
    });
    expect(withdrawn.status).toBe(200);
    await grant(bob, 'newsletter', 'email');
    await grant(bob, 'loyalty', 'whatsapp');
    // Decisions: allowed by email, denied by SMS (withdrawn there).
    for (const channel of ['email', 'sms']) {
      const decided = await api.call('POST', '/v1/decisions', {
        key: service,
        body: { customerId: alice, purpose: 'newsletter', channel, dataCategories: ['contact'] },
      });
      expect(decided.status).toBe(200);
    }
    // A read of personal data with a declared purpose (C3): recorded as kind "read".
    expect((await api.call('GET', `/v1/customers/${bob}`, { key: service, headers: { 'x-purpose': 'customer-support' } })).status).toBe(200);
    page = await ui.newPage();
  }, 120_000);

  afterAll(async () => {
    await ui.stop();
  });

  /** The processing record is written by a worker: wait until the tenant's log holds what the setup made. */
  async function recordHolds(query: string): Promise<void> {
    const officer = await api.key(tenantId, ['compliance-officer']);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const records = (await api.call('GET', `/v1/processing-record/records?${query}`, { key: officer })).body as { records: unknown[] };
      if (records.records.length > 0) return;
      if (Date.now() > deadline) throw new Error(`no record for ${query}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('shows consent per purpose × channel, and looks up a receipt by its id (the id in the address)', async () => {
    await ui.signIn(page, tenantId, OFFICER, '/console/consent');
    await page.waitForURL(/\/console\/consent$/);
    const newsletter = page.locator('tr[data-purpose="newsletter"]');
    await newsletter.waitFor();
    expect(await attributes(page.locator('table.consent-matrix thead th'), 'class')).toHaveLength(6); // purpose, version, any, email, sms, whatsapp
    expect(await newsletter.locator('td[data-channel="email"]').innerText()).toMatch(/^2 in force$/);
    expect(await newsletter.locator('td[data-channel="sms"]').innerText()).toMatch(/0 in force\s*1 withdrawn/);
    expect(await newsletter.locator('td[data-channel="whatsapp"]').innerText()).toBe('—');
    expect(await page.locator('tr[data-purpose="loyalty"] td[data-channel="whatsapp"]').innerText()).toMatch(/^1 in force$/);
    expect(await seriousViolations(page)).toEqual([]);

    // A wrong id is explained in place; a real one (typed in capitals) shows the receipt and lands in the address.
    await page.getByLabel('Receipt id').fill('not-a-receipt');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByText('That is not a receipt id').waitFor();
    await page.getByLabel('Receipt id').fill(aliceEmail.receiptId.toUpperCase());
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.locator(`[data-receipt="${aliceEmail.receiptId}"]`).waitFor();
    expect(new URL(page.url()).searchParams.get('receipt')).toBe(aliceEmail.receiptId);
    const receipt = await page.locator(`[data-receipt="${aliceEmail.receiptId}"]`).innerText();
    expect(receipt).toContain('Consent given: newsletter');
    expect(receipt).toContain('checkbox on web-signup-form');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-consent');
    // A receipt id that does not exist: the API's answer, not a blank page.
    await page.goto(`${api.base}/console/consent?receipt=${aliceEmail.event.id}`);
    await page.getByRole('alert').waitFor();
  });

  it('an entry recorded from a consent event shows the receipt it rests on', async () => {
    await recordHolds(`subjectId=${alice}&kind=collect`);
    const officer = await api.key(tenantId, ['compliance-officer']);
    const records = (await api.call('GET', `/v1/processing-record/records?subjectId=${alice}&limit=200`, { key: officer })).body as {
      records: { index: number; eventId: string | null }[];
    };
    const entry = records.records.find((r) => r.eventId === aliceEmail.event.id);
    expect(entry).toBeDefined();
    await page.goto(`${api.base}/console/records/${entry?.index ?? -1}`);
    await page.locator(`[data-receipt="${aliceEmail.receiptId}"]`).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-entry-receipt');
  });

  it('a decision’s entry shows the receipt of the consent it rested on', async () => {
    await recordHolds(`subjectId=${alice}&kind=decision&outcome=allow`);
    const officer = await api.key(tenantId, ['compliance-officer']);
    const [allowed] = (
      (await api.call('GET', `/v1/processing-record/records?subjectId=${alice}&kind=decision&outcome=allow&limit=1`, { key: officer })).body as {
        records: { index: number; consents: string[] }[];
      }
    ).records;
    expect(allowed?.consents).toEqual([aliceEmail.consentId]);
    await page.goto(`${api.base}/console/records/${allowed?.index ?? -1}`);
    await page.getByRole('heading', { name: 'The consent this decision rested on' }).waitFor();
    const receipt = page.locator(`[data-receipt="${aliceEmail.receiptId}"]`);
    await receipt.waitFor();
    expect(await receipt.innerText()).toContain('Consent given: newsletter');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-decision-receipt');
  });

  it('filters the explorer by channel and decision, in the address', async () => {
    await recordHolds('kind=decision&outcome=deny');
    await page.goto(`${api.base}/console/records?kind=decision`);
    await page.getByLabel('Decision').selectOption('deny');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/outcome=deny/);
    // The table keeps the previous answer (aria-busy) until the filtered one arrives.
    const rows = page.locator('table[aria-busy="false"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('Denied');
    await page.getByRole('textbox', { name: 'Channel' }).fill('email');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/channel=email/);
    await page.getByText('No records match these filters.').waitFor();
    await page.reload();
    await expect(page.getByRole('textbox', { name: 'Channel' }).inputValue()).resolves.toBe('email');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('who looked: the read with a declared purpose, and the officer’s own export, each recorded', async () => {
    await recordHolds('kind=read');
    // The officer downloads a table (a recent sign-in: this test signed in a moment ago).
    await page.goto(`${api.base}/console/records?kind=decision`);
    await page.locator('table tbody tr').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="csv"]').click()]);
    expect(readFileSync(await download.path(), 'utf8')).toMatch(/^index,/);

    await page.goto(`${api.base}/console/who-looked`);
    const reads = page.locator('[data-looks="read"] table tbody tr');
    await reads.first().waitFor();
    expect(await reads.first().innerText()).toContain('customer-support');
    const exports = page.locator('[data-looks="export"] table tbody tr');
    await exports.first().waitFor();
    expect(await exports.first().innerText()).toContain('processing-record-table:csv');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-who-looked');

    // "What did this actor look at?" opens the explorer on reads by that actor.
    const actor = (await reads.first().locator('td').nth(3).innerText()).trim();
    await page.getByLabel('Who (actor)').fill(actor);
    await page.getByRole('button', { name: 'Show in the explorer' }).click();
    await page.waitForURL(/\/console\/records\?/);
    const url = new URL(page.url());
    expect([url.searchParams.get('kind'), url.searchParams.get('actor')]).toEqual(['read', actor]);
    await page.locator('table tbody tr').first().waitFor();
    expect(ui.cspViolations).toEqual([]);
  });

  it('the header names the four registers once: "Registers" is current on each of them, and the tabs lead between them', async () => {
    const header = page.getByRole('navigation', { name: 'Main' });
    for (const [path, tab] of [
      ['/console/registers/legal-holds', 'Legal holds'],
      ['/console/registers/incidents', 'Incidents'],
      ['/console/registers/assessments', 'Impact assessments'],
    ] as const) {
      await page.goto(`${api.base}${path}`);
      const tabs = page.getByRole('navigation', { name: 'Registers' });
      await expect(tabs.getByRole('link', { name: tab }).getAttribute('aria-current')).resolves.toBe('page');
      await expect(header.getByRole('link', { name: 'Registers' }).getAttribute('aria-current')).resolves.toBe('page');
    }
    await page.goto(`${api.base}/console/consent`);
    await expect(header.getByRole('link', { name: 'Registers' }).getAttribute('aria-current')).resolves.toBeNull();
  });
});
