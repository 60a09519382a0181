/**
 * npm run bench:decisions — processing decisions (P3) through the real HTTP
 * API on a real PostgreSQL, in one process: an open-loop load of single
 * decisions at a fixed rate (p50/p99 latency, achieved throughput), bulk
 * decisions of 10,000 recipients, and as the baseline a raw read of the
 * consent read model at the same rate on the same server, with this process's CPU per read
 * (`rawReadCpuMs`: one database round trip; `floorPlusReadToFloorCpu`: the floor route's CPU plus
 * that, over the floor's). JSON on the last line.
 *
 *   BENCH_RATE (default 1000/s)  BENCH_SECONDS (default 10)  BENCH_SUBJECTS (default 10000)
 *   BENCH_WITHDRAWALS (default 200; at most 1,800, fewer under 3,000 subjects): withdrawal-to-deny samples
 *   BENCH_DIAGNOSE=1: also how many cores the server process, PostgreSQL, the load client
 *   and the rest (kernel threads included) used while single decisions ran (Linux: /proc),
 *   and what PostgreSQL's busy backends were doing (sampled from pg_stat_activity every
 *   5 ms: wait event or CPU, and the statement), and the statements that took PostgreSQL
 *   the most time, planning and execution apart (pg_stat_statements, which the embedded
 *   server then loads; on BENCH_DATABASE_URL only where the server has it).
 *   It also reports the server's event-loop utilization and its GC pauses while single
 *   decisions ran, and the floor of this machine: `GET /health/live` (no database) at the
 *   same rate, and single decisions at 50/s (latency that load does not explain).
 *   BENCH_PROFILE=file.cpuprofile: a CPU profile of the server process while single decisions run.
 *   BENCH_PROFILE_BULK=file.cpuprofile: the same while the three bulk calls run.
 *
 * Decisions answer from memory (ADR 0016). In the same run, in alternating rounds
 * (BENCH_ROUNDS, default 3): the floor (`GET /v1/me`, authenticated, no database) and single
 * decisions with the default consistency, at the same rate, with the server's CPU per request;
 * then single decisions with `consistency: "full"` (the database path), single decisions
 * carrying `atLeastAsFresh` tokens from a concurrent stream of consent changes (50/s on the
 * same subjects), bulk decisions of 10,000, and withdrawal-to-deny across two API processes:
 * a withdrawal through this process, then a decision with its token in a second API process
 * (apps/api/src/testing/api-process.ts on the same database), timed from the withdrawal's answer.
 */
import { generateSignerKey } from '@attest/transparency';
import 'reflect-metadata';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import http from 'node:http';
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import pg from 'pg';
import { ChangeConsentCommand, RunPurposeCommand } from '@attest/consent-application';
import { RunCustomerCommand } from '@attest/customers-application';
import { loadConfig } from '@attest/config';
import { uuidv7 } from '@attest/kernel';
import { createLogger, createMetricsRegistry } from '@attest/observability';
import { issueApiKeyFromConsole, startInfrastructure } from '@attest/runtime';
import { createApp } from '../../apps/api/src/app';
import { infrastructureDependencies } from '../../apps/api/src/infrastructure-dependencies';
import type { LoadResult } from './load-client';
import { benchDatabase, coresBetween, cpuSnapshot, percentile, report, runBench, startProfile } from './support';
import { NEWSLETTER_PURPOSE } from '../../apps/api/src/testing/newsletter-purpose';

/** The purpose every decision asks about, as the multi-process tests define it (its key apart). */
const { purposeKey: _key, ...newsletterTerms } = NEWSLETTER_PURPOSE;
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/**
 * Withdrawal-to-deny samples across two processes: at most the subjects 1,000–2,999 that have a
 * consent to withdraw (1,800 at 3,000 subjects or more; the first 1,000 take the token stream's changes).
 */
const WITHDRAWALS = Number(process.env['BENCH_WITHDRAWALS'] ?? 200);
const TOKEN = '__TOKEN__';
const TENANT = 'bench';

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

function post(agent: http.Agent, port: number, path: string, key: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${key}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Open loop: one operation every 1/rate seconds whatever the latency; latencies in ms. */
async function openLoop(rate: number, seconds: number, op: (i: number) => Promise<void>): Promise<{ latencies: number[]; perSec: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.floor(rate * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      op(i).then(
        () => {
          latencies.push(performance.now() - t0);
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  return { latencies: latencies.sort((a, b) => a - b), perSec: latencies.length / elapsed, errors };
}

/** Runs the open loop in a child process (its own event loop and core). */
function remoteLoad(job: {
  port: number;
  key: string;
  rate: number;
  seconds: number;
  path: string;
  method?: 'GET' | 'POST';
  bodies: string[];
  warmupSeconds?: number;
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'load-client.ts'), [], { execArgv: ['-r', '@swc-node/register'] });
    child.once('message', (m) => {
      resolve(m as LoadResult);
    });
    child.once('error', reject);
    child.send(job);
  });
}

/** A load whose bodies carry the latest token the caller sends while it runs. */
function remoteLoadWithTokens(job: Parameters<typeof remoteLoad>[0] & { readonly token: string }): {
  readonly done: Promise<LoadResult>;
  token(token: string): void;
} {
  const child = fork(join(__dirname, 'load-client.ts'), [], { execArgv: ['-r', '@swc-node/register'] });
  const done = new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (m) => {
      resolve(m as LoadResult);
    });
    child.once('error', reject);
  });
  child.send({ ...job, tokenPlaceholder: TOKEN });
  return {
    done,
    token: (token) => {
      if (child.connected) child.send({ token });
    },
  };
}

/** The second API process (no workers) on the bench's database; resolves with its port. */
async function secondApi(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, '..', '..', 'apps', 'api', 'src', 'testing', 'api-process.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => {
      reject(new Error(`the second API process exited (${String(code)})`));
    });
  });
  return { child, port: Number(new URL((JSON.parse(line) as { url: string }).url).port) };
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const spread = (xs: readonly number[]): [number, number] => [round(Math.min(...xs)), round(Math.max(...xs))];

/** Samples what PostgreSQL's active client backends are doing until stopped; shares of samples, largest first. */
function sampleBackends(url: string): { stop(): Promise<[string, number][]> } {
  const client = new pg.Client({ connectionString: url });
  const counts = new Map<string, number>();
  const state = { running: true, samples: 0 };
  const loop = (async () => {
    await client.connect();
    while (state.running) {
      const { rows } = await client.query<{ what: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 48) AS what
         FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      state.samples += 1;
      for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await client.end();
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
      return [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([what, n]) => [what, round(n / Math.max(state.samples, 1), 3)]);
    },
  };
}

/** Statement statistics (pg_stat_statements) from a reset until read; null where the server has not loaded the extension. */
async function statementStats(url: string): Promise<{ read(): Promise<StatementStat[]> } | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
  } catch {
    await client.end();
    return null;
  }
  return {
    read: async () => {
      try {
        const { rows } = await client.query<{ calls: string; plans: string; plan_ms: number; exec_ms: number; what: string }>(
          `SELECT calls::text, plans::text, total_plan_time AS plan_ms, total_exec_time AS exec_ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 48) AS what
           FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           ORDER BY total_plan_time + total_exec_time DESC LIMIT 8`,
        );
        return rows.map((r) => ({
          statement: r.what,
          calls: Number(r.calls),
          plans: Number(r.plans),
          planMs: round(r.plan_ms, 0),
          execMs: round(r.exec_ms, 0),
        }));
      } finally {
        await client.end();
      }
    },
  };
}

/** GC pauses of this process (the server) from now until stopped, by kind. */
function watchGc(): { stop(): GcPauses } {
  const pauses: { kind: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[])
      pauses.push({ kind: entry.detail?.kind ?? 0, ms: entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      observer.disconnect();
      // perf_hooks.constants: NODE_PERFORMANCE_GC_MINOR = 1, _MAJOR = 4; incremental marking and weak callbacks are left out.
      const of = (kind: number): number[] => pauses.filter((p) => p.kind === kind).map((p) => p.ms);
      const minor = of(1);
      const major = of(4);
      const sum = (xs: number[]): number =>
        round(
          xs.reduce((a, b) => a + b, 0),
          0,
        );
      return {
        scavenges: minor.length,
        scavengeMs: sum(minor),
        longestScavengeMs: round(Math.max(0, ...minor), 1),
        markCompacts: major.length,
        markCompactMs: sum(major),
      };
    },
  };
}

interface GcPauses {
  readonly scavenges: number;
  readonly scavengeMs: number;
  readonly longestScavengeMs: number;
  readonly markCompacts: number;
  readonly markCompactMs: number;
}

/** Server CPU (this process) per request while `work` runs, in ms. */
async function cpuPerRequest<T extends { latencies: number[] }>(work: () => Promise<T>): Promise<T & { serverCpuMsPerRequest: number }> {
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  return { ...result, serverCpuMsPerRequest: round((used.user + used.system) / 1000 / Math.max(result.latencies.length, 1), 3) };
}

interface StatementStat {
  readonly statement: string;
  readonly calls: number;
  readonly plans: number;
  /** Total over the measured part, all calls. */
  readonly planMs: number;
  readonly execMs: number;
}

async function main(): Promise<void> {
  const diagnose = process.env['BENCH_DIAGNOSE'] === '1';
  if (!Number.isSafeInteger(WITHDRAWALS) || WITHDRAWALS < 1) throw new Error('BENCH_WITHDRAWALS must be a whole number from 1');
  const db = await benchDatabase({ statementStats: diagnose });
  const logger = createLogger({ level: 'silent' });
  try {
    const url = db.url;
    const env = {
      DATABASE_URL: url,
      ATTEST_MASTER_KEY: randomBytes(32).toString('base64'),
      ATTEST_RECORD_SIGNER_KEY: generateSignerKey('attest.bench/processing-record'),
      LOG_LEVEL: 'silent',
    };
    const infra = await startInfrastructure(loadConfig(env), logger);
    try {
      await infra.migrate();
      const appDataSource = await infra.connectApp();
      const app = await createApp({
        ...infrastructureDependencies(infra, appDataSource),
        registry: createMetricsRegistry({ defaultMetrics: false }),
        runners: [],
        logger,
        oidc: null,
        rateLimitPerMinute: 10_000_000,
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = Number(new URL(await app.getUrl()).port);
      const key = (await issueApiKeyFromConsole(infra, TENANT, ['org-admin', 'service'], 'bench', 1)).key;

      // Seed: one purpose, SUBJECTS customers, a consent for nine in ten — through the same command handlers.
      const bus = app.get(CommandBus);
      const context = (): { tenantId: string; actor: string; correlationId: string; commandId: string } => ({
        tenantId: TENANT,
        actor: 'system:bench',
        correlationId: uuidv7(),
        commandId: uuidv7(),
      });
      await bus.execute(
        new RunPurposeCommand(context(), {
          kind: 'DefinePurpose',
          purposeKey: NEWSLETTER_PURPOSE.purposeKey,
          terms: { ...newsletterTerms, dataCategories: [...newsletterTerms.dataCategories], channels: [...newsletterTerms.channels] },
        }),
      );
      const ids = Array.from({ length: SUBJECTS }, () => uuidv7());
      const seedStarted = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let i = next++; i < SUBJECTS; i = next++) {
            const customerId = ids[i] ?? '';
            await bus.execute(
              new RunCustomerCommand(context(), {
                kind: 'CreateCustomer',
                customerId,
                profile: { name: `Customer ${String(i)}`, email: `c${String(i)}@example.com` },
                tags: [],
              }),
            );
            if (i % 10 !== 0) {
              await bus.execute(
                new ChangeConsentCommand(context(), customerId, {
                  action: 'grant',
                  purposeKey: 'newsletter',
                  channel: 'email',
                  scope: 'general',
                  thirdParty: null,
                  crossBorder: null,
                  guardian: null,
                  evidence: { noticeVersion: 'n-1', method: 'checkbox', source: 'bench', collector: 'system:bench', collectedAt: new Date().toISOString() },
                }),
              );
            }
          }
        }),
      );
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
      const bodies = ids.map((customerId) => JSON.stringify({ customerId, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] }));
      const job = { port, key, rate: RATE, path: '/v1/decisions', bodies };
      await remoteLoad({ ...job, seconds: 3 }); // warm-up (JIT, pools; a processing record that is not empty)
      // Steady state before measuring: statistics fresh, dirty pages written (no checkpoint or autovacuum mid-run).
      await infra.dataSource.query('VACUUM ANALYZE');
      await infra.dataSource.query('CHECKPOINT');

      // Baseline: the raw read a decision cannot do without, at the same rate, on the same server.
      const raw = new pg.Pool({ connectionString: url, max: 10 });
      const rawRead = async (i: number): Promise<void> => {
        await raw.query(`SELECT status, purpose_version FROM consent.consents_v1 WHERE customer_id = $1 AND purpose_key = $2`, [
          ids[i % SUBJECTS],
          'newsletter',
        ]);
      };
      await openLoop(RATE, 1, rawRead);
      // Its CPU in this process is what one database round trip of a decision's own costs here, at the least.
      const baseline = await cpuPerRequest(() => openLoop(RATE, SECONDS, rawRead));
      await raw.end();

      // Alternating rounds: the floor (an authenticated route that reads no database), then single decisions
      // with the default consistency, at the same rate; the server's CPU per request of each.
      type Run = LoadResult & { serverCpuMsPerRequest: number };
      const floorRuns: Run[] = [];
      const singleRuns: Run[] = [];
      let diagnostics: {
        cores: { server: number; postgres: number; loadClient: number; other: number } | null;
        gcPauses: GcPauses | null;
        busy: [string, number][] | null;
        statementTimes: StatementStat[] | null;
        loop: number;
      } | null = null;
      for (let r = 0; r < ROUNDS; r++) {
        floorRuns.push(await cpuPerRequest(() => remoteLoad({ ...job, method: 'GET', path: '/v1/me', seconds: SECONDS, warmupSeconds: 1 })));
        const first = r === 0;
        const cpuBefore = diagnose && first ? cpuSnapshot() : null;
        const sampler = diagnose && first ? sampleBackends(url) : null;
        const statements = diagnose && first ? await statementStats(url) : null;
        const profiler = process.env['BENCH_PROFILE'] && first ? await startProfile() : null;
        const gc = diagnose && first ? watchGc() : null;
        const loopBefore = performance.eventLoopUtilization();
        const singleStarted = performance.now();
        const run = await cpuPerRequest(() => remoteLoad({ ...job, seconds: SECONDS, warmupSeconds: 1 }));
        singleRuns.push(run);
        if (!first) continue;
        const singleSeconds = (performance.now() - singleStarted) / 1000;
        const utilization = round(performance.eventLoopUtilization(loopBefore).utilization, 3);
        const pauses = gc?.stop() ?? null;
        if (profiler) await profiler.stop(process.env['BENCH_PROFILE'] ?? '');
        const sampled = (await sampler?.stop()) ?? null;
        const times = (await statements?.read()) ?? null;
        const used = coresBetween(cpuBefore, diagnose ? cpuSnapshot() : null, singleSeconds);
        // The load client has exited by now: it reports its own CPU (measured part only).
        const usedCores = used ? { server: used.self, postgres: used.postgres, loadClient: round(run.cpuSeconds / SECONDS), other: used.other } : null;
        diagnostics = { cores: usedCores, gcPauses: pauses, busy: sampled, statementTimes: times, loop: utilization };
      }
      const loop = diagnostics?.loop ?? Number.NaN;
      const gcPauses = diagnostics?.gcPauses ?? null;
      const busy = diagnostics?.busy ?? null;
      const statementTimes = diagnostics?.statementTimes ?? null;
      const cores = diagnostics?.cores ?? null;
      const p99 = (r: LoadResult): number => percentile(r.latencies, 99);
      const pairs = singleRuns.map((one, i) => ({ single: one, floor: floorRuns[i] ?? one }));

      // The database path: `consistency: "full"`, same rate.
      const fullBodies = ids.map((customerId) =>
        JSON.stringify({ customerId, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'], consistency: 'full' }),
      );
      const full = await cpuPerRequest(() => remoteLoad({ ...job, bodies: fullBodies, seconds: SECONDS, warmupSeconds: 1 }));

      // Tokens: decisions on 1,000 subjects carrying the latest token of a concurrent stream of consent changes (50/s) on them.
      const changed = ids.slice(0, 1000);
      const granted = changed.map((_, i) => i % 10 !== 0);
      const evidence = (): { noticeVersion: string; method: string; source: string; collector: string; collectedAt: string } => ({
        noticeVersion: 'n-1',
        method: 'checkbox',
        source: 'bench',
        collector: 'system:bench',
        collectedAt: new Date().toISOString(),
      });
      let changes = 0;
      const change = async (): Promise<string> => {
        const i = changes++ % changed.length;
        const customerId = changed[i] ?? '';
        const receipt = await bus.execute(
          new ChangeConsentCommand(
            context(),
            customerId,
            granted[i]
              ? {
                  action: 'withdraw',
                  purposeKey: 'newsletter',
                  channel: 'email',
                  scope: 'general',
                  thirdParty: null,
                  country: null,
                  method: 'bench',
                  source: 'bench',
                }
              : {
                  action: 'grant',
                  purposeKey: 'newsletter',
                  channel: 'email',
                  scope: 'general',
                  thirdParty: null,
                  crossBorder: null,
                  guardian: null,
                  evidence: evidence(),
                },
          ),
        );
        granted[i] = !granted[i];
        if (!receipt.consistencyToken) throw new Error('a consent change answered no consistency token');
        return receipt.consistencyToken;
      };
      const tokenBodies = changed.map((customerId) =>
        JSON.stringify({ customerId, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'], atLeastAsFresh: TOKEN }),
      );
      const tokenLoad = remoteLoadWithTokens({ ...job, bodies: tokenBodies, seconds: SECONDS, warmupSeconds: 1, token: await change() });
      const stream = { running: true };
      const streaming = (async () => {
        const started = performance.now();
        while (stream.running) {
          tokenLoad.token(await change());
          const due = started + (changes * 1000) / 50;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
        }
      })();
      const withTokens = await tokenLoad.done;
      stream.running = false;
      await streaming;

      // The floor: the same server and load without the database, and decisions where load explains nothing.
      const floor = diagnose
        ? await (async () => {
            const live = await cpuPerRequest(() => remoteLoad({ ...job, method: 'GET', path: '/health/live', seconds: SECONDS, warmupSeconds: 1 }));
            const slow = await cpuPerRequest(() => remoteLoad({ ...job, rate: 50, seconds: 5, warmupSeconds: 1 }));
            const at = (
              r: LoadResult & { serverCpuMsPerRequest: number },
            ): { p50Ms: number; p99Ms: number; serverCpuMsPerRequest: number; errors: number } => ({
              p50Ms: round(percentile(r.latencies, 50)),
              p99Ms: round(percentile(r.latencies, 99)),
              serverCpuMsPerRequest: r.serverCpuMsPerRequest,
              errors: r.errors,
            });
            return { healthLiveAtRate: at(live), decisionsAt50PerSec: at(slow) };
          })()
        : null;

      const bulkTimes: number[] = [];
      let bulkAllowed = 0;
      const bulkProfiler = process.env['BENCH_PROFILE_BULK'] ? await startProfile() : null;
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now();
        const res = await post(agent, port, '/v1/decisions/bulk', key, {
          customerIds: ids.slice(0, 10_000),
          purpose: 'newsletter',
          channel: 'email',
          dataCategories: ['contact'],
        });
        bulkTimes.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`bulk status ${String(res.status)}`);
        bulkAllowed = (JSON.parse(res.text) as { allowed: number }).allowed;
      }
      if (bulkProfiler) await bulkProfiler.stop(process.env['BENCH_PROFILE_BULK'] ?? '');
      // The same calls, each once the previous call's 10,000 records are merged into the processing record
      // (back to back, that merge runs on this process's event loop during the next call).
      const isolatedTimes: number[] = [];
      for (let r = 0; r < 3; r++) {
        for (let waited = 0; waited < 30_000; waited += 50) {
          const [pending] = await infra.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM processing.pending');
          if ((pending?.n ?? 0) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        const t0 = performance.now();
        const res = await post(agent, port, '/v1/decisions/bulk', key, {
          customerIds: ids.slice(0, 10_000),
          purpose: 'newsletter',
          channel: 'email',
          dataCategories: ['contact'],
        });
        isolatedTimes.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`bulk status ${String(res.status)}`);
      }
      isolatedTimes.sort((a, b) => a - b);
      // Withdrawal to deny across two API processes: a withdrawal through this one, then a decision with its token in the other.
      const second = await secondApi({ ...env, RATE_LIMIT_PER_MINUTE: '1000000' });
      const propagation: number[] = [];
      let propagationErrors = 0;
      let secondCaughtUpMs = Number.NaN;
      try {
        const secondAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
        const subjects = ids
          .slice(1000, 3000)
          .filter((_, i) => (1000 + i) % 10 !== 0)
          .slice(0, WITHDRAWALS);
        if (subjects.length === 0) throw new Error('no subject to withdraw a consent from: BENCH_SUBJECTS must be over 1,000');
        const ask = (customerId: string, extra: object = {}): Promise<{ status: number; text: string }> =>
          post(secondAgent, second.port, '/v1/decisions', key, { customerId, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'], ...extra });
        // A process that starts follows the log from the consent read model's checkpoint (this bench runs no projection
        // worker, so from the start of the log) and answers from memory once caught up: `asOf` is null until then.
        const startedAt = performance.now();
        for (let following = false; !following;) {
          if (performance.now() - startedAt > 120_000) throw new Error('the second process did not catch up within 2 minutes');
          const answer = await ask(subjects[0] ?? '');
          following = answer.status === 200 && (JSON.parse(answer.text) as { asOf: string | null }).asOf !== null;
          if (!following) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        secondCaughtUpMs = performance.now() - startedAt;
        for (const customerId of subjects) await ask(customerId); // in the second process's memory now
        for (const customerId of subjects) {
          const withdrawn = await post(agent, port, `/v1/customers/${customerId}/consents/withdraw`, key, {
            purposeKey: 'newsletter',
            channel: 'email',
            scope: 'general',
            method: 'bench',
            source: 'bench',
          });
          const t0 = performance.now();
          const token = (JSON.parse(withdrawn.text) as { consistencyToken?: string }).consistencyToken;
          const answer = await ask(customerId, { atLeastAsFresh: token });
          propagation.push(performance.now() - t0);
          if (answer.status !== 200 || (JSON.parse(answer.text) as { allow: boolean }).allow) propagationErrors += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        secondAgent.destroy();
      } finally {
        const exited = new Promise((resolve) => second.child.once('exit', resolve));
        second.child.kill('SIGTERM');
        await exited;
      }
      propagation.sort((a, b) => a - b);
      agent.destroy();
      await app.close();

      bulkTimes.sort((a, b) => a - b);
      const p99Ms = round(median(singleRuns.map(p99)));
      const floorP99Ms = round(median(floorRuns.map(p99)));
      const p99ToFloorP99 = round(median(pairs.map((x) => p99(x.single) / p99(x.floor))));
      const serverCpuMsPerDecision = round(median(singleRuns.map((r) => r.serverCpuMsPerRequest)), 3);
      const floorCpuMsPerRequest = round(median(floorRuns.map((r) => r.serverCpuMsPerRequest)), 3);
      const cpuToFloorCpu = round(median(pairs.map((x) => x.single.serverCpuMsPerRequest / x.floor.serverCpuMsPerRequest)));
      const bulk10kMs = round(bulkTimes[1] ?? Number.NaN, 0);
      const withdrawalPropagationP99Ms = round(percentile(propagation, 99));
      const result = {
        targetRate: RATE,
        seconds: SECONDS,
        subjects: SUBJECTS,
        rounds: ROUNDS,
        seedSeconds: round(seedSeconds, 1),
        decisionsPerSec: round(median(singleRuns.map((r) => r.perSec)), 0),
        p50Ms: round(median(singleRuns.map((r) => percentile(r.latencies, 50)))),
        p90Ms: round(median(singleRuns.map((r) => percentile(r.latencies, 90)))),
        p95Ms: round(median(singleRuns.map((r) => percentile(r.latencies, 95)))),
        p99Ms,
        p99MsSpread: spread(singleRuns.map(p99)),
        maxMs: round(Math.max(...singleRuns.map((r) => r.latencies[r.latencies.length - 1] ?? Number.NaN))),
        errors: singleRuns.reduce((n, r) => n + r.errors, 0),
        floorP50Ms: round(median(floorRuns.map((r) => percentile(r.latencies, 50)))),
        floorP99Ms,
        floorP99MsSpread: spread(floorRuns.map(p99)),
        p99ToFloorP99,
        serverCpuMsPerDecision,
        floorCpuMsPerRequest,
        cpuToFloorCpu,
        fullP50Ms: round(percentile(full.latencies, 50)),
        fullP99Ms: round(p99(full)),
        fullCpuMsPerDecision: full.serverCpuMsPerRequest,
        fullErrors: full.errors,
        tokenP50Ms: round(percentile(withTokens.latencies, 50)),
        tokenP99Ms: round(p99(withTokens)),
        tokenErrors: withTokens.errors,
        consentChangesDuringTokens: changes,
        withdrawalPropagationP50Ms: round(percentile(propagation, 50)),
        withdrawalPropagationP99Ms,
        withdrawalPropagationSamples: propagation.length,
        secondProcessCaughtUpMs: round(secondCaughtUpMs, 0),
        withdrawalPropagationNotDenied: propagationErrors,
        bulk10kMs,
        bulk10kIsolatedMs: round(isolatedTimes[1] ?? Number.NaN, 0),

        bulkAllowed,
        rawReadPerSec: round(baseline.perSec, 0),
        rawReadP50Ms: round(percentile(baseline.latencies, 50)),
        rawReadP99Ms: round(percentile(baseline.latencies, 99)),
        rawReadCpuMs: baseline.serverCpuMsPerRequest,
        floorPlusReadToFloorCpu: round((floorCpuMsPerRequest + baseline.serverCpuMsPerRequest) / floorCpuMsPerRequest),
        targets: {
          p99ToFloorP99AtMost: 3,
          p99MsBelow: 10,
          atDecisionsPerSec: 1000,
          bulk10kMsBelow: 300,
          withdrawalPropagationP99MsBelow: 50,
          cpuToFloorCpuAtMost: 1.5,
        },
        met: {
          p99: p99ToFloorP99 <= 3 && p99Ms < 10,
          bulk10k: bulk10kMs < 300,
          withdrawalPropagation: withdrawalPropagationP99Ms < 50 && propagationErrors === 0,
          cpu: cpuToFloorCpu <= 1.5,
        },
        serverEventLoopUtilization: loop,

        ...(diagnose ? { diagnosis: { coresWhileSingle: cores, gcWhileSingle: gcPauses, floor, busyBackends: busy, statements: statementTimes } } : {}),
      };
      report(
        ['measure', 'value'],
        [
          ['single decisions/s', `${String(result.decisionsPerSec)} (target rate ${String(RATE)})`],
          [
            `single p50 / p99 ms (median of ${String(ROUNDS)}; p99 spread)`,
            `${String(result.p50Ms)} / ${String(result.p99Ms)} (${result.p99MsSpread.join('–')})`,
          ],
          ['floor GET /v1/me p50 / p99 ms (p99 spread)', `${String(result.floorP50Ms)} / ${String(result.floorP99Ms)} (${result.floorP99MsSpread.join('–')})`],
          ['p99 / floor p99 (median of per-round ratios; target ≤ 3)', String(p99ToFloorP99)],
          [
            'server CPU ms per decision / per floor request (ratio; target ≤ 1.5)',
            `${String(serverCpuMsPerDecision)} / ${String(floorCpuMsPerRequest)} (${String(cpuToFloorCpu)})`,
          ],
          ['full: p50 / p99 ms, CPU ms each', `${String(result.fullP50Ms)} / ${String(result.fullP99Ms)}, ${String(result.fullCpuMsPerDecision)}`],
          [
            `atLeastAsFresh under ${String(changes)} consent changes: p50 / p99 ms, errors`,
            `${String(result.tokenP50Ms)} / ${String(result.tokenP99Ms)}, ${String(result.tokenErrors)}`,
          ],
          [
            'withdrawal → deny in a second process p50 / p99 ms (target < 50), not denied',
            `${String(result.withdrawalPropagationP50Ms)} / ${String(withdrawalPropagationP99Ms)}, ${String(propagationErrors)}`,
          ],
          ['bulk 10,000 ms (median of 3; target < 300)', String(result.bulk10kMs)],
          ['bulk 10,000 ms, each after the previous one’s records were merged (median of 3)', String(result.bulk10kIsolatedMs)],

          ['raw read p50 / p99 ms', `${String(result.rawReadP50Ms)} / ${String(result.rawReadP99Ms)}`],
          [
            'raw read CPU ms each (one round trip); floor + one round trip / floor',
            `${String(result.rawReadCpuMs)}; ${String(result.floorPlusReadToFloorCpu)}`,
          ],
          ['server event-loop utilization (single)', String(loop)],
          ...(gcPauses
            ? [
                [
                  'GC: scavenges (ms, longest) / mark-compacts (ms)',
                  `${String(gcPauses.scavenges)} (${String(gcPauses.scavengeMs)}, ${String(gcPauses.longestScavengeMs)}) / ${String(gcPauses.markCompacts)} (${String(gcPauses.markCompactMs)})`,
                ],
              ]
            : []),
          ...(floor
            ? [
                [
                  'floor: GET /health/live p50 / p99 ms, server CPU ms each',
                  `${String(floor.healthLiveAtRate.p50Ms)} / ${String(floor.healthLiveAtRate.p99Ms)}, ${String(floor.healthLiveAtRate.serverCpuMsPerRequest)}`,
                ],
                [
                  'floor: decisions at 50/s p50 / p99 ms, server CPU ms each',
                  `${String(floor.decisionsAt50PerSec.p50Ms)} / ${String(floor.decisionsAt50PerSec.p99Ms)}, ${String(floor.decisionsAt50PerSec.serverCpuMsPerRequest)}`,
                ],
              ]
            : []),
          ...(cores
            ? [
                [
                  'cores: server / postgres / load client / other',
                  `${String(cores.server)} / ${String(cores.postgres)} / ${String(cores.loadClient)} / ${String(cores.other)}`,
                ],
              ]
            : []),
          ...(busy ?? []).map(([what, share]) => [`  busy ${what}`, String(share)]),
          ...(statementTimes ?? []).map((t) => [
            `  ${t.statement}`,
            `${String(t.calls)} calls, ${String(t.plans)} plans, plan ${String(t.planMs)} / exec ${String(t.execMs)} ms`,
          ]),
        ],
        result,
      );
    } finally {
      await infra.stop();
    }
  } finally {
    await db.stop();
  }
}

runBench(main);
