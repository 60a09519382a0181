/**
 * What every benchmark shares: a database of its own (a fresh embedded
 * PostgreSQL, or BENCH_DATABASE_URL), closed-loop timing, percentiles and the
 * output format (a table on stdout, then one JSON line, last).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureDatabase, withDatabase } from '@attest/database';
import { startEmbeddedPostgres, type RunningPostgres } from '@attest/database/embedded';

export interface BenchDatabase {
  /** A fresh database on the server. */
  readonly url: string;
  stop(): Promise<void>;
}

/** A new database on BENCH_DATABASE_URL's server, or on an ephemeral embedded PostgreSQL under .data/bench. */
export async function benchDatabase(): Promise<BenchDatabase> {
  let server: RunningPostgres | null = null;
  let adminUrl = process.env['BENCH_DATABASE_URL'];
  if (!adminUrl) {
    server = await startEmbeddedPostgres({
      dataDir: join(__dirname, '..', '..', '.data', 'bench', `pg-${randomBytes(4).toString('hex')}`),
      port: 54400 + Math.floor(Math.random() * 500),
      ephemeral: true,
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
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : 'unknown'}\n`);
    process.exit(1);
  });
}
