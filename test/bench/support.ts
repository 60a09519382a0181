/**
 * What every benchmark shares: a database of its own (a fresh embedded
 * PostgreSQL, or BENCH_DATABASE_URL), closed-loop timing, percentiles and the
 * output format (a table on stdout, then one JSON line, last).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import { loadConfig } from '@attest/config';
import { ensureDatabase, withDatabase } from '@attest/database';
import { freePort, startEmbeddedPostgres, type RunningPostgres } from '@attest/database/embedded';
import type { Logger } from '@attest/observability';
import { startInfrastructure, type Infrastructure } from '@attest/runtime';
import { generateSignerKey } from '@attest/transparency';

export interface BenchDatabase {
  /** A fresh database on the server. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A new database on BENCH_DATABASE_URL's server, or on an ephemeral embedded
 * PostgreSQL under .data/bench. With `statementStats` the embedded server
 * loads pg_stat_statements, planning counted too (for a diagnosis; it costs a
 * little per statement, so only then).
 */
export async function benchDatabase(options: { statementStats?: boolean } = {}): Promise<BenchDatabase> {
  let server: RunningPostgres | null = null;
  let adminUrl = process.env['BENCH_DATABASE_URL'];
  if (!adminUrl) {
    server = await startEmbeddedPostgres({
      dataDir: join(__dirname, '..', '..', '.data', 'bench', `pg-${randomBytes(4).toString('hex')}`),
      port: await freePort(),
      ephemeral: true,
      ...(options.statementStats ? { settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' } } : {}),
    });
    adminUrl = server.url('postgres');
  }
  const dbName = `bench_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, dbName);
  return {
    url: withDatabase(adminUrl, dbName),
    stop: async () => {
      await server?.stop();
    },
  };
}

/** The whole infrastructure on a bench database: a fresh master key and record signer, logs silent. */
export function benchInfrastructure(url: string, logger: Logger): Promise<Infrastructure> {
  return startInfrastructure(
    loadConfig({
      DATABASE_URL: url,
      ATTEST_MASTER_KEY: randomBytes(32).toString('base64'),
      ATTEST_RECORD_SIGNER_KEY: generateSignerKey('attest.bench/processing-record'),
      LOG_LEVEL: 'silent',
    }),
    logger,
  );
}

/** Runs `work` in `writers` closed loops for `seconds`; returns completed operations and the elapsed time. */
export async function timed(writers: number, seconds: number, work: (writer: number) => Promise<void>): Promise<{ ops: number; secs: number }> {
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      let i = 0;
      while (Date.now() < deadline) {
        await work(w);
        i += 1;
      }
      return i;
    }),
  );
  return { ops: counts.reduce((a, b) => a + b, 0), secs: Number(process.hrtime.bigint() - started) / 1e9 };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The table (aligned columns) on stdout, then the result as one JSON line: the last line. */
export function report(header: readonly string[], rows: readonly (readonly string[])[], result: object): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs a benchmark's main; a failure prints its stack and exits 1 (no JSON line). */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

export type CpuOwner = 'self' | 'postgres' | 'other';

/**
 * CPU seconds (user + system) so far of every process, by pid, from /proc (Linux only; null elsewhere).
 * A PostgreSQL process also counts what its reaped children used (`cutime + cstime`): the postmaster
 * reaps every backend, so a backend that ends between two snapshots is not lost (`cpuSecondsBetween`).
 */
export function cpuSnapshot(): Map<string, { owner: CpuOwner; seconds: number }> | null {
  if (process.platform !== 'linux') return null;
  const snapshot = new Map<string, { owner: CpuOwner; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const owner: CpuOwner = entry === String(process.pid) ? 'self' : name.startsWith('postgres') ? 'postgres' : 'other';
    // utime + stime (and for PostgreSQL cutime + cstime), in clock ticks: 100 a second on Linux.
    const ticks = Number(fields[11]) + Number(fields[12]) + (owner === 'postgres' ? Number(fields[13]) + Number(fields[14]) : 0);
    snapshot.set(entry, { owner, seconds: ticks / 100 });
  }
  return snapshot;
}

/**
 * CPU seconds used between two snapshots, by owner: processes alive at both count their
 * difference, processes started in between all they used. A PostgreSQL process that ended in
 * between shows in the postmaster's reaped-children time with everything it ever used, so what it
 * had used before the first snapshot is taken off; another process that ended is not seen.
 */
export function cpuSecondsBetween(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>): Record<CpuOwner, number> | null {
  if (!before || !after) return null;
  const used: Record<CpuOwner, number> = { self: 0, postgres: 0, other: 0 };
  for (const [pid, now] of after) used[now.owner] += now.seconds - (before.get(pid)?.seconds ?? 0);
  for (const [pid, then] of before) if (then.owner === 'postgres' && !after.has(pid)) used.postgres -= then.seconds;
  return used;
}

/** Cores used between two snapshots over `seconds`, by owner (`cpuSecondsBetween`, rounded to 0.01). */
export function coresBetween(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>, seconds: number): Record<CpuOwner, number> | null {
  const used = cpuSecondsBetween(before, after);
  if (!used) return null;
  const round = (n: number): number => Number((n / seconds).toFixed(2));
  return { self: round(used.self), postgres: round(used.postgres), other: round(used.other) };
}

/** A CPU profile of this process (the server) from now until stopped, written as a .cpuprofile file. */
export async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => {
      session.post(method, params ?? {}, (error, result) => {
        if (error) reject(error);
        else resolve(result);
      });
    });
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
