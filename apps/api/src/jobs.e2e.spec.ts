import { randomBytes } from 'node:crypto';
import { JobRunner, type JobRun } from '@attest/jobs';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { CommandBus } from '@nestjs/cqrs';
import { RunCustomerCommand } from '@attest/customers-application';
import { issueApiKeyFromConsole } from '@attest/runtime';
import { expectEventually, scanForCanaries } from '@attest/testing';
import { ApiHarness, type ApiResponse } from './testing/api-harness';
import { changesWhenDeliveredTwice } from './testing/delivered-twice';
import { testJobRunner } from './testing/job-runner';
import { WebhookInbox } from './testing/webhook-inbox';

const tag = randomBytes(3).toString('hex');

describe('timed jobs that move the clock (P2, D3, D5; real Postgres)', () => {
  const clock = new FixedClock(new Date());
  const api = new ApiHarness();
  let inbox: WebhookInbox;
  let runner: JobRunner;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: ApiResponse): T => res.body as T;
  const day = 86_400_000;
  const run = (name: string, dryRun = false): Promise<JobRun> => runner.runNow(name, { dryRun });

  /** A tenant of the test's own (jobs run across tenants; each test asserts on its own). */
  interface Tenant {
    readonly tenantId: string;
    readonly handler: string;
    readonly service: string;
  }
  let tenants = 0;
  const freshTenant = async (): Promise<Tenant> => {
    const n = String(++tenants);
    const registered = await api.call('POST', '/v1/registrations/enterprise', {
      body: {
        tenantId: `jobs-${tag}-${n}`,
        legalName: `Jobs ${n} Ltd`,
        registrationNumber: `JOB${tag}${n.padStart(2, '0')}`,
        contact: { name: 'Jobs Contact', email: `c${n}.${tag}@example.org` },
        evidence: { documentRef: 's.pdf', sha256: 'e'.repeat(64) },
      },
    });
    const tenantId = body<{ tenantId: string }>(registered).tenantId;
    return { tenantId, handler: await api.key(tenantId, ['dsr-handler']), service: await api.key(tenantId, ['service']) };
  };
  interface Upcoming {
    readonly job: string;
    readonly requirement: string;
    readonly what: string;
    readonly dueOn: string;
    readonly subject: string | null;
    readonly count: number | null;
    readonly field?: string | null;
    readonly warning: { readonly status: string } | null;
  }
  /** A key valid for a year of test time (the tests move the clock months on). */
  const adminKey = async (tenantId: string): Promise<string> => (await issueApiKeyFromConsole(api.infra, tenantId, ['org-admin'], 'jobs', 365)).key;
  /** What an organization administrator sees of the timed jobs (GET /v1/organization/timed-jobs). */
  const timedJobs = async (
    tenantId: string,
  ): Promise<{ jobs: { name: string; destroys: string | null; lastRun: { status: string } | null }[]; history: { job: string }[]; upcoming: Upcoming[] }> =>
    body(await api.call('GET', '/v1/organization/timed-jobs', { key: await adminKey(tenantId) }));
  const customer = async (t: Tenant, profile: Record<string, string>): Promise<string> =>
    body<{ id: string }>(await api.call('POST', '/v1/customers', { key: t.service, body: { profile, tags: [] } })).id;
  const request = async (t: Tenant, type: string, customerId: string): Promise<string> =>
    body<{ requestId: string }>(
      await api.call('POST', '/v1/data-subject-requests', {
        key: t.service,
        body: { customerId, type, channel: 'web', requester: { relation: 'self', contact: { email: `r.${tag}@example.org` } } },
      }),
    ).requestId;

  beforeAll(async () => {
    await api.start('jobs_e2e', { clock });
    inbox = await WebhookInbox.start(api.infra, clock);
    runner = testJobRunner(api, clock);
    // Every job's first run is due now (a test that moves the clock forward must not push the schedule).
    await runner.ensureSchedules();
  }, 60_000);

  // Each test starts at the present (tests move the clock forward, and API keys expire after 30 days of test time).
  beforeEach(() => {
    clock.set(new Date());
  });

  afterAll(async () => {
    await inbox.stop();
    await api.stop();
  });

  it('D3: a request becoming at risk, then overdue, is flagged to the tenant once each', async () => {
    const t = await freshTenant();
    const requestId = await request(t, 'access', await customer(t, { name: `Deadline ${tag}` }));
    const notices = async (): Promise<string[]> =>
      (await inbox.dispatch()).filter((m) => m.kind === 'request-deadline' && m.payload.requestId === requestId).map((m) => String(m.payload['urgency']));
    // Other tests' requests may be due at the same test time: this one's lines and notices only.
    const planned = async (): Promise<string[]> => (await run('request-deadlines', true)).planned.filter((l) => l.includes(requestId));
    await run('request-deadlines');
    expect(await notices()).toEqual([]);
    clock.advance(27 * day);
    expect(await planned()).toEqual([expect.stringContaining(`${requestId}: at-risk`)]);
    expect(await notices()).toEqual([]);
    await run('request-deadlines');
    await run('request-deadlines');
    expect(await notices()).toEqual(['at-risk']);
    clock.advance(5 * day);
    expect((await run('request-deadlines')).counts['notified']).toBeGreaterThanOrEqual(1);
    expect(await notices()).toEqual(['overdue']);
    // (API keys expire after 30 days of test time: back to now before calling the API again.)
    clock.set(new Date());
    expect(
      (
        await api.call('POST', `/v1/data-subject-requests/${requestId}/rejection`, {
          key: t.handler,
          body: { reasons: ['test done'], complaint: 'dpa.example.org' },
        })
      ).status,
    ).toBe(200);
    expect(await planned()).toEqual([]);
    await run('request-deadlines');
    expect(await notices()).toEqual([]);
  });

  it('D5: a field kept under a legal hold is erased when the hold ends, by its own key; a dry run changes nothing', async () => {
    const email = `held.${tag}@canary.example`;
    const t = await freshTenant();
    const handler = t.handler;
    const customerId = await customer(t, { name: `Held ${tag}`, email });
    const requestId = await request(t, 'deletion', customerId);
    await api.call('POST', `/v1/data-subject-requests/${requestId}/identity-checks`, { key: handler, body: { note: 'checked' } });
    await api.call('POST', `/v1/data-subject-requests/${requestId}/start`, { key: handler });
    const until = new Date(clock.now().getTime() + 2 * day).toISOString().slice(0, 10);
    expect(
      (
        await api.call('POST', `/v1/data-subject-requests/${requestId}/execution`, {
          key: handler,
          body: { legalHolds: [{ field: 'email', reason: 'claim pending', until }] },
        })
      ).status,
    ).toBe(200);
    const retained = async (): Promise<unknown> => body(await api.call('GET', `/v1/data-subject-requests/${requestId}/retained`, { key: handler }));
    expect(await retained()).toEqual([expect.objectContaining({ field: 'email', value: email })]);
    await run('destruction-warnings');
    await run('destruction-warnings');
    expect((await inbox.dispatch()).filter((m) => m.kind === 'retained-data-expiry-warning' && m.payload.requestId === requestId)).toEqual([
      expect.objectContaining({ payload: { requestId, field: 'email', erasedAfter: until } }),
    ]);
    const coming = await api.call('GET', '/v1/organization/timed-jobs', { key: await adminKey(t.tenantId) });
    expect(coming.text).not.toContain(email);
    expect(body<{ upcoming: Upcoming[] }>(coming).upcoming).toEqual([
      expect.objectContaining({
        requirement: 'D5',
        what: 'retained-field',
        subject: requestId,
        field: 'email',
        dueOn: until,
        warning: expect.objectContaining({ status: 'delivered' }) as unknown,
      }),
    ]);
    clock.advance(3 * day);
    expect(await run('retained-data-expiry', true)).toMatchObject({
      status: 'succeeded',
      counts: { expired: 1 },
      planned: [`request ${requestId}: email would be erased`],
    });
    expect(await retained()).toEqual([expect.objectContaining({ field: 'email', value: email })]);
    expect((await run('retained-data-expiry')).counts).toEqual({ expired: 1 });
    expect(await retained()).toEqual([]);
    expect(await api.infra.vault.isErased(`retained:${customerId}:email`)).toBe(true);
    expect((await run('retained-data-expiry')).counts).toEqual({ expired: 0 });
    clock.set(new Date());
  });

  it('P2: bodies older than three years are purged, newer ones kept, nothing under a legal hold; the record still verifies', async () => {
    const t = await freshTenant();
    const tenantId = t.tenantId;
    const officer = await api.key(tenantId, ['compliance-officer']);
    await customer(t, { name: `Old ${tag}` });
    await customer(t, { name: `Older ${tag}` });
    // Both customers' records are in the log (the processing-record projection runs behind the commands).
    await expectEventually(async () => {
      const [row] = await api.infra.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM processing.records WHERE tenant_id = $1 AND idx < 2`, [
        tenantId,
      ]);
      expect(row?.n).toBe(2);
    }, 15_000);
    await api.call('POST', '/v1/processing-record/checkpoints', { key: officer });
    // A database administrator's view of time passing: the oldest records were written four years ago.
    const backdate = async (): Promise<void> => {
      await api.infra.dataSource.transaction(async (m) => {
        await m.query(`ALTER TABLE processing.records DISABLE TRIGGER records_append_only`);
        await m.query(`UPDATE processing.records SET recorded_at = now() - interval '4 years' WHERE tenant_id = $1 AND idx < 2`, [tenantId]);
        await m.query(`ALTER TABLE processing.records ENABLE ALWAYS TRIGGER records_append_only`);
      });
    };
    await backdate();
    // The administrator sees the purge coming before any warning went out.
    expect((await timedJobs(tenantId)).upcoming).toEqual([
      expect.objectContaining({ job: 'processing-record-purge', requirement: 'P2', what: 'record-bodies', count: 2, warning: null }),
    ]);
    await run('destruction-warnings');
    await run('destruction-warnings');
    expect((await inbox.dispatch()).filter((m) => m.kind === 'processing-record-purge-warning' && m.tenantId === tenantId)).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ tenantId, records: 2 }) as unknown }),
    ]);
    const seen = await timedJobs(tenantId);
    expect(seen.upcoming).toEqual([
      expect.objectContaining({ requirement: 'P2', count: 2, warning: expect.objectContaining({ status: 'delivered' }) as unknown }),
    ]);
    expect(seen.jobs.find((j) => j.name === 'processing-record-purge')).toMatchObject({ destroys: 'P2' });
    expect(seen.jobs.find((j) => j.name === 'destruction-warnings')).toMatchObject({ destroys: null, lastRun: { status: 'succeeded' } });
    // Another tenant sees none of it.
    expect((await timedJobs((await freshTenant()).tenantId)).upcoming).toEqual([]);
    const hold = body<{ holdId: string }>(await api.call('POST', '/v1/processing-record/legal-holds', { key: officer, body: { reason: 'Audit 2026' } }));
    const held = await run('processing-record-purge');
    expect(held.counts).toMatchObject({ purged: 0, held: 2 });
    await api.call('POST', `/v1/processing-record/legal-holds/${hold.holdId}/release`, { key: officer });
    expect((await run('processing-record-purge', true)).planned).toEqual([expect.stringContaining(`${tenantId}: would purge 2 bodies`)]);
    expect((await run('processing-record-purge')).counts).toMatchObject({ purged: 2 });
    const entries = await api.infra.dataSource.query<{ body: string | null }[]>(
      `SELECT body FROM processing.records WHERE tenant_id = $1 ORDER BY idx LIMIT 3`,
      [tenantId],
    );
    expect(entries.map((e) => e.body === null)).toEqual([true, true, false]);
    expect(body<{ ok: boolean; purged: number }>(await api.call('GET', '/v1/processing-record/verification', { key: officer }))).toMatchObject({
      ok: true,
      purged: 2,
    });
    expect((await run('processing-record-purge')).counts).toMatchObject({ purged: 0 });
  });

  it('A7/A8: an idle user is restricted after the configured days, then cancelled and erased after six months', async () => {
    const phone = `+86137${String(Date.now()).slice(-8)}`;
    const personal = async (): Promise<{ accountId: string; tenantId: string }> => {
      const { challengeId } = body<{ challengeId: string }>(await api.call('POST', '/v1/registrations/personal/code', { body: { phone } }));
      await api.runners.find((r) => r.name === 'account-notifications')?.catchUp();
      const code = (await inbox.dispatch()).find((m) => m.kind === 'one-time-code' && m.payload.to.phone === phone)?.payload.code;
      const res = await api.call('POST', '/v1/registrations/personal', { body: { challengeId, code, birthDate: '1990-01-01' } });
      expect(res.status).toBe(201);
      return body(res);
    };
    const user = await personal();
    const status = async (): Promise<string> =>
      (await api.infra.dataSource.query<{ status: string }[]>(`SELECT status FROM accounts.accounts_v1 WHERE account_id = $1`, [user.accountId]))[0]?.status ??
      'gone';
    expect((await run('account-inactivity-restriction')).counts).toMatchObject({ done: 0 });
    clock.advance(91 * day);
    expect((await run('account-inactivity-restriction', true)).planned).toEqual(expect.arrayContaining([expect.stringContaining(`account ${user.accountId}`)]));
    expect(await status()).toBe('active');
    expect((await run('account-inactivity-restriction')).counts).toMatchObject({ done: 1 });
    expect(await status()).toBe('restricted');
    // Two weeks before the six months, the user is warned once (through the outbox, to the contact they registered).
    clock.advance(80 * day);
    expect((await run('account-inactivity-cancellation')).counts).toMatchObject({ done: 0 });
    await run('destruction-warnings');
    await run('destruction-warnings');
    const warnings = (await inbox.dispatch()).filter((m) => m.kind === 'inactivity-cancellation-warning' && m.payload.accountId === user.accountId);
    expect(warnings).toEqual([expect.objectContaining({ payload: expect.objectContaining({ to: expect.objectContaining({ phone }) as unknown }) as unknown })]);
    // The tenant sees the cancellation coming, the day it is due and the warning delivered; never the phone number.
    const coming = await api.call('GET', '/v1/organization/timed-jobs', { key: await adminKey(user.tenantId) });
    expect(coming.text).not.toContain(phone.slice(1));
    expect(body<{ upcoming: Upcoming[] }>(coming).upcoming).toEqual([
      expect.objectContaining({
        requirement: 'A8',
        what: 'account-cancellation',
        subject: user.accountId,
        dueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as unknown,
        warning: expect.objectContaining({ status: 'delivered' }) as unknown,
      }),
    ]);
    clock.advance(15 * day);
    expect((await run('account-inactivity-cancellation')).counts).toMatchObject({ done: 1 });
    expect(await status()).toBe('cancelled');
    // Everything the user entered is erased: their key is gone.
    expect(await api.infra.vault.isErased(user.accountId)).toBe(true);
    expect((await run('account-inactivity-cancellation')).counts).toMatchObject({ done: 0 });
    clock.set(new Date());
  });

  it('A11: a specific-function deletion nearing its 15-working-day due date is flagged once, and again when overdue', async () => {
    const { tenantId } = await freshTenant();
    const operator = await api.key('platform', ['platform-operator']);
    const accountId = (
      await api.infra.dataSource.query<{ account_id: string }[]>(`SELECT account_id FROM accounts.accounts_v1 WHERE tenant_id = $1 AND kind = 'enterprise'`, [
        tenantId,
      ])
    )[0]?.account_id;
    await api.call('POST', `/v1/platform/accounts/${String(accountId)}/verification`, { key: operator, body: { outcome: 'verified' } });
    const admin = await api.key(tenantId, ['org-admin']);
    const created = await api.call('POST', '/v1/organization/function-data-deletions', { key: admin, body: { function: 'call-recording' } });
    expect(created.status).toBe(201);
    const id = body<{ id: string }>(created).id;
    const flagged = async (): Promise<string[]> =>
      (await inbox.dispatch()).filter((m) => m.kind === 'function-deletion-deadline' && m.payload.requestId === id).map((m) => String(m.payload['urgency']));
    expect((await run('function-deletion-deadlines')).counts).toMatchObject({ notified: 0 });
    clock.advance(19 * day);
    await run('function-deletion-deadlines');
    await run('function-deletion-deadlines');
    expect(await flagged()).toEqual(['at-risk']);
    clock.advance(5 * day);
    await run('function-deletion-deadlines');
    expect(await flagged()).toEqual(['overdue']);
    clock.set(new Date());
    await api.call('POST', `/v1/platform/accounts/${String(accountId)}/function-data-deletions/${id}/complete`, { key: operator });
    expect((await run('function-deletion-deadlines')).counts).toMatchObject({ due: 0 });
  });

  it('A10: an agreement ends; six months later every customer of the tenant is erased, the record still verifies, and the tenant is in closed storage', async () => {
    const t = await freshTenant();
    const tenantId = t.tenantId;
    const operator = await api.key('platform', ['platform-operator']);
    // A key valid for a year of test time, to see the tenant closed rather than the key expired.
    const longKey = (await issueApiKeyFromConsole(api.infra, tenantId, ['service', 'compliance-officer'], 'a10', 365)).key;
    const canary = `A10 Canary${tag}`;
    const ids = [await customer(t, { name: canary, email: `a10.${tag}@canary.example` }), await customer(t, { name: `A10 Other${tag}` })];
    const accountId = (
      await api.infra.dataSource.query<{ account_id: string }[]>(`SELECT account_id FROM accounts.accounts_v1 WHERE tenant_id = $1 AND kind = 'enterprise'`, [
        tenantId,
      ])
    )[0]?.account_id;
    // An agreement needs a verified enterprise.
    await api.call('POST', `/v1/platform/accounts/${String(accountId)}/verification`, { key: operator, body: { outcome: 'verified' } });
    const endsOn = new Date(clock.now().getTime() + 10 * day).toISOString().slice(0, 10);
    const started = await api.call('POST', `/v1/platform/accounts/${String(accountId)}/agreement`, {
      key: operator,
      body: { action: 'start', startsOn: '2026-01-01', endsOn },
    });
    expect(started.body).toMatchObject({ agreement: { status: 'active' } });
    clock.advance(11 * day);
    expect((await run('agreement-expiry')).counts).toMatchObject({ ended: 1 });
    expect((await run('agreement-expiry')).counts).toMatchObject({ due: 0 });
    expect((await run('tenant-data-deletion')).counts).toMatchObject({ customers: 0 }); // six months for renewal
    clock.advance(165 * day);
    await run('destruction-warnings');
    expect((await inbox.dispatch()).filter((m) => m.kind === 'tenant-data-deletion-warning' && m.tenantId === tenantId)).toHaveLength(1);
    expect((await timedJobs(tenantId)).upcoming.filter((u) => u.requirement === 'A10')).toEqual([
      expect.objectContaining({ what: 'customer-personal-data', warning: expect.objectContaining({ status: 'delivered' }) as unknown }),
    ]);
    clock.advance(20 * day);
    // A run killed halfway: the first customer's erasure event is written, its key not yet destroyed.
    await api.app
      .get(CommandBus)
      .execute(
        new RunCustomerCommand(
          { tenantId, actor: 'system:test', correlationId: 'kill', commandId: uuidv7() },
          { kind: 'EraseCustomer', customerId: ids[0] ?? '', requestId: null },
        ),
      );
    expect(await api.infra.vault.isErased(ids[0] ?? '')).toBe(false);
    const held = Number(
      (
        await api.infra.dataSource.query<{ n: string }[]>(
          `SELECT count(*)::text AS n FROM consent.subjects_v1 s WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM key_vault.erased_subjects e WHERE e.subject_id = s.customer_id::text)`,
          [tenantId],
        )
      )[0]?.n,
    );
    expect(held).toBeGreaterThanOrEqual(ids.length);
    expect((await run('tenant-data-deletion', true)).planned).toEqual([`tenant ${tenantId}: would erase ${String(held)} customers`]);
    expect((await run('tenant-data-deletion')).counts).toMatchObject({ tenants: 1 });
    for (const id of ids) {
      expect(await api.infra.vault.isErased(id)).toBe(true);
      // Every personal field of the customer's events now decrypts to the erased marker.
      const events = JSON.stringify((await api.infra.store.readStream(`customer-${id}`)).map((e) => e.data));
      expect(events).toContain('"$erased":true');
      expect(events).not.toContain(canary);
    }
    expect((await run('tenant-data-deletion')).counts).toMatchObject({ tenants: 0, customers: 0 });
    // Closed storage: the API no longer serves the tenant.
    expect((await api.call('GET', '/v1/customers', { key: longKey })).body).toMatchObject({ status: 403, code: 'TENANT.CLOSED' });
    // The processing record is intact and verifies (the log is read directly: the API is closed to the tenant).
    await api.infra.recordLog.checkpoint(tenantId);
    const { verifyTenantLog } = await import('@attest/processing-infrastructure');
    expect(await verifyTenantLog(api.infra.recordLog, tenantId)).toMatchObject({ ok: true });
    const deletes = await api.infra.dataSource.query<unknown[]>(`SELECT 1 FROM processing.records WHERE tenant_id = $1 AND kind = 'delete'`, [tenantId]);
    expect(deletes.length).toBeGreaterThanOrEqual(ids.length);
    const report = await scanForCanaries({ databaseUrl: api.databaseUrl, canaries: [canary], logs: api.logLines });
    expect(report.findings).toEqual([]);
    clock.set(new Date());
  });

  it('runs every due job once from the schedule and keeps the history', async () => {
    const done = await runner.runDue();
    expect(done.map((r) => r.job).sort()).toEqual([
      'account-inactivity-cancellation',
      'account-inactivity-restriction',
      'agreement-expiry',
      'console-session-cleanup',
      'destruction-warnings',
      'function-deletion-deadlines',
      'processing-record-purge',
      'processing-record-verification',
      'request-deadlines',
      'retained-data-expiry',
      'tenant-data-deletion',
      'whatsapp-log-retention',
    ]);
    expect(await runner.runDue()).toEqual([]);
    // The history keeps each of these runs (other tests' runs, at other test times, are there too).
    for (const run of done) {
      expect((await runner.history(run.job, 100)).find((r) => r.runId === run.runId)).toMatchObject({ job: run.job, status: 'succeeded' });
    }
  });

  it('a notification the receiver keeps refusing becomes a dead letter; the operator sees it (never its payload), puts it back, and it is delivered', async () => {
    const operator = await api.key('platform', ['platform-operator']);
    // A tenant of its own, never registered: the outbox serves any tenant.
    const own = `jobs-dl-${tag}`;
    const ownService = await api.key(own, ['service']);
    const ownCustomer = body<{ id: string }>(
      await api.call('POST', '/v1/customers', { key: ownService, body: { profile: { name: `Dead letter ${tag}` }, tags: [] } }),
    ).id;
    const requestId = body<{ requestId: string }>(
      await api.call('POST', '/v1/data-subject-requests', {
        key: ownService,
        body: { customerId: ownCustomer, type: 'access', channel: 'web', requester: { relation: 'self', contact: { email: `dl.${tag}@example.org` } } },
      }),
    ).requestId;
    expect((await api.call('POST', `/v1/data-subject-requests/${requestId}/verification-codes`, { key: await api.key(own, ['dsr-handler']) })).status).toBe(
      201,
    );
    inbox.down = true;
    // Eight refused attempts with the backoff between them (2 s doubling, capped at an hour).
    for (let attempt = 0; attempt < 8; attempt++) {
      await inbox.dispatch();
      clock.advance(3_600_000);
    }
    clock.set(new Date());
    type Entry = { id: string; tenantId: string; kind: string; status: string; attempts: number; lastError: string | null };
    const dead = body<Entry[]>(await api.call('GET', '/v1/platform/notifications', { key: operator })).filter((n) => n.tenantId === own);
    expect(dead).toEqual([expect.objectContaining({ status: 'dead', attempts: 8, lastError: expect.stringContaining('503') as unknown })]);
    expect(JSON.stringify(dead)).not.toContain('payload');
    const id = dead[0]?.id ?? '';
    expect((await api.call('POST', `/v1/platform/notifications/${id}/retry`, { key: operator })).body).toMatchObject({
      id,
      status: 'pending',
      attempts: 0,
      lastError: null,
    });
    expect((await api.call('POST', `/v1/platform/notifications/${id}/retry`, { key: operator })).body).toMatchObject({
      status: 404,
      code: 'NOTIFICATION.NOT_DEAD',
    });
    inbox.down = false;
    expect((await inbox.dispatch()).map((m) => m.id)).toContain(id);
    expect(body<Entry[]>(await api.call('GET', '/v1/platform/notifications?status=delivered', { key: operator })).find((n) => n.id === id)).toMatchObject({
      status: 'delivered',
    });
  });

  it('every projection, given every event of this suite’s log a second time, changes nothing', async () => {
    // Whatever else ran before: a tenant with a customer and a request, so every context's projections have events.
    const t = await freshTenant();
    await request(t, 'access', await customer(t, { name: `Twice ${tag}` }));
    await Promise.all(api.runners.map((r) => r.catchUp()));
    expect(await changesWhenDeliveredTwice(api.infra)).toEqual({});
  }, 120_000);
});
