import type { Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { processingRecordVerificationJob, testDraft } from '@attest/processing-infrastructure';
import { ApiHarness } from './testing/api-harness';
import { CONSOLE_CONTEXT, ConsoleBrowser, attributes, chromiumAvailable, screenshot as picture, seriousViolations as axe } from './testing/console-browser';

/**
 * The console's verification pages in a real browser (Debian's Chromium driven by
 * playwright-core) against the real API on a real database: the checkpoints page (the history,
 * the server's verification with its alarm once the database is altered, two checkpoints picked
 * in the address and the consistency proof between them verified in the browser), and the
 * public "verify a bundle anywhere" page in a browser without a session: a real export bundle
 * verifies, an altered one fails, and no network request is made while verifying. axe-core on
 * both pages, no Content-Security-Policy violation. `ATTEST_SCREENSHOTS=1` also writes the
 * guide's pictures. A machine without Chromium skips this spec and says so (CI installs it).
 */
const available = chromiumAvailable('console-verify.browser.spec');
const TENANT = 'console-verify-e2e';
/** A tenant whose record is empty: nothing signed, nothing for the server to verify. */
const EMPTY_TENANT = 'console-verify-empty';

interface CheckpointView {
  readonly size: number;
  readonly root: string;
  readonly note: string;
  readonly createdAt: string;
}

interface ExportBundle {
  readonly verifierKey: string;
  readonly complete: boolean;
  readonly entries: readonly { readonly index: number; readonly leafHash: string; readonly body: string | null }[];
  readonly checkpoints: readonly string[];
}

(available ? describe : describe.skip)('the console’s verification pages in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date());
  const ui = new ConsoleBrowser(api, clock);
  let page: Page;
  let officerKey: string;
  const signed: CheckpointView[] = [];
  const cspViolations = ui.cspViolations;

  async function sign(): Promise<CheckpointView> {
    const answer = await api.call('POST', '/v1/processing-record/checkpoints', { key: officerKey });
    expect(answer.status).toBe(201);
    const checkpoint = answer.body as CheckpointView;
    signed.push(checkpoint);
    return checkpoint;
  }

  beforeAll(async () => {
    await ui.start('console_verify_browser');
    // A record that grows between signed checkpoints: 12 entries, signed; 8 more, signed; 5 more, signed.
    officerKey = await api.key(TENANT, ['compliance-officer']);
    let next = 0;
    for (const count of [12, 8, 5]) {
      await api.infra.recordLog.appendNow(Array.from({ length: count }, (_, i) => testDraft(TENANT, next + i)));
      next += count;
      await sign();
    }

    page = await ui.newPage();
  }, 120_000);

  afterAll(async () => {
    await ui.stop();
  });

  const seriousViolations = (p: Page = page): Promise<string[]> => axe(p);
  const screenshot = (name: string, p: Page = page): Promise<void> => picture(p, name);

  async function signIn(tenantId: string, returnTo: string): Promise<void> {
    await ui.signIn(page, tenantId, ['compliance-officer'], returnTo);
  }

  async function failedSteps(p: Page): Promise<(string | null)[]> {
    return attributes(p.locator('.verify-steps li[data-ok="no"]'), 'data-step');
  }

  it('an empty record: no checkpoint yet, and the server’s verification says so calmly (no alarm)', async () => {
    await signIn(EMPTY_TENANT, '/console/checkpoints');
    await page.waitForURL(/\/console\/checkpoints$/);
    // Nothing kept yet (the daily job skips an empty log): said calmly; asked for now, the result is as calm.
    await page.locator('[data-server-verification="never-run"]').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('button', { name: 'Verify on the server now' }).click();
    await page.locator('[data-server-verification="nothing-signed"]').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByText('No checkpoint has been signed yet').waitFor();
    expect(await page.getByRole('button', { name: 'Verify that the log only grew' }).isDisabled()).toBe(true);
    expect(await seriousViolations()).toEqual([]);
  });

  it('lists the signed checkpoints newest first, and verifies in the browser that the log only grew between two picked ones', async () => {
    await signIn(TENANT, '/console/checkpoints');
    await page.waitForURL(/\/console\/checkpoints$/);
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(3);
    const sizes = await attributes(page.locator('table tbody tr'), 'data-size');
    expect(sizes).toEqual(['25', '20', '12']);
    expect(await page.locator('table tbody').innerText()).toContain(signed[0]?.root);
    // The server's verification, asked for now: kept, with who asked; a calm line, no alarm.
    await page.getByRole('button', { name: 'Verify on the server now' }).click();
    await page.locator('[data-server-verification="passed"]').waitFor();
    expect(await page.locator('[data-server-verification]').innerText()).toMatch(/Run by\s+link:/);
    expect(await page.getByRole('alert').count()).toBe(0);
    // By default the two newest are compared.
    await page.locator('[data-pair="20-25"]').waitFor();

    // The oldest and the middle one, picked: the choice is in the address.
    await page.getByLabel('Older: the checkpoint of size 12').check();
    await page.waitForURL((url) => url.searchParams.get('from') === '12' && url.searchParams.get('to') === '25');
    await page.getByLabel('Newer: the checkpoint of size 20').check();
    await page.waitForURL((url) => url.searchParams.get('from') === '12' && url.searchParams.get('to') === '20');
    // It survives a reload.
    await page.reload();
    await page.locator('[data-pair="12-20"]').waitFor();
    expect(await page.getByLabel('Older: the checkpoint of size 12').isChecked()).toBe(true);
    expect(await page.getByLabel('Newer: the checkpoint of size 20').isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Verify that the log only grew' }).click();
    await page.locator('[data-verified]').waitFor();
    expect(await page.locator('[data-verified]').getAttribute('data-verified')).toBe('yes');
    expect(await failedSteps(page)).toEqual([]);
    const steps = await attributes(page.locator('.verify-steps li'), 'data-step');
    expect(steps).toEqual([
      'verifier-key',
      'checkpoint-signature',
      'checkpoint-signature',
      'checkpoint-body',
      'checkpoint-body',
      'checkpoint-origin',
      'proof-sizes',
      'consistency-proof',
    ]);
    // The terminal's equivalent names the tenant and the verifier key.
    const verifierKey = (await api.call('GET', '/v1/processing-record', { key: officerKey })).body as { verifierKey: string };
    expect(await page.locator('main').innerText()).toContain(`npx attest verify --tenant ${TENANT} --key '${verifierKey.verifierKey}' --checkpoint <file>`);
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-checkpoints');

    // An impossible choice is explained, not sent.
    await page.goto(`${api.base}/console/checkpoints?from=20&to=12`);
    await page.getByText('The older checkpoint (size 20) must be smaller than the newer one (size 12).').waitFor();
    expect(await page.getByRole('button', { name: 'Verify that the log only grew' }).isDisabled()).toBe(true);
  });

  it('verifies an export bundle in a browser without a session, making no network request; an altered bundle fails', async () => {
    const exported = await api.call('POST', '/v1/processing-record/exports', { key: officerKey, body: { complete: true } });
    expect(exported.status).toBe(200);
    const bundle = exported.body as ExportBundle;
    expect(bundle.complete).toBe(true);
    expect(bundle.entries).toHaveLength(25);
    const altered: ExportBundle = {
      ...bundle,
      entries: bundle.entries.map((e) => (e.index === 7 ? { ...e, body: (e.body ?? '').replace('"actor":"', '"actor":"forged-') } : e)),
    };
    expect(JSON.stringify(altered)).not.toBe(JSON.stringify(bundle));

    // A visitor: a fresh browser context, no cookie at all.
    const visitor = await ui.browser.newContext(CONSOLE_CONTEXT);
    try {
      const p = await visitor.newPage();
      ui.watchCsp(p);
      const requests: string[] = [];
      p.on('request', (request) => requests.push(request.url()));
      await p.goto(`${api.base}/console/verify`);
      await p.getByRole('heading', { name: 'Verify an export bundle' }).waitFor();
      await p.waitForLoadState('networkidle');
      expect(await visitor.cookies(api.base)).toEqual([]);
      // Loading the page asked for the console's files only: no API call, not even the session.
      expect(requests.filter((url) => !new URL(url).pathname.startsWith('/console/'))).toEqual([]);
      expect(requests.filter((url) => /\/v1\//.test(url))).toEqual([]);
      expect(p.url()).toBe(`${api.base}/console/verify`);
      await p.getByText('Nothing is uploaded').waitFor();

      // From here on, nothing may leave the browser.
      requests.length = 0;
      const file = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value, null, 2)) });
      await p.getByLabel('Export bundle (JSON)').setInputFiles(file('processing-record.json', bundle));
      await p.getByLabel('Verifier key').fill(bundle.verifierKey);
      await p
        .getByLabel('Checkpoints you kept (optional)')
        .setInputFiles([{ name: 'checkpoint-12.txt', mimeType: 'text/plain', buffer: Buffer.from(signed[0]?.note ?? '') }]);
      await p.getByRole('button', { name: 'Verify offline' }).click();
      await p.locator('[data-verified]').waitFor();
      expect(await p.locator('[data-verified]').getAttribute('data-verified')).toBe('yes');
      expect(await failedSteps(p)).toEqual([]);
      expect(await p.locator('[data-count="size"]').innerText()).toBe('25');
      // The bundle's three signed checkpoints and the one kept.
      expect(await p.locator('[data-count="checkpoints"]').innerText()).toBe('4');
      expect(await p.locator('[data-count="problems"]').innerText()).toBe('0');
      const steps = await attributes(p.locator('.verify-steps li'), 'data-step');
      expect(steps).toEqual(expect.arrayContaining(['bundle-format', 'verifier-key', 'entry-order', 'checkpoint-root', 'has-checkpoint']));
      expect(await p.locator('main').innerText()).toContain(
        `npx attest verify --bundle processing-record.json --key '${bundle.verifierKey}' --checkpoint checkpoint-12.txt`,
      );
      expect(await seriousViolations(p)).toEqual([]);
      await screenshot('console-verify-bundle', p);

      // One leaf's body altered: the tree no longer has the signed roots.
      await p.getByLabel('Export bundle (JSON)').setInputFiles(file('altered.json', altered));
      await p.getByRole('button', { name: 'Verify offline' }).click();
      await p.locator('[data-verified]').waitFor();
      expect(await p.locator('[data-verified]').getAttribute('data-verified')).toBe('no');
      expect(await failedSteps(p)).toContain('checkpoint-root');
      expect(Number(await p.locator('[data-count="problems"]').innerText())).toBeGreaterThan(0);

      // A key that is not the log's: the signatures fail.
      await p.getByLabel('Export bundle (JSON)').setInputFiles(file('processing-record.json', bundle));
      await p.getByLabel('Verifier key').fill('not a key');
      await p.getByRole('button', { name: 'Verify offline' }).click();
      await p.locator('[data-verified]').waitFor();
      expect(await p.locator('[data-verified]').getAttribute('data-verified')).toBe('no');
      expect(await failedSteps(p)).toContain('verifier-key');
      expect(await seriousViolations(p)).toEqual([]);

      expect(requests).toEqual([]);
      expect(await visitor.cookies(api.base)).toEqual([]);
    } finally {
      await visitor.close();
    }
  });

  it('a long history comes a page at a time; a size chosen in the address beyond the loaded pages is fetched and compared', async () => {
    // 130 checkpoints, each one entry larger than the one before.
    const LONG = 'console-verify-long';
    for (let i = 0; i < 130; i++) {
      await api.infra.recordLog.appendNow([testDraft(LONG, i)]);
      expect(await api.infra.recordLog.checkpoint(LONG)).not.toBeNull();
    }
    await signIn(LONG, '/console/checkpoints');
    await page.waitForURL(/\/console\/checkpoints$/);
    const rows = page.locator('table[data-checkpoints] tbody tr');
    await rows.first().waitFor();
    // (The API's own scheduler may sign a size a second time while this test signs it: rows ≥ sizes.)
    const sizes = async (): Promise<number> => new Set(await attributes(rows, 'data-size')).size;
    expect(await rows.count()).toBe(100);
    expect(await rows.first().getAttribute('data-size')).toBe('130');
    await page.getByRole('button', { name: 'Show 100 older checkpoints' }).click();
    await page.locator('table[data-checkpoints] tbody tr[data-size="1"]').waitFor();
    expect(await sizes()).toBe(130);
    expect(await page.getByRole('button', { name: /older checkpoints/ }).count()).toBe(0);

    // Shared address: size 3 against size 120, in a fresh page that loaded only the newest 100.
    await page.goto(`${api.base}/console/checkpoints?from=3&to=120`);
    await page.locator('[data-pair="3-120"]').waitFor();
    expect(await page.locator('table[data-checkpoints] tbody tr[data-size="3"]').count()).toBeGreaterThanOrEqual(1);
    await page.getByRole('button', { name: 'Verify that the log only grew' }).click();
    await page.locator('[data-verified]').waitFor();
    expect(await page.locator('[data-verified]').getAttribute('data-verified')).toBe('yes');
    expect(await seriousViolations()).toEqual([]);
  });

  it('the sign-in page links to the public verification page', async () => {
    const visitor = await ui.browser.newContext(CONSOLE_CONTEXT);
    try {
      const p = await visitor.newPage();
      ui.watchCsp(p);
      await p.goto(`${api.base}/console/sign-in`);
      await p.getByRole('link', { name: 'Verify a bundle anywhere' }).click();
      await p.waitForURL(`${api.base}/console/verify`);
      await p.getByRole('heading', { name: 'Verify an export bundle' }).waitFor();
    } finally {
      await visitor.close();
    }
  });

  it('raises an alarm when the server’s verification fails (a record altered in the database); no CSP violation anywhere', async () => {
    // Someone who owns the database rewrites a record: the append-only trigger off, the body changed, the trigger back on.
    await api.infra.dataSource.transaction(async (m) => {
      await m.query(`ALTER TABLE processing.records DISABLE TRIGGER records_append_only`);
      await m.query(`UPDATE processing.records SET body = replace(body, '"read"', '"use"') WHERE tenant_id = $1 AND idx = 3`, [TENANT]);
      await m.query(`ALTER TABLE processing.records ENABLE ALWAYS TRIGGER records_append_only`);
    });
    // The daily verification finds it and keeps a failed run: the page raises the alarm as it opens.
    const job = processingRecordVerificationJob({ owner: api.infra.dataSource, log: api.infra.recordLog });
    expect((await job.run({ now: clock.now(), dryRun: false })).counts).toMatchObject({ failed: 1 });
    await signIn(TENANT, '/console/checkpoints');
    await page.locator('[data-server-verification="failed"]').waitFor();
    const alarm = page.getByRole('alert');
    await alarm.waitFor();
    expect(await alarm.innerText()).toMatch(/ALARM: .*FAILED/);
    expect(await page.locator('[data-server-verification]').innerText()).toContain('the daily verification');
    // The earlier run (asked for before the change) passed, and stays listed as it was.
    await page.locator('.earlier-runs summary').click();
    expect(await attributes(page.locator('.earlier-runs tbody tr'), 'data-run-ok')).toEqual(['yes']);
    await screenshot('console-checkpoints-alarm');
    expect(await seriousViolations()).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
