import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { testDraft } from '@attest/processing-infrastructure';
import { issueConsoleLink } from '@attest/runtime';
import { ApiHarness } from './testing/api-harness';

/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core)
 * against the real API on a real database: sign-in by link, the explorer's
 * filters surviving a reload, the in-browser verification of an entry (and its
 * failure once the test alters the record in the database), the end of an idle
 * session, no Content-Security-Policy violation, and axe-core on every page.
 * `ATTEST_SCREENSHOTS=1` also writes the compliance officers' guide pictures.
 * CI installs Chromium (.ci/run); a machine without it skips this spec and says so.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env['CI'] === 'true') throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs it with apt-get`);
  process.stderr.write(`console.browser.spec: no Chromium at ${CHROMIUM} (apt-get install chromium); skipped\n`);
}
const ROOT = join(__dirname, '..', '..', '..');
const IMAGES = join(ROOT, 'docs', 'guides', 'images');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const MINUTE = 60_000;
const TENANT = 'console-e2e';

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

(available ? describe : describe.skip)('the web console in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date());
  let browser: BrowserContext;
  let profile: string;
  let dist: string;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    // The console as this tree builds it (Vite, about a second), served by the API under test.
    dist = await mkdtemp(join(tmpdir(), 'attest-console-dist-'));
    const build = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        join(ROOT, 'apps', 'console', 'vite.config.mts'),
        '--outDir',
        dist,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (build.status !== 0) throw new Error(`console build failed: ${build.stderr}`);
    await api.start('console_browser', { clock, consoleDir: dist });
    // A processing record of 30 entries (every third a read), signed.
    await api.infra.recordLog.appendNow(Array.from({ length: 30 }, (_, i) => testDraft(TENANT, i)));
    const officer = await api.key(TENANT, ['compliance-officer']);
    expect((await api.call('POST', '/v1/processing-record/checkpoints', { key: officer })).status).toBe(201);

    profile = await mkdtemp(join(tmpdir(), 'attest-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      locale: 'en-GB',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 1280, height: 860 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await api.stop();
    await rm(profile, { recursive: true, force: true });
    await rm(dist, { recursive: true, force: true });
  });

  /** axe-core run in the page (through the debugging protocol, which the page's CSP does not govern). */
  async function seriousViolations(): Promise<string[]> {
    const violations = await page.evaluate(`(async () => { ${AXE}; const r = await axe.run(document); return r.violations; })()`);
    return (violations as AxeViolation[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  async function screenshot(name: string): Promise<void> {
    if (process.env['ATTEST_SCREENSHOTS'] !== '1') return;
    await mkdir(IMAGES, { recursive: true });
    await page.screenshot({ path: join(IMAGES, `${name}.png`), fullPage: true });
  }

  async function signIn(returnTo = '/console/'): Promise<void> {
    const link = await issueConsoleLink(api.infra, api.base, TENANT, ['compliance-officer'], { clock });
    await page.goto(`${link.url}&returnTo=${encodeURIComponent(returnTo)}`);
  }

  it('signs in with a single-use link: home shows the tenant and roles; the cookie is HttpOnly and the page holds no token', async () => {
    await signIn();
    await page.waitForURL(/\/console\/$/);
    await page.getByText(TENANT, { exact: false }).first().waitFor();
    await expect(page.locator('main').innerText()).resolves.toContain('compliance-officer');
    const cookies = await browser.cookies(api.base);
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
    await page.locator('table tbody tr').first().waitFor();
    expect(await page.locator('table tbody tr').count()).toBe(10);
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
