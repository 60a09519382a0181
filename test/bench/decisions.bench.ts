/**
 * npm run bench:decisions — processing decisions (P3) through the real HTTP
 * API on a real PostgreSQL, in one process: an open-loop load of single
 * decisions at a fixed rate (p50/p99 latency, achieved throughput), bulk
 * decisions of 10,000 recipients, and as the baseline a raw read of the
 * consent read model at the same rate on the same server. JSON on the last line.
 *
 *   BENCH_RATE (default 1000/s)  BENCH_SECONDS (default 10)  BENCH_SUBJECTS (default 10000)
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
 */
import { generateSignerKey } from '@attest/transparency';
import 'reflect-metadata';
import { fork } from 'node:child_process';
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

const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 10_000);
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
  const db = await benchDatabase({ statementStats: diagnose });
  const logger = createLogger({ level: 'silent' });
  try {
    const url = db.url;
    const infra = await startInfrastructure(
      loadConfig({
        DATABASE_URL: url,
        ATTEST_MASTER_KEY: randomBytes(32).toString('base64'),
        ATTEST_RECORD_SIGNER_KEY: generateSignerKey('attest.bench/processing-record'),
        LOG_LEVEL: 'silent',
      }),
      logger,
    );
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
          purposeKey: 'newsletter',
          terms: {
            name: 'Newsletter',
            description: 'news',
            legalBasis: 'consent',
            method: 'bulk-email',
            dataCategories: ['contact'],
            channels: ['email'],
            retentionDays: 365,
            noticeVersion: 'n-1',
          },
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
      const baseline = await openLoop(RATE, SECONDS, rawRead);
      await raw.end();

      const cpuBefore = diagnose ? cpuSnapshot() : null;
      const sampler = diagnose ? sampleBackends(url) : null;
      const statements = diagnose ? await statementStats(url) : null;
      const profiler = process.env['BENCH_PROFILE'] ? await startProfile() : null;
      const gc = diagnose ? watchGc() : null;
      const loopBefore = performance.eventLoopUtilization();
      const singleStarted = performance.now();
      const single = await remoteLoad({ ...job, seconds: SECONDS, warmupSeconds: 2 });
      const singleSeconds = (performance.now() - singleStarted) / 1000;
      const loop = round(performance.eventLoopUtilization(loopBefore).utilization, 3);
      const gcPauses = gc?.stop() ?? null;
      if (profiler) await profiler.stop(process.env['BENCH_PROFILE'] ?? '');
      const busy = (await sampler?.stop()) ?? null;
      const statementTimes = (await statements?.read()) ?? null;
      const cpuAfter = diagnose ? cpuSnapshot() : null;
      const used = coresBetween(cpuBefore, cpuAfter, singleSeconds);
      // The load client has exited by now: it reports its own CPU (measured part only).
      const cores = used ? { server: used.self, postgres: used.postgres, loadClient: round(single.cpuSeconds / SECONDS), other: used.other } : null;

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
      agent.destroy();
      await app.close();
      bulkTimes.sort((a, b) => a - b);
      const result = {
        targetRate: RATE,
        seconds: SECONDS,
        subjects: SUBJECTS,
        seedSeconds: round(seedSeconds, 1),
        decisionsPerSec: round(single.perSec, 0),
        p50Ms: round(percentile(single.latencies, 50)),
        p90Ms: round(percentile(single.latencies, 90)),
        p95Ms: round(percentile(single.latencies, 95)),
        p99Ms: round(percentile(single.latencies, 99)),
        maxMs: round(single.latencies[single.latencies.length - 1] ?? Number.NaN),
        errors: single.errors,
        bulk10kMs: round(bulkTimes[1] ?? Number.NaN, 0),
        bulkAllowed,
        rawReadPerSec: round(baseline.perSec, 0),
        rawReadP50Ms: round(percentile(baseline.latencies, 50)),
        rawReadP99Ms: round(percentile(baseline.latencies, 99)),
        targets: { p99MsBelow: 10, atDecisionsPerSec: 1000, bulk10kMsBelow: 1000 },
        serverEventLoopUtilization: loop,
        ...(diagnose ? { diagnosis: { coresWhileSingle: cores, gcWhileSingle: gcPauses, floor, busyBackends: busy, statements: statementTimes } } : {}),
      };
      report(
        ['measure', 'value'],
        [
          ['single decisions/s', `${String(result.decisionsPerSec)} (target rate ${String(RATE)})`],
          ['single p50 / p99 ms', `${String(result.p50Ms)} / ${String(result.p99Ms)}`],
          ['bulk 10,000 ms (median of 3)', String(result.bulk10kMs)],
          ['raw read p50 / p99 ms', `${String(result.rawReadP50Ms)} / ${String(result.rawReadP99Ms)}`],
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
