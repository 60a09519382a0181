import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock } from '@attest/kernel';
import { createLogger } from '@attest/observability';
import { isEncryptedField } from '@attest/privacy';
import { verifyTenantLog } from '@attest/processing-infrastructure';
import { checkpoints, partitionName, rebuildProjection, tenantPartition } from '@attest/projections';
import type { RecordedEvent } from '@attest/event-store';
import { expectEventually, seededRandom } from '@attest/testing';
import { generateSignerKey, parseSignerKey } from '@attest/transparency';
import { buildConsoleWhenMissing } from './console/build-console';
import type { Infrastructure } from '@attest/runtime';
import { ApiHarness } from './testing/api-harness';
import { NEWSLETTER_PURPOSE } from './testing/newsletter-purpose';
import { snapshot } from './testing/delivered-twice';
import { freePort } from './testing/processes';
import { TenantReceiver } from './testing/webhook-inbox';

/**
 * Issue 26, item 4: three API processes and three workers (`apps/api/src/main.ts` with
 * ATTEST_ROLE) on one database, a mixed workload from several clients, and a controller that
 * SIGKILLs a random process every few seconds and starts it again; the customers read model
 * runs in two partitions by tenant (ATTEST_PROJECTION_PARTITIONS). Afterwards: every
 * acknowledged command's events are in the log, every read model equals a fresh rebuild in one
 * process, the processing record verifies and holds each acknowledged decision once, no
 * notification went out twice under different ids, and no request was answered 5xx.
 *
 *   CHAOS_SECONDS (default 40): how long the workload runs; CHAOS_KILL_EVERY_MS (default 3000).
 */
const SECONDS = Number(process.env['CHAOS_SECONDS'] ?? 40);
const KILL_EVERY_MS = Number(process.env['CHAOS_KILL_EVERY_MS'] ?? 3000);
const CLIENTS = 4;
/** A request unanswered this long is a hang, not a kill: reported with the process's log. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A process that has not exited this long after SIGTERM did not stop gracefully: reported, then SIGKILLed. */
const STOP_TIMEOUT_MS = 30_000;
const MAIN = join(__dirname, 'main.ts');
/** The processing record is append-only and never rebuilt. */
const NOT_REBUILT = new Set(['processing-record']);

interface Proc {
  readonly role: 'api' | 'worker';
  readonly name: string;
  port: number;
  child: ChildProcess | null;
  alive: boolean;
  /** Raised at each kill: a request sent before a kill and failed after it was cut by it. */
  kills: number;
  starts: number;
  log: string[];
}

interface Tally {
  commands: number;
  acknowledged: number;
  cutByKill: number;
  unexplained: string[];
  serverErrors: string[];
  clientErrors: string[];
}

describe('chaos: processes killed at random under a mixed workload (issue 26)', () => {
  const api = new ApiHarness();
  const signerKey = generateSignerKey('attest.local/processing-record');
  const gatewaySecret = randomBytes(24).toString('hex');
  let gateway: TenantReceiver;
  const receivers: TenantReceiver[] = [];
  const procs: Proc[] = [];

  const env = (proc: Proc): NodeJS.ProcessEnv => ({
    ...process.env,
    DATABASE_URL: api.databaseUrl,
    ATTEST_ROLE: proc.role,
    HOST: '127.0.0.1',
    PORT: String(proc.port),
    ATTEST_MASTER_KEY: api.masterKey,
    ATTEST_RECORD_SIGNER_KEY: signerKey,
    ATTEST_CHECKPOINT_INTERVAL_SECONDS: '2',
    EVENT_STORE_POLL_INTERVAL_MS: '50',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ATTEST_PUBLIC_FLOW_PER_MINUTE: '1000000',
    ATTEST_TENANT_WEBHOOKS_ALLOW_PRIVATE: 'on',
    ATTEST_WEBHOOK_URL: gateway.url,
    ATTEST_WEBHOOK_SECRET: gatewaySecret,
    // The customers read model in two partitions by tenant, each under its own lease.
    ATTEST_PROJECTION_PARTITIONS: 'customers=2',
    LOG_LEVEL: 'warn',
  });

  /** Set when the test ends, passed or failed: the controller, the clients and any start under way stop. */
  let ended = false;
  // A function, not the variable: it changes while the callers await.
  const isEnded = (): boolean => ended;
  /** Restarts of killed processes under way; afterAll waits for them before it kills everything. */
  const restarts: Promise<void>[] = [];
  let sampler: NodeJS.Timeout | null = null;

  async function start(proc: Proc): Promise<void> {
    if (isEnded()) return;
    const child = spawn(process.execPath, ['-r', '@swc-node/register', MAIN], { env: env(proc), stdio: ['ignore', 'pipe', 'pipe'] });
    proc.child = child;
    proc.starts += 1;
    // Its log (warnings and errors, on stdout) and stderr, the last 200 chunks: shown when it misbehaves.
    const keep = (chunk: Buffer): void => {
      proc.log.push(chunk.toString('utf8'));
      if (proc.log.length > 200) proc.log.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // Its log runs on across restarts: each start is marked, so a report shows which one said what.
    proc.log.push(`\n[start ${String(proc.starts)}, pid ${String(child.pid)}]\n`);
    const deadline = Date.now() + 150_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${proc.name} exited at start (${String(child.exitCode)}): ${proc.log.join('')}`);
      const ok = await fetch(`http://127.0.0.1:${String(proc.port)}/health/live`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (isEnded()) return;
      if (Date.now() > deadline) throw new Error(`${proc.name} did not come up in 150 s: ${proc.log.join('')}`);
      await sleep(100);
    }
    proc.alive = true;
  }

  /** Processes that did not exit within STOP_TIMEOUT_MS of a SIGTERM, each with its last log lines. */
  const stuck: string[] = [];

  async function kill(proc: Proc, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = proc.child;
    proc.alive = false;
    proc.kills += 1;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill(signal);
    if (signal === 'SIGKILL') {
      await exited;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => {
        resolve('late');
      }, STOP_TIMEOUT_MS);
    });
    const outcome = await Promise.race([exited, late]);
    clearTimeout(timer);
    // A graceful stop exits 0; main.ts exits 1 when a step failed or hung past its own deadline.
    if (outcome === 0) return;
    if (outcome !== 'late') {
      stuck.push(`${proc.name} exited ${String(outcome)} after SIGTERM: ${proc.log.join('').slice(-3000)}`);
      return;
    }
    stuck.push(
      `${proc.name} did not exit ${String(STOP_TIMEOUT_MS / 1000)} s after SIGTERM (${await whereStuck(proc, child)}): ${proc.log.join('').slice(-3000)}`,
    );
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * What a process that ignores SIGTERM is doing: whether it still serves /health/live (its event
   * loop runs and its HTTP server is open: the shutdown never began), and each thread's state,
   * kernel wait channel and CPU time over one second (a busy loop, or a blocked write).
   */
  async function whereStuck(proc: Proc, child: ChildProcess): Promise<string> {
    const live = await fetch(`http://127.0.0.1:${String(proc.port)}/health/live`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => `health/live ${String(r.status)}`,
      (error: unknown) => `health/live: ${error instanceof Error ? error.name : 'failed'}`,
    );
    interface Thread {
      readonly comm: string;
      readonly state: string;
      readonly wchan: string;
      readonly ticks: number;
    }
    const threads = async (): Promise<Map<string, Thread>> => {
      const seen = new Map<string, Thread>();
      const dir = `/proc/${String(child.pid)}/task`;
      for (const tid of await readdir(dir).catch(() => [] as string[])) {
        const stat = await readFile(join(dir, tid, 'stat'), 'utf8').catch(() => '');
        const wchan = await readFile(join(dir, tid, 'wchan'), 'utf8').catch(() => '?');
        // After the command's closing parenthesis: state is field 3, utime and stime fields 14 and 15.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        seen.set(tid, { comm, state: fields[0] ?? '?', wchan, ticks: Number(fields[11] ?? 0) + Number(fields[12] ?? 0) });
      }
      return seen;
    };
    const before = await threads();
    await sleep(1_000);
    const after = await threads();
    const described = [...after].map(([tid, t]) => `${t.comm}:${t.state}:${t.wchan}:+${String(t.ticks - (before.get(tid)?.ticks ?? t.ticks))}ticks`);
    return `${live}; threads ${described.join(' ')}`;
  }

  /** Fails with what is known, instead of at jest's timeout, when a phase of the test hangs. */
  async function within<T>(phase: string, ms: number, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const logs = procs.map((p) => `--- ${p.name} (alive ${String(p.alive)}, starts ${String(p.starts)}):\n${p.log.join('').slice(-2000)}`).join('\n');
        reject(new Error(`chaos: ${phase} did not finish in ${String(ms / 1000)} s\n${logs}`));
      }, ms);
    });
    try {
      return await Promise.race([work, hung]);
    } finally {
      clearTimeout(timer);
    }
  }

  beforeAll(async () => {
    // The api role serves the console: built once here, so six processes do not build it at once.
    await buildConsoleWhenMissing(createLogger({ level: 'silent' }));
    gateway = await TenantReceiver.start(systemClock);
    gateway.secret = gatewaySecret;
    // The harness migrates and sets the tenant up; it serves no workload and runs no worker.
    await api.start('chaos', { workers: false, role: 'api' });
    for (const [role, n] of [
      ['api', 3],
      ['worker', 3],
    ] as const) {
      for (let i = 1; i <= n; i++)
        procs.push({ role, name: `${role}-${String(i)}`, port: await freePort(), child: null, alive: false, kills: 0, starts: 0, log: [] });
    }
    await Promise.all(procs.map((p) => start(p)));
  }, 240_000);

  afterAll(async () => {
    ended = true;
    if (sampler) clearInterval(sampler);
    await Promise.allSettled(restarts);
    await Promise.all(procs.map((p) => kill(p, 'SIGKILL')));
    await Promise.all(receivers.map((r) => r.stop()));
    await gateway.stop();
    await api.stop();
  });

  interface ChaosTenant {
    readonly name: string;
    readonly admin: string;
    readonly service: string;
    readonly handler: string;
    readonly receiver: TenantReceiver;
  }

  async function setUpTenant(name: string): Promise<ChaosTenant> {
    const admin = await api.key(name, ['org-admin']);
    const service = await api.key(name, ['org-admin', 'service']);
    const handler = await api.key(name, ['dsr-handler']);
    const receiver = await TenantReceiver.start(systemClock);
    receivers.push(receiver);
    const hook = await api.call('PUT', '/v1/organization/webhook', { key: admin, body: { url: receiver.url } });
    expect(hook.status).toBe(200);
    receiver.secret = (hook.body as { secret: string }).secret;
    const purpose = await api.call('POST', '/v1/purposes', {
      key: service,
      body: NEWSLETTER_PURPOSE,
    });
    expect(purpose.status).toBe(201);
    return { name, admin, service, handler, receiver };
  }

  it('loses nothing, doubles nothing, and answers no request 5xx', async () => {
    // Two tenants, one in each partition of customers, each with its keys, its webhook endpoint and a purpose.
    const names: string[] = [];
    for (let i = 0; names.length < 2; i++) {
      const name = `chaos-${String(i)}`;
      const partition = tenantPartition({ metadata: { tenantId: name } } as unknown as RecordedEvent, 2);
      if (!names.some((n) => tenantPartition({ metadata: { tenantId: n } } as unknown as RecordedEvent, 2) === partition)) names.push(name);
    }
    const tenants = await Promise.all(names.map((name) => setUpTenant(name)));
    const tally: Tally = { commands: 0, acknowledged: 0, cutByKill: 0, unexplained: [], serverErrors: [], clientErrors: [] };
    const acked = {
      customers: [] as string[],
      grants: new Map<string, number>(),
      decisions: [] as string[],
      requests: [] as string[],
      notices: [] as string[],
      codes: [] as string[],
    };
    const deadline = Date.now() + SECONDS * 1000;
    // The server's connections, sampled: six processes share it with the other suites of the run.
    let peakConnections = 0;
    sampler = setInterval(() => {
      void api.infra.dataSource
        .query<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'`)
        .then(([row]) => (peakConnections = Math.max(peakConnections, row?.n ?? 0)))
        .catch(() => undefined);
    }, 500);
    sampler.unref();

    /** One request to a live API process; null when a kill cut it (not acknowledged, maybe done). */
    async function send(random: () => number, method: string, path: string, body: unknown, key: string): Promise<{ status: number; body: unknown } | null> {
      for (;;) {
        const live = procs.filter((p) => p.role === 'api' && p.alive);
        const proc = live[Math.floor(random() * live.length)];
        if (isEnded()) return null;
        if (!proc) {
          if (Date.now() > deadline + 180_000) throw new Error('chaos: no API process came back within 180 s');
          await sleep(50);
          continue;
        }
        const kills = proc.kills;
        tally.commands += 1;
        try {
          const res = await fetch(`http://127.0.0.1:${String(proc.port)}${path}`, {
            method,
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          const text = await res.text();
          if (res.status >= 500) tally.serverErrors.push(`${proc.name} ${method} ${path} → ${String(res.status)} ${text.slice(0, 300)}`);
          else if (res.status >= 400) tally.clientErrors.push(`${proc.name} ${method} ${path} → ${String(res.status)} ${text.slice(0, 300)}`);
          else tally.acknowledged += 1;
          return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
        } catch (error) {
          if (error instanceof Error && error.name === 'TimeoutError')
            tally.unexplained.push(
              `${proc.name} ${method} ${path}: no answer in ${String(REQUEST_TIMEOUT_MS / 1000)} s; its log: ${proc.log.join('').slice(-2000)}`,
            );
          else if (proc.kills !== kills || !proc.alive) tally.cutByKill += 1;
          else
            tally.unexplained.push(
              `${proc.name} ${method} ${path}: ${error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause)}` : 'unknown'}`,
            );
          return null;
        }
      }
    }

    async function client(n: number): Promise<void> {
      const random = seededRandom(1000 + n);
      const tenant = tenants[n % tenants.length];
      if (!tenant) throw new Error('no tenant for this client');
      const { service, admin, handler } = tenant;
      const mine: string[] = [];
      while (!isEnded() && Date.now() < deadline) {
        const r = random();
        const customerId = mine[Math.floor(random() * mine.length)];
        if (r < 0.25 || !customerId) {
          const res = await send(
            random,
            'POST',
            '/v1/customers',
            { profile: { name: `Chaos ${String(n)}`, email: `chaos${String(n)}@example.org` }, tags: [] },
            service,
          );
          if (res?.status === 201) {
            const id = (res.body as { id: string }).id;
            mine.push(id);
            acked.customers.push(id);
          }
        } else if (r < 0.5) {
          const res = await send(
            random,
            'POST',
            `/v1/customers/${customerId}/consents`,
            {
              purposeKey: 'newsletter',
              channel: 'email',
              scope: 'general',
              evidence: { noticeVersion: 'n-1', method: 'checkbox', source: 'chaos', collector: 'system:chaos', collectedAt: new Date().toISOString() },
            },
            service,
          );
          if (res?.status === 201) acked.grants.set(customerId, (acked.grants.get(customerId) ?? 0) + 1);
        } else if (r < 0.85) {
          const res = await send(
            random,
            'POST',
            '/v1/decisions',
            { customerId, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] },
            service,
          );
          if (res?.status === 200) acked.decisions.push((res.body as { decisionId: string }).decisionId);
        } else if (r < 0.95) {
          const res = await send(
            random,
            'POST',
            '/v1/data-subject-requests',
            { customerId, type: 'access', channel: 'web', requester: { relation: 'self', contact: { email: `chaos${String(n)}@example.org` } } },
            service,
          );
          if (res?.status === 201) {
            const requestId = (res.body as { requestId: string }).requestId;
            acked.requests.push(requestId);
            // A one-time code to the requester: a message to a person, through the platform's gateway.
            const code = await send(random, 'POST', `/v1/data-subject-requests/${requestId}/verification-codes`, {}, handler);
            if (code?.status === 201) acked.codes.push(requestId);
          }
        } else {
          const res = await send(random, 'POST', '/v1/organization/webhook/test', {}, admin);
          if (res && res.status < 300) acked.notices.push((res.body as { id: string }).id);
        }
      }
    }

    let kills = 0;
    async function controller(): Promise<void> {
      const random = seededRandom(7);
      while (!isEnded() && Date.now() < deadline - KILL_EVERY_MS / 2) {
        await sleep(KILL_EVERY_MS);
        const live = procs.filter((p) => p.alive);
        const victim = live[Math.floor(random() * live.length)];
        if (!victim) continue;
        if (isEnded()) return;
        await kill(victim, 'SIGKILL');
        kills += 1;
        restarts.push(sleep(300).then(() => start(victim)));
      }
    }

    // Each phase has a budget (workload SECONDS + 120 s, restarts 160, catch-up 75, deliveries 75,
    // stops 30, rebuild 150: within the test's 900 s), so a phase that hangs fails with what is known.
    await within('the workload', (SECONDS + 120) * 1000, Promise.all([controller(), ...Array.from({ length: CLIENTS }, (_, n) => client(n))]));
    await within('restarting the killed processes', 160_000, Promise.all(restarts));
    clearInterval(sampler);
    expect(procs.every((p) => p.alive)).toBe(true);

    const infra = api.infra;
    const ds = infra.dataSource;
    // Every projection (every partition of customers) catches up with the log (the workers share them out by lease).
    // Each wait is bounded as a whole too: an attempt that hangs would never reach expectEventually's deadline.
    await within(
      'the catch-up of every projection',
      75_000,
      expectEventually(async () => {
        const stored = await checkpoints.list(ds.manager);
        for (const p of infra.projections) {
          const names = p.name === 'customers' ? [0, 1].map((index) => partitionName(p.name, { index, count: 2 })) : [p.name];
          for (const name of names)
            expect({ [name]: await infra.store.countAfter(stored.find((c) => c.name === name)?.position ?? undefined, p.filter, 1_000_000) }).toEqual({
              [name]: 0,
            });
        }
      }, 60_000),
    );
    // Every notice and code queued by an acknowledged request reaches its endpoint.
    await within(
      'the deliveries',
      75_000,
      expectEventually(() => {
        const received = new Set(receivers.flatMap((r) => r.messages).map((m) => m.id));
        expect(acked.notices.filter((id) => !received.has(id))).toEqual([]);
        const coded = new Set(gateway.messages.map((m) => m.payload.requestId));
        expect(acked.codes.filter((id) => !coded.has(id))).toEqual([]);
      }, 60_000),
    );
    await Promise.all(procs.map((p) => kill(p, 'SIGTERM')));
    expect(stuck).toEqual([]);

    // 1. Every acknowledged command's events are in the log.
    const inLog = async (sql: string, ids: readonly string[]): Promise<Set<string>> => new Set((await ds.query<{ id: string }[]>(sql, [ids])).map((r) => r.id));
    const created = await inLog(
      `SELECT data->>'customerId' AS id FROM event_store.events WHERE type LIKE 'CustomerCreated.%' AND data->>'customerId' = ANY($1)`,
      acked.customers,
    );
    const requested = await inLog(`SELECT DISTINCT data->>'requestId' AS id FROM event_store.events WHERE data->>'requestId' = ANY($1)`, acked.requests);
    const grants = new Map(
      (
        await ds.query<{ id: string; n: number }[]>(
          `SELECT data->>'customerId' AS id, count(*)::int AS n FROM event_store.events WHERE type LIKE 'ConsentGranted.%' AND data->>'customerId' = ANY($1) GROUP BY 1`,
          [[...acked.grants.keys()]],
        )
      ).map((r) => [r.id, r.n]),
    );
    const lost =
      acked.customers.filter((id) => !created.has(id)).length +
      acked.requests.filter((id) => !requested.has(id)).length +
      [...acked.grants].filter(([id, n]) => (grants.get(id) ?? 0) < n).length;

    // 2. The processing record verifies, and holds each acknowledged decision exactly once.
    const appLog = infra.recordLog.withApp(await infra.connectApp());
    const reports = await Promise.all(tenants.map((t) => verifyTenantLog(appLog, t.name, { verifiers: [parseSignerKey(signerKey).verifier] })));
    const [decisions] = await ds.query<{ n: number; distinct: number }[]>(
      `SELECT count(*)::int AS n, count(DISTINCT (tenant_id, source_id))::int AS distinct FROM processing.records WHERE source_id = ANY($1)`,
      [acked.decisions],
    );

    // 3. No notification went out twice under different ids (a redelivery keeps its id). A message
    // is known by its kind and payload; test notices are known by the id their request answered
    // (two asked for in the same millisecond by the same key have the same payload).
    const idsPerMessage = new Map<string, Set<string>>();
    for (const m of [...receivers.flatMap((r) => r.messages), ...gateway.messages]) {
      if (m.kind === 'webhook-test') continue;
      const identity = JSON.stringify({ kind: m.kind, tenant: m.tenantId, payload: m.payload });
      idsPerMessage.set(identity, (idsPerMessage.get(identity) ?? new Set()).add(m.id));
    }
    const doubledMessages = [...idsPerMessage].filter(([, ids]) => ids.size > 1).map(([identity, ids]) => `${identity}: ${[...ids].join(', ')}`);
    const testNotices = new Set(
      receivers
        .flatMap((r) => r.messages)
        .filter((m) => m.kind === 'webhook-test')
        .map((m) => m.id),
    );
    // Every delivered test notice is one a request queued: acknowledged, or cut by a kill after it committed.
    const strayTestNotices = [...testNotices].filter((id) => !acked.notices.includes(id)).length;
    const doubledNotifications = doubledMessages.length + Math.max(0, strayTestNotices - tally.cutByKill);

    // 4. Every read model equals a fresh rebuild in this one process, row for row.
    const before = await readModelHashes(infra);
    const logger = createLogger({ level: 'silent' });
    await within(
      'the rebuild of every read model',
      150_000,
      (async () => {
        for (const projection of infra.projections.filter((p) => !NOT_REBUILT.has(p.name)))
          await rebuildProjection({ dataSource: ds, store: infra.store, projection, logger });
      })(),
    );
    const after = await readModelHashes(infra);
    const differing = Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);

    const figures = {
      seconds: SECONDS,
      processes: procs.length,
      commands: tally.commands,
      acknowledged: tally.acknowledged,
      customers: acked.customers.length,
      consentGrants: [...acked.grants.values()].reduce((a, b) => a + b, 0),
      decisions: acked.decisions.length,
      requests: acked.requests.length,
      notices: acked.notices.length,
      codes: acked.codes.length,
      kills,
      restarts: procs.reduce((a, p) => a + p.starts, 0) - procs.length,
      cutByKill: tally.cutByKill,
      peakConnections,
      lost,
      doubled: (decisions?.n ?? 0) - (decisions?.distinct ?? 0) + doubledNotifications,
      deliveries: receivers.reduce((n, r) => n + r.messages.length, 0) + gateway.messages.length,
      readModelTables: Object.keys(after).length,
      readModelsDiffering: differing,
      recordEntries: reports.reduce((n, r) => n + r.size, 0),
    };
    process.stdout.write(`chaos: ${JSON.stringify(figures)}\n`);
    expect(tally.serverErrors).toEqual([]);
    expect(tally.unexplained).toEqual([]);
    expect(tally.clientErrors).toEqual([]);
    expect(lost).toBe(0);
    expect(doubledMessages).toEqual([]);
    expect(figures.doubled).toBe(0);
    expect(decisions?.n).toBe(acked.decisions.length);
    for (const report of reports)
      expect({ tenant: report.tenantId, ok: report.ok, problems: report.problems, pending: report.pending }).toEqual({
        tenant: report.tenantId,
        ok: true,
        problems: [],
        pending: 0,
      });
    expect(differing).toEqual([]);
    // Not vacuous: the workload ran, processes died under it, and the read models hold it.
    expect(kills).toBeGreaterThanOrEqual(Math.floor(SECONDS / (KILL_EVERY_MS / 1000)) - 2);
    expect(acked.customers.length).toBeGreaterThan(20);
    expect(acked.decisions.length).toBeGreaterThan(20);
    expect(Object.keys(after).length).toBeGreaterThan(5);
  }, 900_000);
});

/**
 * A hash per table that projections write (the snapshot of the delivered-twice check), over
 * all its rows; sealed values stand as their key id, since each seal has a fresh IV.
 */
async function readModelHashes(infra: Infrastructure): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const [table, rows] of Object.entries(await snapshot(infra))) {
    const lines = rows.map((row) => stable(JSON.parse(row))).sort();
    hashes[table] = `${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}:${String(rows.length)}`;
  }
  return hashes;
}

function stable(value: unknown): string {
  if (isEncryptedField(value)) return JSON.stringify({ sealed: value.kid });
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
