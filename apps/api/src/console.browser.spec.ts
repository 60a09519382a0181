import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { testDraft } from '@attest/processing-infrastructure';
import { issueConsoleLink } from '@attest/runtime';
import { ApiHarness } from './testing/api-harness';
import { ConsoleBrowser, chromiumAvailable, screenshot as picture, seriousViolations as axe } from './testing/console-browser';

/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core)
 * against the real API on a real database: sign-in by link, the explorer's
 * filters surviving a reload, the in-browser verification of an entry (and its
 * failure once the test alters the record in the database), the end of an idle
 * session, no Content-Security-Policy violation, and axe-core on every page.
 * `ATTEST_SCREENSHOTS=1` also writes the compliance officers' guide pictures.
 * CI installs Chromium (.ci/run); a machine without it skips this spec and says so.
 */
const available = chromiumAvailable('console.browser.spec');
const MINUTE = 60_000;
const TENANT = 'console-e2e';

(available ? describe : describe.skip)('the web console in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date());
  const ui = new ConsoleBrowser(api, clock);
  let page: Page;
  const cspViolations = ui.cspViolations;

  beforeAll(async () => {
    await ui.start('console_browser');
    // A processing record of 30 entries (every third a read), signed.
    await api.infra.recordLog.appendNow(Array.from({ length: 30 }, (_, i) => testDraft(TENANT, i)));
    const officer = await api.key(TENANT, ['compliance-officer']);
    expect((await api.call('POST', '/v1/processing-record/checkpoints', { key: officer })).status).toBe(201);
    page = await ui.newPage();
  }, 120_000);

  afterAll(async () => {
    await ui.stop();
  });

  const seriousViolations = (): Promise<string[]> => axe(page);
  const screenshot = (name: string): Promise<void> => picture(page, name);

  async function signIn(returnTo = '/console/'): Promise<void> {
    await ui.signIn(page, TENANT, ['compliance-officer'], returnTo);
  }

  it('signs in with a single-use link: home shows the tenant and roles; the cookie is HttpOnly and the page holds no token', async () => {
    await signIn();
    await page.waitForURL(/\/console\/$/);
    await page.getByText(TENANT, { exact: false }).first().waitFor();
    await expect(page.locator('main').innerText()).resolves.toContain('compliance-officer');
    const cookies = await page.context().cookies(api.base);
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['attest_session', true, 'Strict']]);
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate('JSON.stringify(Object.keys(localStorage))')).not.toMatch(/acs_|token|session/i);
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-home');
  });

  it('the explorer keeps its filters in the address: they survive a reload and the back button', async () => {
    await page.goto(`${api.base}/console/records?kind=read`);
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(10);
    const kinds = await page.locator('table tbody tr').allInnerTexts();
    expect(kinds.every((text) => /\bread\b/i.test(text))).toBe(true);
    await page.reload();
    await rows.first().waitFor();
    expect(await rows.count()).toBe(10);
    await expect(page.getByLabel('Kind of processing').inputValue()).resolves.toBe('read');
    await page.getByLabel('Kind of processing').selectOption('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => !url.search.includes('kind=read'));
    await page.locator('table tbody tr').nth(10).waitFor();
    await page.goBack();
    await page.waitForURL(/kind=read/);
    await page.locator('table[aria-busy="false"] tbody tr').first().waitFor();
    expect(await page.locator('table[aria-busy="false"] tbody tr').count()).toBe(10);
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-records');
    // The CSV download holds exactly this filter and the shown columns, every page (the entry index first).
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="csv"]').click()]);
    const path = await download.path();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('index,at,kind,purpose,actor,subject,legalBasis,outcome,leafHash');
    expect(lines).toHaveLength(11);
    expect(lines.slice(1).every((line) => line.split(',')[2] === 'read')).toBe(true);
  });

  it('the time column turns the order (oldest first), in the address; the download follows the table', async () => {
    await page.goto(`${api.base}/console/records?kind=read`);
    const firstIndex = () => page.locator('table tbody tr th').first().innerText();
    await page.locator('table tbody tr').first().waitFor();
    expect(await firstIndex()).toBe('27');
    await page.locator('th[aria-sort="descending"] a').click();
    await page.waitForURL(/order=oldest/);
    // The header turns with the address at once; the rows follow when the new answer arrives (aria-busy until then).
    await page.locator('table[aria-busy="false"] th[aria-sort="ascending"]').waitFor();
    expect(await firstIndex()).toBe('0');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="csv"]').click()]);
    const indices = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((line) => Number(line.split(',')[0]));
    expect(indices).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    expect(await seriousViolations()).toEqual([]);
  });

  it('verifies an entry in the browser, and shows the failure once the record is altered in the database', async () => {
    await page.goto(`${api.base}/console/records/3`);
    await page.getByRole('button', { name: 'Verify in this browser' }).click();
    await page.locator('[data-verified]').waitFor();
    expect(await page.locator('[data-verified]').getAttribute('data-verified')).toBe('yes');
    expect(await page.locator('.verify-steps li[data-ok="no"]').count()).toBe(0);
    expect(await page.locator('.verify-steps li').count()).toBeGreaterThanOrEqual(5);
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-entry-verified');

    // Someone who owns the database rewrites the record: the append-only trigger off, the body changed, the trigger back on.
    await api.infra.dataSource.transaction(async (m) => {
      await m.query(`ALTER TABLE processing.records DISABLE TRIGGER records_append_only`);
      await m.query(`UPDATE processing.records SET body = replace(body, '"read"', '"use"') WHERE tenant_id = $1 AND idx = 3`, [TENANT]);
      await m.query(`ALTER TABLE processing.records ENABLE ALWAYS TRIGGER records_append_only`);
    });
    await page.reload();
    await page.getByRole('button', { name: 'Verify in this browser' }).click();
    await page.locator('[data-verified]').waitFor();
    expect(await page.locator('[data-verified]').getAttribute('data-verified')).toBe('no');
    const failed = page.locator('.verify-steps li[data-ok="no"]');
    const steps = await Promise.all(Array.from({ length: await failed.count() }, (_, i) => failed.nth(i).getAttribute('data-step')));
    expect(steps).toContain('leaf-hash');
    await screenshot('console-entry-failed');
  });

  it('a download with a sign-in older than 5 minutes asks for a step-up, then comes back to the same view', async () => {
    await page.goto(`${api.base}/console/records?kind=read`);
    await page.locator('table tbody tr').first().waitFor();
    clock.advance(6 * MINUTE);
    await page.locator('[data-export="csv"]').click();
    await page.waitForURL(/\/console\/step-up\?/);
    expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/console/records?kind=read');
    await page.getByRole('heading', { name: 'This needs a recent sign-in' }).waitFor();
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-step-up');
    await signIn('/console/records?kind=read');
    await page.waitForURL(/\/console\/records\?kind=read/);
    await page.locator('table tbody tr').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="json"]').click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as { columns: string[]; records: { index: number; kind: string }[] };
    expect(exported.columns[0]).toBe('index');
    expect(exported.records).toHaveLength(10);
    // What is stored, as it is: the one record altered in the database above reads as "use" now.
    expect(exported.records.filter((r) => r.kind !== 'read').map((r) => r.index)).toEqual([3]);
  });

  it('an ended session sends the person to sign in and back to the same view', async () => {
    await page.goto(`${api.base}/console/records?kind=collect`);
    await page.locator('table tbody tr').first().waitFor();
    clock.advance(31 * MINUTE);
    await page.reload();
    await page.waitForURL(/\/console\/sign-in\?/);
    expect(decodeURIComponent(new URL(page.url()).searchParams.get('returnTo') ?? '')).toBe('/console/records?kind=collect');
    await page.getByRole('heading').first().waitFor();
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-sign-in');
    await signIn('/console/records?kind=collect');
    await page.waitForURL(/\/console\/records\?kind=collect/);
    await page.locator('table tbody tr').first().waitFor();
  });

  it('a used link lands on the sign-in page with a readable error; an unknown page says so; no CSP violation anywhere', async () => {
    const link = await issueConsoleLink(api.infra, api.base, TENANT, ['compliance-officer'], { clock });
    await page.goto(link.url);
    await page.waitForURL(/\/console\/$/);
    await page.goto(link.url);
    await page.waitForURL(/\/console\/sign-in\?error=link-invalid/);
    expect(await page.locator('main').innerText()).toMatch(/link/i);
    expect(await seriousViolations()).toEqual([]);
    await page.goto(`${api.base}/console/no-such-page`);
    await page.getByRole('heading').first().waitFor();
    expect(await seriousViolations()).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('switches to Simplified Chinese and keeps it', async () => {
    await page.goto(`${api.base}/console/records`);
    await page.getByLabel(/Language|语言/).selectOption('zh-CN');
    await page.getByRole('heading', { name: '处理记录' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '处理记录' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-records-zh');
    await page.getByLabel(/Language|语言/).selectOption('en');
  });
});
