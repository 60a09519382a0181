import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { ACTIVITY_COLUMNS } from '@attest/processing-domain';
import { ApiHarness } from './testing/api-harness';
import { ConsoleBrowser, attributes, chromiumAvailable, screenshot as picture, seriousViolations as axe } from './testing/console-browser';

/**
 * The registers in a real browser (Debian's Chromium driven by playwright-core) against the real
 * API on a real database: a processing activity created and revised in the console, both versions
 * and the changes between them; the CSV and JSON exports downloaded and compared with the table;
 * the print page; an impact assessment recorded and shown on its activity's page; the form's own
 * checks and the API's refusal shown beside the form; a person whose roles do not include the
 * registers told so. axe-core on every page, no Content-Security-Policy violation.
 * `ATTEST_SCREENSHOTS=1` also writes the guide's pictures. A machine without Chromium skips it.
 */
const available = chromiumAvailable('console-registers.browser.spec');
const TENANT = 'console-registers-e2e';

interface ActivityVersion {
  readonly activityId: string;
  readonly version: number;
  readonly activity: { readonly name: string; readonly purposes: readonly string[]; readonly erasureTimeLimit: string };
  readonly assessmentRequired: boolean;
}

/** RFC 4180 (quoted fields with doubled quotes, CRLF rows): the rows of a CSV text. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

const ORDERS = {
  name: 'Order fulfilment',
  controller: { name: 'Acme Trading Ltd', contact: 'privacy@acme.example' },
  dataProtectionOfficer: 'dpo@acme.example',
  purposes: ['order fulfilment', 'invoicing'],
  legalBasis: 'contract',
  dataSubjectCategories: ['customers'],
  dataCategories: ['contact', 'transactions'],
  recipients: ['parcel carrier', 'payment provider'],
  transfers: [{ country: 'US', safeguards: 'Standard contractual clauses 2021/914' }],
  erasureTimeLimit: '10 years after the order (tax law)',
  securityMeasures: ['TLS in transit', 'per-subject encryption'],
  sensitiveData: false,
  automatedDecisionMaking: false,
  entrustedProcessing: true,
  providedToOthers: false,
  publicDisclosure: false,
};

(available ? describe : describe.skip)('the registers in the web console, in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date());
  const ui = new ConsoleBrowser(api, clock);
  let page: Page;
  let officerKey: string;
  /** The activity created in the browser. */
  let newsletterId = '';
  const cspViolations = ui.cspViolations;

  beforeAll(async () => {
    await ui.start('console_registers_browser');
    officerKey = await api.key(TENANT, ['compliance-officer']);
    // One activity recorded through the API: it transfers data abroad, so it needs an impact assessment.
    expect((await api.call('POST', '/v1/processing-activities', { key: officerKey, body: ORDERS })).status).toBe(201);
    page = await ui.newPage();
  }, 120_000);

  afterAll(async () => {
    await ui.stop();
  });

  const seriousViolations = (p: Page = page): Promise<string[]> => axe(p);
  const screenshot = (name: string, p: Page = page): Promise<void> => picture(p, name);
  const field = (label: string) => page.getByLabel(label, { exact: true });

  it('creates an activity: the form’s own checks first, then the API’s refusal beside the form, then the saved version 1', async () => {
    await ui.signIn(page, TENANT, ['compliance-officer'], '/console/registers/activities?new=true');
    await page.getByRole('heading', { name: 'Record a new processing activity' }).waitFor();
    expect(await seriousViolations()).toEqual([]);

    // Nothing filled in: every required field is marked, and nothing is sent.
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/v1/processing-activities')) posts.push(request.url());
    });
    await page.getByRole('button', { name: 'Record the activity' }).click();
    await page.getByText('Correct the marked fields (10) and save again.').waitFor();
    expect(await page.locator('form [aria-invalid="true"]').count()).toBe(10);
    expect(await page.evaluate('document.activeElement?.name')).toBe('name');
    expect(posts).toEqual([]);
    expect(await seriousViolations()).toEqual([]);

    // Filled in, with a NUL character the database cannot store: the API refuses, its problem is shown beside the form and the field.
    await field('Name of the activity').fill('Newsletter\u0000');
    await field('Legal basis').fill('consent');
    await field('Purposes').fill('newsletter');
    await field('Controller').fill('Acme Trading Ltd');
    await field('Controller’s contact').fill('privacy@acme.example');
    await field('Data protection officer').fill('dpo@acme.example');
    await field('Categories of data subjects').fill('customers\nnewsletter subscribers');
    await field('Categories of personal data').fill('contact');
    await field('Recipients').fill('mail service provider');
    await field('Time limit for erasure').fill('2 years after the last contact');
    await field('Security measures').fill('per-subject encryption');
    await field('Entrusted processing (a processor acts for you)').check();
    await page.getByRole('button', { name: 'Record the activity' }).click();
    const problem = page.locator('.error-box');
    await problem.waitFor();
    expect(await problem.innerText()).toContain('VALIDATION.FAILED');
    expect(await problem.innerText()).toMatch(/name/);
    expect(await field('Name of the activity').getAttribute('aria-invalid')).toBe('true');
    expect(posts).toHaveLength(1);
    expect(await seriousViolations()).toEqual([]);

    await field('Name of the activity').fill('Newsletter');
    await page.getByRole('button', { name: 'Record the activity' }).click();
    await page.waitForURL(/\/console\/registers\/activities\/[0-9a-f-]{36}\?saved=1$/);
    newsletterId = /activities\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
    await page.getByText('Saved: version 1 is now the current version.').waitFor();
    await page.getByRole('heading', { name: 'Newsletter', level: 1 }).waitFor();
    expect(await page.locator('[data-versions]').getAttribute('data-versions')).toBe('1');
    expect(await page.getByText('The first version: the activity was recorded with this content.').count()).toBe(1);
  });

  it('revises it: a new version, both versions listed newest first, and what changed between them', async () => {
    await page.getByRole('link', { name: 'Revise' }).click();
    await page.getByRole('heading', { name: 'Revise: this will be version 2' }).waitFor();
    expect(await field('Name of the activity').inputValue()).toBe('Newsletter');
    await field('Purposes').fill('newsletter\nproduct announcements');
    await field('Time limit for erasure').fill('1 year after the last contact');
    await field('Recipients').fill('');
    await field('Transfers abroad').fill('SG: Binding corporate rules');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.waitForURL(/\?saved=2$/);
    await page.getByText('Saved: version 2 is now the current version.').waitFor();
    await page.locator('[data-versions="2"]').waitFor();
    expect(await attributes(page.locator('[data-versions] tbody tr'), 'data-version')).toEqual(['2', '1']);
    expect(await attributes(page.locator('[data-changes] tbody tr'), 'data-changed')).toEqual(['purposes', 'recipients', 'transfers', 'erasureTimeLimit']);
    const diff = await page.locator('[data-changes]').innerText();
    expect(diff).toContain('product announcements');
    expect(diff).toContain('2 years after the last contact');
    expect(diff).toContain('1 year after the last contact');
    // A transfer abroad makes an impact assessment required (PIPL 55), and none is recorded yet.
    await page.locator('p[data-assessment-status="missing"]').waitFor();
    expect(await page.locator('[data-field="assessmentRequired"]').innerText()).toBe('yes');
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-registers-activity');

    // Version 1's content, as it was.
    await page.locator('[data-view-version="1"]').click();
    await page.waitForURL(/\?version=1$/);
    await page.locator('[data-shown-version="1"]').waitFor();
    expect(await page.locator('[data-field="erasureTimeLimit"]').innerText()).toBe('2 years after the last contact');
    expect(await page.locator('[data-field="recipients"]').innerText()).toBe('mail service provider');
    expect(await seriousViolations()).toEqual([]);
  });

  it('the register’s table, and its CSV and JSON exports holding the same activities; the print page', async () => {
    await page.goto(`${api.base}/console/registers/activities`);
    const rows = page.locator('[data-activities] tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    const cell = (row: Locator, name: string): Promise<string | null> => row.locator(`[data-cell="${name}"]`).textContent();
    const table = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      table.push({
        id: await row.getAttribute('data-activity'),
        name: await cell(row, 'name'),
        purposes: await cell(row, 'purposes'),
        erasure: await cell(row, 'erasureTimeLimit'),
        version: await cell(row, 'version'),
        assessment: await row.locator('[data-assessment-status]').getAttribute('data-assessment-status'),
      });
    }
    expect(table.map((r) => [r.name, r.version, r.assessment])).toEqual([
      ['Order fulfilment', '1', 'missing'],
      ['Newsletter', '2', 'missing'],
    ]);
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-registers-activities');

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="csv"]').click()]);
    expect(csvDownload.suggestedFilename()).toBe('processing-activities.csv');
    const [header, ...csvRows] = parseCsv(readFileSync(await csvDownload.path(), 'utf8'));
    expect(header).toEqual([...ACTIVITY_COLUMNS]);
    const column = (row: string[], name: (typeof ACTIVITY_COLUMNS)[number]): string | undefined => row[ACTIVITY_COLUMNS.indexOf(name)];
    expect(
      csvRows.map((r) => ({
        id: column(r, 'activityId'),
        name: column(r, 'name'),
        purposes: column(r, 'purposes'),
        erasure: column(r, 'erasureTimeLimit'),
        version: column(r, 'version'),
      })),
    ).toEqual(table.map((r) => ({ id: r.id, name: r.name, purposes: r.purposes, erasure: r.erasure, version: r.version })));

    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="json"]').click()]);
    const exported = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8')) as ActivityVersion[];
    expect(
      exported.map((v) => ({
        id: v.activityId,
        name: v.activity.name,
        purposes: v.activity.purposes.join('; '),
        erasure: v.activity.erasureTimeLimit,
        version: String(v.version),
      })),
    ).toEqual(table.map((r) => ({ id: r.id, name: r.name, purposes: r.purposes, erasure: r.erasure, version: r.version })));
    expect(exported.find((v) => v.activityId === newsletterId)?.assessmentRequired).toBe(true);

    // The print page opens in a new tab with the session cookie, in the console's language and the browser's time zone.
    const [print] = await Promise.all([page.context().waitForEvent('page'), page.locator('[data-export="html"]').click()]);
    await print.waitForLoadState();
    const printUrl = new URL(print.url());
    expect(printUrl.pathname).toBe('/v1/processing-activities/export.html');
    expect(Object.fromEntries(printUrl.searchParams)).toEqual({ lang: 'en', tz: 'Asia/Shanghai' });
    await print.getByRole('heading', { name: 'Register of processing activities', level: 1 }).waitFor();
    expect(await print.locator('h2').allInnerTexts()).toEqual(['Order fulfilment', 'Newsletter']);
    expect(await seriousViolations(print)).toEqual([]);
    await print.close();
  });

  it('records an impact assessment for the activity; it shows on the assessments register and on the activity’s page', async () => {
    await page.goto(`${api.base}/console/registers/activities/${newsletterId}`);
    await page.getByRole('link', { name: 'Record an impact assessment' }).click();
    await page.getByRole('heading', { name: 'Record an impact assessment' }).waitFor();
    expect(new URL(page.url()).searchParams.get('activity')).toBe(newsletterId);
    expect(await page.getByLabel(/^Newsletter/).isChecked()).toBe(true);
    expect(await page.getByLabel(/^Order fulfilment/).isChecked()).toBe(false);
    expect(await seriousViolations()).toEqual([]);

    await field('Assessed on').fill('2026-11-20');
    await field('Assessor').fill('Privacy team');
    await field('Lawfulness, legitimacy and necessity').fill('Subscribers ask for the newsletter; only their e-mail address is used.');
    await field('Impact on rights and risks to security').fill('Low: contact data only, sent to a processor abroad under binding corporate rules.');
    await field('Risks').fill('the mail provider is breached\nunsubscribe requests are missed');
    await field('Protective measures').fill('per-subject encryption\nunsubscribe link in every mail');
    await field('Conclusion').selectOption('acceptable-with-measures');
    await page.getByRole('button', { name: 'Record the assessment' }).click();
    await page.getByText('The impact assessment is recorded.').waitFor();
    await page.locator('[data-assessments="1"]').waitFor();
    expect(await page.locator('[data-assessments] tbody tr').innerText()).toContain('Newsletter');
    expect(await page.locator('[data-assessments] [data-conclusion]').innerText()).toBe('Acceptable with measures');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('Subscribers ask for the newsletter').waitFor();
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-registers-assessments');

    await page.getByRole('link', { name: 'Newsletter' }).click();
    await page.waitForURL(new RegExp(`/registers/activities/${newsletterId}$`));
    await page.locator('[data-assessments="1"]').waitFor();
    expect(await page.locator('[data-assessments] [data-conclusion]').innerText()).toBe('Acceptable with measures');
    expect(await page.locator('p[data-assessment-status="missing"]').count()).toBe(0);
    expect(await seriousViolations()).toEqual([]);

    // On the register, the newsletter's assessment is recorded; the orders' is still missing.
    await page.goto(`${api.base}/console/registers/activities`);
    await page.locator(`[data-activity="${newsletterId}"] [data-assessment-status="recorded"]`).waitFor();
    expect(await page.locator('[data-assessment-status="missing"]').count()).toBe(1);
  });

  it('a person whose roles do not include the registers is told so on every page, with no form and no blank page', async () => {
    // The permission matrix the message states: a data subject request handler may neither read nor change the registers.
    const handlerKey = await api.key(TENANT, ['dsr-handler']);
    expect((await api.call('GET', '/v1/processing-activities', { key: handlerKey })).status).toBe(403);
    expect((await api.call('POST', '/v1/processing-activities', { key: handlerKey, body: ORDERS })).status).toBe(403);

    const other = await ui.newPage();
    await ui.signIn(other, TENANT, ['dsr-handler'], '/console/registers/activities?new=true');
    for (const path of [
      '/console/registers/activities?new=true',
      `/console/registers/activities/${newsletterId}?edit=true`,
      '/console/registers/assessments?new=true',
    ]) {
      if (!other.url().endsWith(path)) await other.goto(`${api.base}${path}`);
      const notice = other.locator('[data-no-access="read"]');
      await notice.waitFor();
      const text = await notice.innerText();
      expect(text).toContain('You cannot see the registers');
      expect(text).toContain('register:read');
      expect(text).toContain('dsr-handler');
      expect(await other.locator('form.register-form').count()).toBe(0);
      expect(await other.getByRole('heading', { level: 1 }).count()).toBe(1);
      expect(await seriousViolations(other)).toEqual([]);
    }
    await other.context().close();
  });

  it('no Content-Security-Policy violation on any page', () => {
    expect(cspViolations).toEqual([]);
  });
});
