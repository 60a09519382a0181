import type { Locator, Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { ApiHarness } from './testing/api-harness';
import { attributes, CONSOLE_CONTEXT, ConsoleBrowser, chromiumAvailable, screenshot as picture, seriousViolations as axe } from './testing/console-browser';

/**
 * The incident register and legal holds in a real browser against the real API on a real
 * database: an incident recorded with awareness 70 hours ago counts down "at risk" second by
 * second and stops once the authority's notification is recorded; a seeded one is overdue; the
 * API's refusal of an update before the awareness time is shown; a legal hold is placed and
 * released after a confirmation; a role without the write permissions is told so; axe-core on
 * every page; no CSP violation. `ATTEST_SCREENSHOTS=1` writes the guide's pictures.
 *
 * Time: the API's clock is the FixedClock below; the browser's clock is installed at the same
 * instant (Playwright's page.clock) and then runs, so "70 hours ago" means the same to both.
 */
const available = chromiumAvailable('console-incidents.browser.spec');
const HOUR = 3_600_000;
const MINUTE = 60_000;
const TENANT = 'console-incidents-e2e';
const ZONE = CONSOLE_CONTEXT.timezoneId ?? 'UTC';

/** An instant as an <input type="datetime-local"> value in the browser's zone, to the minute (Chromium drops ":00" seconds). */
function localMinute(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

const floorToMinute = (ms: number): number => Math.floor(ms / MINUTE) * MINUTE;

/** Waits until `read` answers something other than `before` (or fails after 5 s). */
async function changed(read: () => Promise<string>, before: string): Promise<string> {
  for (let i = 0; i < 50; i += 1) {
    const now = await read();
    if (now !== before) return now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`still ${before}`);
}

(available ? describe : describe.skip)('the incident register and legal holds in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date());
  const ui = new ConsoleBrowser(api, clock);
  let page: Page;
  let officer: string;
  const start = clock.now().getTime();

  beforeAll(async () => {
    await ui.start('console_incidents_browser');
    officer = await api.key(TENANT, ['compliance-officer']);
    // Seeded through the API: one overdue (aware 80 hours ago, never notified), one with time to spare.
    const seed = async (kind: string, hoursAgo: number, description: string, affected: number, consequences: string): Promise<void> => {
      const body = {
        kind,
        description,
        awareAt: new Date(start - hoursAgo * HOUR).toISOString(),
        occurredAt: new Date(start - (hoursAgo + 6) * HOUR).toISOString(),
        dataCategories: ['contact', 'order history'],
        affectedSubjectsEstimate: affected,
        likelyConsequences: consequences,
      };
      expect((await api.call('POST', '/v1/incidents', { key: officer, body })).status).toBe(201);
    };
    await seed('loss', 80, 'Unencrypted backup tape lost in transit to the archive', 5400, 'Identity theft if the tape is read');
    await seed('unauthorized-access', 20, 'Support account used outside working hours from an unknown network', 35, 'Customers’ order history seen');
    page = await ui.newPage();
    // The browser's clock starts at the API's instant and runs from there.
    await page.clock.install({ time: new Date(start) });
  }, 120_000);

  afterAll(async () => {
    await ui.stop();
  });

  const seriousViolations = (): Promise<string[]> => axe(page);
  const screenshot = (name: string): Promise<void> => picture(page, name);
  const row = (text: string): Locator => page.locator('tbody tr', { hasText: text });

  it('lists the incidents with their countdowns: the seeded one is overdue, the other runs; filters are in the address', async () => {
    await ui.signIn(page, TENANT, ['compliance-officer'], '/console/registers/incidents');
    await page.waitForURL(/\/console\/registers\/incidents$/);
    await row('backup tape').waitFor();
    const overdue = row('backup tape').locator('[data-deadline]');
    expect(await overdue.getAttribute('data-deadline')).toBe('overdue');
    expect(await overdue.innerText()).toMatch(/^Overdue: deadline passed 8:0\d:\d\d ago$/);
    const running = row('Support account').locator('[data-deadline]');
    expect(await running.getAttribute('data-deadline')).toBe('running');
    expect(await running.innerText()).toMatch(/^5[12]:\d\d:\d\d left$/);
    expect(await seriousViolations()).toEqual([]);

    await page.getByLabel('Authority deadline').selectOption('overdue');
    await page.waitForURL(/deadline=overdue/);
    await page.reload();
    await row('backup tape').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await expect(page.getByLabel('Authority deadline').inputValue()).resolves.toBe('overdue');
    await page.getByLabel('Authority deadline').selectOption('');
    await page.waitForURL((url) => !url.search.includes('deadline'));
    await row('Support account').waitFor();
  });

  it('records an incident with awareness 70 hours ago (local time, shown in UTC): "at risk", ticking every second', async () => {
    const form = page.getByRole('region', { name: 'Record an incident' });
    await form.getByRole('button', { name: 'Record the incident' }).click();
    // The form checks what the API's DTO checks before sending anything.
    await form.getByText('Correct the 5 marked field(s)').waitFor();
    expect(await seriousViolations()).toEqual([]);

    const aware = floorToMinute(start - 70 * HOUR);
    await form.getByLabel('Kind of incident').selectOption('leak');
    await form.getByLabel('What happened').fill('Customer export left in a publicly readable storage bucket');
    await form.getByLabel('Aware since').fill(localMinute(aware));
    expect(await form.locator('[data-utc]').getAttribute('data-utc')).toBe(new Date(aware).toISOString());
    // Sent with the rest (the test checks below that it reaches the API).
    await form.getByLabel('Occurred at (optional)').fill(localMinute(aware - 2 * HOUR));
    await form.getByLabel('Data categories concerned').fill('contact, order history');
    await form.getByLabel('Data subjects affected (estimate)').fill('1200');
    await form.getByLabel('Likely consequences').fill('Phishing against the customers concerned');
    await form.getByRole('button', { name: 'Record the incident' }).click();
    await form.getByText('The incident was recorded').waitFor();

    const countdown = row('storage bucket').locator('[data-deadline]');
    await countdown.waitFor();
    expect(await countdown.getAttribute('data-deadline')).toBe('at-risk');
    const first = await countdown.innerText();
    // Awareness is floored to the minute and the browser's clock has run since the suite began: a few minutes less than 2 h.
    expect(first).toMatch(/^At risk: (1:5\d:\d\d|2:00:00) left$/);
    // It ticks in the browser, with no call to the server.
    const next = await changed(() => countdown.innerText(), first);
    expect(next).toMatch(/^At risk: 1:5\d:\d\d left$/);
    expect(await seriousViolations()).toEqual([]);
  });

  it('the incident’s page: facts, countdown, timeline; the API’s refusal shown; the authority notification stops the countdown', async () => {
    await page.getByRole('region', { name: 'Record an incident' }).getByRole('link', { name: 'Open it' }).click();
    await page.waitForURL(/\/console\/registers\/incidents\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Incident: Leak' }).waitFor();
    const countdown = page.locator('.deadline-now [data-deadline]');
    expect(await countdown.getAttribute('data-deadline')).toBe('at-risk');
    expect(await page.locator('main').innerText()).toContain('Customer export left in a publicly readable storage bucket');
    expect(await attributes(page.locator('[data-timeline]'), 'data-timeline')).toEqual(['occurred', 'aware', 'reported', 'deadline']);
    expect(await seriousViolations()).toEqual([]);

    const form = page.getByRole('region', { name: 'Record a notification or an update' });
    await form.getByLabel('What to record').selectOption('authority-notified');
    await form.getByLabel('Supervisory authority').fill('CNIL');
    await form.getByLabel('The authority’s case reference').fill('CNIL-2026-0117');
    // Before the awareness time: the register's own rule, answered by the API as problem+json.
    await form.getByLabel('When').fill(localMinute(floorToMinute(start - 71 * HOUR)));
    await form.getByRole('button', { name: 'Record', exact: true }).click();
    const problem = form.getByRole('alert');
    await problem.waitFor();
    expect(await problem.innerText()).toContain('INCIDENT.BEFORE_AWARENESS');
    expect(await problem.innerText()).toMatch(/cannot precede the awareness time/);
    expect(await seriousViolations()).toEqual([]);

    await form.getByLabel('When').fill(localMinute(floorToMinute(start) + MINUTE));
    await form.getByRole('button', { name: 'Record', exact: true }).click();
    await form.getByText('Recorded: Supervisory authority notified.').waitFor();
    await page.locator('.deadline-now [data-deadline="notified"]').waitFor();
    const stopped = await countdown.innerText();
    expect(stopped).toMatch(/^Notified at /);
    await page.clock.fastForward(5000);
    expect(await countdown.innerText()).toBe(stopped);
    expect(await page.locator('main').innerText()).toContain('(within 72 hours)');
    expect(await attributes(page.locator('[data-timeline]'), 'data-timeline')).toEqual(['occurred', 'aware', 'reported', 'authority-notified']);
    // A notification is recorded once: the form offers it no more.
    expect(await form.getByLabel('What to record').locator('option').allInnerTexts()).toEqual(['Data subjects notified', 'Remedy', 'Closed']);
    await form.getByLabel('What to record').selectOption('subjects-notified');
    await form.getByLabel('Channel', { exact: true }).fill('email');
    await form.getByLabel('Number of data subjects notified').fill('1200');
    await form.getByRole('button', { name: 'Record', exact: true }).click();
    await form.getByText('Recorded: Data subjects notified.').waitFor();
    expect(await page.locator('main').innerText()).toContain('By email, 1200 data subjects.');
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-incident');

    await page.getByRole('link', { name: '← Incident register' }).click();
    await row('storage bucket').locator('[data-deadline="notified"]').waitFor();
    expect(await row('storage bucket').innerText()).toContain('subjects notified');
    expect(await row('backup tape').locator('[data-deadline]').getAttribute('data-deadline')).toBe('overdue');
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-incidents');
  });

  it('places a legal hold and releases it after a confirmation', async () => {
    await page.goto(`${api.base}/console/registers/legal-holds`);
    await page.getByRole('heading', { name: 'Legal holds', level: 1 }).waitFor();
    expect(await page.locator('[data-hold-semantics]').innerText()).toMatch(/nothing of your organization’s processing record is purged/);
    await page.getByText('No legal hold has ever been placed.').waitFor();
    expect(await seriousViolations()).toEqual([]);

    const form = page.getByRole('region', { name: 'Place a legal hold' });
    await form.getByRole('button', { name: 'Place the hold' }).click();
    await form.getByText('Required.').waitFor();
    for (const reason of ['Litigation 2026-117: preserve all processing records', 'Regulator inquiry CNIL-2026-0117']) {
      await form.getByLabel('Reason').fill(reason);
      await form.getByRole('button', { name: 'Place the hold' }).click();
      await page.getByText(`Placed: “${reason}”.`).waitFor();
      await row(reason).waitFor();
    }
    expect(await page.locator('[data-active-holds]').getAttribute('data-active-holds')).toBe('2');

    await page.getByRole('button', { name: 'Release the hold “Regulator inquiry CNIL-2026-0117”…' }).click();
    const confirm = page.locator('[data-confirm-release]');
    await confirm.getByText('1 other hold(s) stay active').waitFor();
    expect(await seriousViolations()).toEqual([]);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await row('Regulator inquiry').getAttribute('data-hold-active')).toBe('yes');

    await page.getByRole('button', { name: 'Release the hold “Regulator inquiry CNIL-2026-0117”…' }).click();
    await confirm.getByRole('button', { name: 'Release the hold', exact: true }).click();
    await page.getByText('Released: “Regulator inquiry CNIL-2026-0117”.').waitFor();
    await page.locator('tr[data-hold-active="no"]').waitFor();
    expect(await row('Regulator inquiry').innerText()).toContain('Released');
    expect(await page.locator('[data-active-holds]').getAttribute('data-active-holds')).toBe('1');
    const holds = (await api.call('GET', '/v1/processing-record/legal-holds', { key: officer })).body as { reason: string; releasedAt: string | null }[];
    expect(holds.map((h) => [h.reason, h.releasedAt !== null])).toEqual([
      ['Litigation 2026-117: preserve all processing records', false],
      ['Regulator inquiry CNIL-2026-0117', true],
    ]);
    expect(await seriousViolations()).toEqual([]);
    await screenshot('console-legal-holds');
  });

  it('a role that cannot write is told so, and one that cannot read the register too', async () => {
    const handler = await ui.newPage();
    await ui.signIn(handler, TENANT, ['dsr-handler'], '/console/registers/legal-holds');
    await handler.waitForURL(/\/console\/registers\/legal-holds$/);
    await handler.getByText('You can see the legal holds but not place or release one').waitFor();
    await handler.locator('tbody tr').first().waitFor();
    expect(await handler.getByRole('region', { name: 'Place a legal hold' }).count()).toBe(0);
    expect(await handler.getByRole('button', { name: /Release/ }).count()).toBe(0);
    expect(await axe(handler)).toEqual([]);

    await handler.goto(`${api.base}/console/registers/incidents`);
    await handler.getByText('Your roles do not include reading the incident register').waitFor();
    expect(await handler.getByRole('region', { name: 'Record an incident' }).count()).toBe(0);
    expect(await axe(handler)).toEqual([]);

    const admin = await ui.newPage();
    await ui.signIn(admin, TENANT, ['org-admin'], '/console/registers/legal-holds');
    await admin.waitForURL(/\/console\/registers\/legal-holds$/);
    await admin.getByText('You can see the legal holds but not place or release one').waitFor();
    await admin.close();
    await handler.close();
    expect(ui.cspViolations).toEqual([]);
  });
});
