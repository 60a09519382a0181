import type { Page } from 'playwright-core';
import { FixedClock } from '@attest/kernel';
import { SUBJECT_RIGHTS, type SubjectRights } from '@attest/requests-application';
import { ApiHarness } from './testing/api-harness';
import { WebhookInbox } from './testing/webhook-inbox';
import { ConsoleBrowser, attributes, chromiumAvailable, screenshot, seriousViolations } from './testing/console-browser';

/**
 * The request handler's queue in a real browser (Debian's Chromium) against the real API on a
 * real database: filters in the address (surviving a reload), a view saved on the server and
 * opened again, and a bulk reject over the whole filter with two requests left out, whose
 * per-request results the page shows. axe-core on the page, no CSP violation.
 */
const available = chromiumAvailable('console-requests.browser.spec');
const HANDLER = ['dsr-handler'] as const;
const LETTERS = 500;
const PAGE = 200;

(available ? describe : describe.skip)('the request handler’s queue in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date());
  const ui = new ConsoleBrowser(api, clock);
  let page: Page;
  let tenantId: string;
  let handler: string;
  let deletion: string;
  let service: string;
  let keptCustomer: string;
  let inbox: WebhookInbox;
  const letters: string[] = [];

  beforeAll(async () => {
    await ui.start('console_requests_browser');
    inbox = await WebhookInbox.start(api.infra, clock);
    const registered = await api.call('POST', '/v1/registrations/enterprise', {
      body: {
        tenantId: 'console-requests',
        legalName: 'Console Requests Ltd',
        registrationNumber: 'CONSOLEREQ1',
        contact: { name: 'Shop Contact', email: 'contact@example.org' },
        evidence: { documentRef: 's.pdf', sha256: 'e'.repeat(64) },
      },
    });
    expect(registered.status).toBe(201);
    tenantId = (registered.body as { tenantId: string }).tenantId;
    service = await api.key(tenantId, ['service']);
    handler = await api.key(tenantId, ['dsr-handler']);
    const created = await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: 'Requester Person' }, tags: [] } });
    const customerId = (created.body as { id: string }).id;
    const receive = async (channel: string): Promise<string> => {
      const res = await api.call('POST', '/v1/data-subject-requests', {
        key: service,
        body: { customerId, type: 'access', channel, requester: { relation: 'self', contact: { email: 'requester@example.org' } } },
      });
      expect(res.status).toBe(201);
      return (res.body as { requestId: string }).requestId;
    };
    for (let i = 0; i < LETTERS; i++) letters.push(await receive('letter'));
    await receive('phone');
    const doomed = await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: 'Person To Forget' }, tags: [] } });
    const res = await api.call('POST', '/v1/data-subject-requests', {
      key: service,
      body: {
        customerId: (doomed.body as { id: string }).id,
        type: 'deletion',
        channel: 'email',
        requester: { relation: 'self', contact: { email: 'forget@example.org' } },
      },
    });
    deletion = (res.body as { requestId: string }).requestId;
    const kept = await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: 'Person Under Hold' }, tags: [] } });
    keptCustomer = (kept.body as { id: string }).id;
    page = await ui.newPage();
  }, 300_000);

  afterAll(async () => {
    await inbox.stop();
    await ui.stop();
  });

  it('filters in the address, a saved view, and a bulk reject over the whole filter with two left out', async () => {
    await ui.signIn(page, tenantId, HANDLER, '/console/requests');
    await page.waitForURL(/\/console\/requests/);
    // Mine by default: none are assigned to this person yet.
    await page.getByText('No request matches these filters.').waitFor();
    await page.getByLabel('Whose requests').selectOption('all');
    await page.getByLabel('Channel').selectOption('letter');
    await page.waitForURL(/channel=letter/);
    await page.waitForURL(/who=all/);
    const rows = page.locator('table[aria-busy="false"] tbody tr');
    await rows.first().waitFor();
    // 500 letters: 200 a page, then the next pages; the bulk action below reaches all of them.
    expect(await rows.count()).toBe(PAGE);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/after=/);
    // Settled on the second page: its first row is no longer the first page's.
    await page.locator(`table[aria-busy="false"] tbody tr:first-child:not([data-request="${letters[0]}"])`).waitFor();
    expect(await rows.count()).toBe(PAGE);
    const secondPageFirst = await rows.first().getAttribute('data-request');
    expect(secondPageFirst).not.toBe(letters[0]);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.locator(`table[aria-busy="false"] tbody tr:nth-child(${String(LETTERS - 2 * PAGE)})`).waitFor();
    expect(await rows.count()).toBe(LETTERS - 2 * PAGE);
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    await page.getByRole('link', { name: 'First page' }).click();
    await page.waitForURL((url) => !url.search.includes('after='));
    await page.locator(`table[aria-busy="false"] tbody tr:first-child[data-request="${letters[0]}"]`).waitFor();
    expect(await rows.first().getAttribute('data-request')).toBe(letters[0]);
    // No requester's name or contact in the list.
    expect(await page.locator('main').innerText()).not.toContain('requester@example.org');
    await page.reload();
    await expect(page.getByLabel('Channel').inputValue()).resolves.toBe('letter');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-requests-queue');

    // A view saved on the server, opened again from the list.
    await page.getByLabel('Name of this view').fill('Letters, everyone');
    await page.getByRole('button', { name: 'Save this view' }).click();
    await page.getByRole('link', { name: 'Open: Letters, everyone' }).waitFor();
    const saved = (await api.call('GET', '/v1/me/console-views', { key: handler })).body as unknown[];
    expect(saved).toEqual([]); // the view is the signed-in person's, not the API key's

    // Two rows left out, then reject everything else the filter reaches.
    const kept = [letters[4] ?? '', letters[9] ?? ''];
    for (const requestId of kept) await page.getByLabel(`Leave request ${requestId} out of the bulk action`).check();
    await page.getByLabel('Action', { exact: true }).selectOption('reject');
    await page.getByLabel('Reasons (one per line)').fill('The requester could not be identified within the time allowed');
    await page.getByLabel('How the requester can complain').fill('Complain to the data protection authority: dpa.example.org');
    await page.getByRole('button', { name: 'Start the bulk action' }).click();
    const job = page.locator('[data-job][data-finished="true"]');
    await job.waitFor({ timeout: 120_000 });
    expect(await job.getByRole('status').innerText()).toContain(`${String(LETTERS - 2)} done, 0 failed, 0 waiting, of ${String(LETTERS - 2)}`);
    // The queue now holds only the two left out.
    await page.locator('table tbody tr').nth(2).waitFor({ state: 'detached' });
    const left = await attributes(page.locator('table tbody tr'), 'data-request');
    expect(left.sort()).toEqual([...kept].sort());
    // The table dims while it refreshes (aria-busy); axe looks at it settled.
    await page.locator('table[aria-busy="false"]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('a deletion from the request page: identity check, start, a failed erasure shown with its step, a retry that finishes, the certificate', async () => {
    await page.goto(`${api.base}/console/requests/${deletion}`);
    await page.locator(`[data-request-page="${deletion}"]`).waitFor();
    await page.getByLabel('How you checked the identity').selectOption('signed-letter');
    await page.getByLabel('Your reference for the check').fill('Mail room log 2026-118');
    await page.getByRole('button', { name: 'Record the identity check' }).click();
    await page.getByRole('button', { name: 'Start work' }).click();
    await page.locator('[data-status="in-progress"]').waitFor();
    // One context's erasure fails (its store unreachable): the page says which step and offers a retry.
    const rights = api.app.get<SubjectRights>(SUBJECT_RIGHTS);
    const erase = rights.erase.bind(rights);
    rights.erase = () => Promise.reject(new Error('consent store unreachable'));
    try {
      await page.getByRole('button', { name: 'Carry out the request' }).click();
      await page.locator('[data-failure="erase"]').waitFor();
      expect(await page.locator('[data-failure="erase"]').innerText()).toContain('did not finish');
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'console-request-retry');
    } finally {
      rights.erase = erase;
    }
    await page.getByRole('button', { name: 'Retry from this step' }).click();
    await page.locator('[data-status="completed"]').waitFor();
    await page.locator('[data-deletion-step="done"]').waitFor();
    await page.locator('[data-certificate]').waitFor();
    const certificate = await api.call('GET', `/v1/data-subject-requests/${deletion}/certificate`, { key: handler });
    expect(certificate.status).toBe(200);
    expect(await seriousViolations(page)).toEqual([]);
  });
  it('a deletion entered by hand (received by letter two days ago), verified by code, carried out with a legal hold, to its certificate page', async () => {
    await ui.signIn(page, tenantId, HANDLER, '/console/requests/new');
    await page.getByRole('heading', { name: 'Enter a request', level: 1 }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const received = new Date(clock.now().getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Customer id (the data subject)').fill(keptCustomer);
    await page.getByLabel('Type').selectOption('deletion');
    await page.getByLabel('Channel').selectOption('letter');
    await page.getByLabel('Actually received at').fill(`${received}T12:00`);
    await page.getByLabel('E-mail').fill('hold@example.org');
    await page.getByRole('button', { name: 'Enter the request' }).click();
    await page.waitForURL(/\/console\/requests\/[0-9a-f-]{36}$/);
    const requestId = page.url().split('/').pop() ?? '';
    await page.locator(`[data-request-page="${requestId}"]`).waitFor();
    // The deadline counts from the day the letter arrived, not from today.
    const entered = (await api.call('GET', `/v1/data-subject-requests/${requestId}`, { key: handler })).body as { receivedAt: string; channel: string };
    expect(entered.channel).toBe('letter');
    expect(Date.parse(entered.receivedAt)).toBeLessThan(clock.now().getTime() - 86_400_000);
    // The requester's contact is not on the page until revealed, for a declared purpose; the read is recorded.
    expect(await page.locator('main').innerText()).not.toContain('hold@example.org');
    await page.getByRole('button', { name: 'Reveal…' }).click();
    await page.getByLabel('Why you need it').selectOption('data-subject-request');
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    await page.locator('[data-revealed="yes"]').waitFor();
    expect(await page.locator('[data-revealed="yes"]').innerText()).toContain('hold@example.org');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-request-reveal');
    await page.getByRole('button', { name: 'Hide' }).click();
    await page.locator('[data-revealed="no"]').waitFor();
    expect(await page.locator('main').innerText()).not.toContain('hold@example.org');
    await api.infra.recordLog.drain();
    const [read] = await api.infra.dataSource.query<{ actor: string; purpose: string; body: string }[]>(
      `SELECT actor, purpose, body FROM processing.records WHERE tenant_id = $1 AND kind = 'read' ORDER BY idx DESC LIMIT 1`,
      [tenantId],
    );
    expect(read?.purpose).toBe('data-subject-request');
    expect(read?.body).toContain('request-contact');
    expect(read?.body).not.toContain('hold@example.org');
    // A compliance officer sees the reveal in "Who looked".
    const officerPage = await ui.newPage();
    try {
      await ui.signIn(officerPage, tenantId, ['compliance-officer'], '/console/who-looked');
      const reads = officerPage.locator('[data-looks="read"]');
      await reads.locator('table[aria-busy="false"] tbody tr').first().waitFor();
      const latest = await reads.locator('tbody tr').first().innerText();
      expect(latest).toContain('data-subject-request');
      expect(latest).toContain('request-contact');
      expect(latest).not.toContain('hold@example.org');
    } finally {
      await officerPage.close();
    }

    // A wrong code is refused beside its form; the right one verifies.
    await page.getByRole('button', { name: 'Send a verification code' }).click();
    await page.locator('[data-challenge]').waitFor();
    const message = (await inbox.dispatch()).find((m) => m.kind === 'one-time-code' && m.payload.requestId === requestId);
    const code = message?.payload.code ?? '';
    expect(code).not.toBe('');
    await page.getByLabel('Code the requester read back').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.locator('[data-step="check-code"] [role="alert"]').waitFor();
    expect(await page.locator('[data-step="check-code"] [role="alert"]').innerText()).toContain('DSR.CODE_INVALID');
    await page.getByLabel('Code the requester read back').fill(code);
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.locator('[data-status="verified"]').waitFor();
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('button', { name: 'Start work' }).click();
    await page.locator('[data-status="in-progress"]').waitFor();
    // The timeline shows every event of the request, the wrong code too; a comment between handlers joins it.
    await page.locator('[data-timeline] li[data-kind="started"]').waitFor();
    expect(await attributes(page.locator('[data-timeline] li'), 'data-kind')).toEqual([
      'received',
      'code-sent',
      'code-failed',
      'identity-verified',
      'assigned',
      'started',
    ]);
    await page.getByLabel('Comment for the other handlers').fill('Paper file archived off-site.\nRetrieval booked for Monday.');
    await page.getByRole('button', { name: 'Add the comment' }).click();
    await page.locator('[data-timeline] li[data-kind="commented"]').waitFor();
    expect(await page.locator('[data-timeline] li[data-kind="commented"] .timeline-text').innerText()).toBe(
      'Paper file archived off-site.\nRetrieval booked for Monday.',
    );
    expect(await page.getByLabel('Comment for the other handlers').inputValue()).toBe('');
    await page.getByLabel('Profile field kept').fill('name');
    await page.getByLabel('Reason for keeping it').fill('Legal claim 2026-117 pending');
    await page.getByLabel('Kept until').fill('2030-12-31');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console-request-page');

    await page.getByRole('button', { name: 'Carry out the request' }).click();
    await page.locator('[data-status="completed"]').waitFor();
    await page.locator('[data-timeline] li[data-kind="completed"]').waitFor();
    expect(await attributes(page.locator('[data-timeline] li'), 'data-kind')).toEqual(
      expect.arrayContaining(['deletion-erased', 'deletion-certified', 'completed']),
    );
    expect(await page.locator('main').innerText()).not.toContain('hold@example.org');
    await page.getByRole('link', { name: 'The deletion certificate and the data retained' }).click();
    await page.locator('[data-certificate-page]').waitFor();
    await page.locator('table[data-retained="1"]').waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain(requestId);
    expect(text).toContain('Legal claim 2026-117 pending');
    expect(text).not.toContain('Person Under Hold'); // the kept value is not shown
    expect(await seriousViolations(page)).toEqual([]);

    // The certificate checked in the browser: its key, its signature over the fields shown, its delete entry's inclusion proof.
    await page.getByRole('button', { name: 'Verify the certificate' }).click();
    await page.locator('[data-verified]').waitFor();
    expect(await page.locator('[data-verified]').getAttribute('data-verified')).toBe('yes');
    expect(await page.locator('.verify-steps li[data-ok="no"]').count()).toBe(0);
    expect(await page.locator('.verify-steps li[data-step="certificate-signature"][data-ok="yes"]').count()).toBe(1);
    await screenshot(page, 'console-request-certificate');

    // Someone with the database shortens the hold on the stored certificate: what is shown is no longer what was signed.
    await api.infra.dataSource.query(
      `UPDATE requests.deletions SET certificate = jsonb_set(certificate, '{retained,0,until}', '"2027-01-01"') WHERE request_id = $1`,
      [requestId],
    );
    await page.reload();
    await page.locator('[data-certificate-page]').waitFor();
    await page.getByRole('button', { name: 'Verify the certificate' }).click();
    await page.locator('[data-verified]').waitFor();
    expect(await page.locator('[data-verified]').getAttribute('data-verified')).toBe('no');
    expect(await attributes(page.locator('.verify-steps li[data-ok="no"]'), 'data-step')).toEqual(['certificate-signature']);

    // A reveal needs a recent sign-in: six minutes on, the console sends the handler to sign in again.
    clock.advance(6 * 60_000);
    await page.goto(`${api.base}/console/requests/${requestId}`);
    await page.locator(`[data-request-page="${requestId}"]`).waitFor();
    await page.getByRole('button', { name: 'Reveal…' }).click();
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    await page.waitForURL(/\/console\/step-up\?returnTo=/);
    expect(await page.locator('main').innerText()).not.toContain('hold@example.org');
  });
});
