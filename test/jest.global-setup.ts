import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
// Jest loads global setup outside its module mapper, so the lib is imported by path.
import { freePort, startEmbeddedPostgres, type RunningPostgres } from '../libs/platform/database/src/embedded';

declare global {
  var __ATTEST_TEST_PG__: { server: RunningPostgres; watchdog: LongTransactionWatch } | undefined;
}

/** One real PostgreSQL per test run, unless TEST_DATABASE_URL names a server. */
export default async function globalSetup(): Promise<void> {
  if (process.env['TEST_DATABASE_URL']) return;
  const port = await freePort();
  const dataDir = join(__dirname, '..', '.data', 'test', `pg-${randomBytes(4).toString('hex')}`);
  // Suites run side by side on this one server, and the chaos suite alone keeps seven processes'
  // pools on it (about 140 connections at its peak): more than the embedded default of 200 allows with another suite.
  const pg = await startEmbeddedPostgres({ dataDir, port, ephemeral: true, settings: { max_connections: '500' } });
  process.env['TEST_DATABASE_URL'] = pg.url('postgres');
  await endLeakedTransactions(pg.url('postgres'));
  globalThis.__ATTEST_TEST_PG__ = { server: pg, watchdog: await watchLongTransactions(pg.url('postgres')) };
}

/** What the watchdog saw: one line per transaction holding the cluster's horizon back. */
export interface LongTransactionWatch {
  stop(): Promise<string[]>;
}

/**
 * Looks every 2 s for transactions that hold a transaction id (so hold back the event store's
 * horizon in every test database) for more than 10 s, and remembers each once. The teardown
 * prints them: a stalled catch-up in one suite then names the suite that held it back.
 */
async function watchLongTransactions(url: string): Promise<LongTransactionWatch> {
  const client = new Client({ connectionString: url, application_name: 'attest-test-watchdog' });
  await client.connect();
  const seen = new Map<string, string>();
  let running = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        const { rows } = await client.query<{ key: string; line: string }>(
          `SELECT pid || ':' || backend_xid AS key,
                  format('%s db=%s app=%s state=%s wait=%s/%s held=%ss query=%s', now()::time(0), datname, application_name, state,
                         wait_event_type, wait_event, extract(epoch FROM now() - xact_start)::int, left(regexp_replace(query, '\\s+', ' ', 'g'), 300)) AS line
             FROM pg_stat_activity
            WHERE backend_xid IS NOT NULL AND xact_start < now() - interval '10 seconds' AND pid <> pg_backend_pid()`,
        );
        for (const row of rows) seen.set(row.key, row.line);
      })
      .catch(() => undefined);
  }, 2_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await client.end().catch(() => undefined);
      return [...seen.values()];
    },
  };
}

/**
 * The event store's visibility horizon waits for transactions of its own database only (ADR 0002),
 * but a suite that leaks one (a connection abandoned mid-transaction as it stops) would still stall
 * its own later catch-ups. The test cluster ends a transaction idle for 20 s; no test holds one idle
 * that long on purpose.
 */
async function endLeakedTransactions(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`ALTER SYSTEM SET idle_in_transaction_session_timeout = '20s'`);
    await client.query(`SELECT pg_reload_conf()`);
  } finally {
    await client.end();
  }
}
