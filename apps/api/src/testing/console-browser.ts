import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import type { Role } from '@attest/access-domain';
import type { Clock } from '@attest/kernel';
import { issueConsoleLink } from '@attest/runtime';
import { consoleBuildStale } from '../console/build-console';
import type { ApiHarness, HarnessOptions } from './api-harness';

/**
 * What every browser spec of the console shares: finding Debian's Chromium (or saying loudly
 * that the spec is skipped), building the console as this tree has it (once per run), starting the real API
 * that serves it, axe-core, screenshots for the guides, CSP watching and sign-in by link.
 */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..', '..', '..');
const IMAGES = join(ROOT, 'docs', 'guides', 'images');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A British English browser in Shanghai's zone: dates differ from UTC, so the UTC-on-hover path is exercised. */
export const CONSOLE_CONTEXT: BrowserContextOptions = { locale: 'en-GB', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 860 } };

/**
 * Whether Chromium is here. In CI its absence is an error (.ci/run installs it); elsewhere the
 * spec is skipped with a line on stderr naming the spec and the package to install.
 */
export function chromiumAvailable(spec: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env['CI'] === 'true') throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs it with apt-get`);
  process.stderr.write(`${spec}: no Chromium at ${CHROMIUM} (apt-get install chromium); skipped\n`);
  return false;
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/**
 * The console built from this tree (Vite, a second or two), the real API serving it on a real
 * database, and a headless Chromium. `stop` undoes all three.
 */
export class ConsoleBrowser {
  private launched: Browser | undefined;
  readonly cspViolations: string[] = [];

  constructor(
    readonly api: ApiHarness,
    private readonly clock: Clock,
  ) {}

  get browser(): Browser {
    if (this.launched === undefined) throw new Error('ConsoleBrowser.start() first');
    return this.launched;
  }

  async start(label: string, options: Omit<HarnessOptions, 'consoleDir' | 'clock'> = {}): Promise<void> {
    const dist = await sharedConsoleBuild();
    await this.api.start(label, { ...options, clock: this.clock, consoleDir: dist });
    this.launched = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  }

  async stop(): Promise<void> {
    await this.launched?.close();
    await this.api.stop();
  }

  /** A new browser context (its own cookies) with one page whose CSP reports are collected. */
  async newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await this.browser.newContext({ ...CONSOLE_CONTEXT, ...options });
    const page = await context.newPage();
    this.watchCsp(page);
    return page;
  }

  watchCsp(page: Page): void {
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) this.cspViolations.push(message.text());
    });
  }

  /** Signs `page` in with a fresh single-use link and lands on `returnTo` (a console path). */
  async signIn(page: Page, tenantId: string, roles: readonly Role[], returnTo = '/console/'): Promise<void> {
    const link = await issueConsoleLink(this.api.infra, this.api.base, tenantId, roles, { clock: this.clock });
    await page.goto(`${link.url}&returnTo=${encodeURIComponent(returnTo)}`);
  }
}

/** Vite refuses two builds of one project at a time, and one build serves every spec: the run's build directory. */
export function consoleDistOfRun(): string {
  const run = createHash('sha256')
    .update(process.env['TEST_DATABASE_URL'] ?? `pid-${String(process.pid)}`)
    .digest('hex')
    .slice(0, 12);
  return join(tmpdir(), `attest-console-dist-${run}`);
}

function viteBuild(outDir: string): void {
  const build = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(ROOT, 'apps', 'console', 'vite.config.mts'),
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`console build failed: ${build.stderr}`);
}

/**
 * The console as this tree builds it, built once per test run and shared by the browser specs
 * (jest runs them in parallel workers): the first to get the lock directory builds into a
 * temporary directory and renames it into place; the others wait for it. A build older than
 * the console's sources (a directory left by an earlier run on the same database) is rebuilt.
 */
async function sharedConsoleBuild(): Promise<string> {
  const dist = consoleDistOfRun();
  const lock = `${dist}.lock`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (!consoleBuildStale(join(ROOT, 'apps', 'console'), dist)) return dist;
    let mine = false;
    try {
      await mkdir(lock);
      mine = true;
    } catch {
      // Another spec is building it.
    }
    if (mine) {
      try {
        if (consoleBuildStale(join(ROOT, 'apps', 'console'), dist)) {
          const fresh = `${dist}.${String(process.pid)}`;
          viteBuild(fresh);
          await rm(dist, { recursive: true, force: true });
          await rename(fresh, dist);
        }
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
      return dist;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for another spec to build the console (${lock})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** axe-core run in the page (through the debugging protocol, which the page's CSP does not govern): serious and critical violations. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const violations = await page.evaluate(`(async () => { ${AXE}; const r = await axe.run(document); return r.violations; })()`);
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** With `ATTEST_SCREENSHOTS=1`, a full-page picture for the guides under docs/guides/images/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env['ATTEST_SCREENSHOTS'] !== '1') return;
  await mkdir(IMAGES, { recursive: true });
  await page.screenshot({ path: join(IMAGES, `${name}.png`), fullPage: true });
}

/** One attribute of every element found (read through the locator: this project's types have no DOM). */
export async function attributes(elements: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all(Array.from({ length: await elements.count() }, (_, i) => elements.nth(i).getAttribute(name)));
}
