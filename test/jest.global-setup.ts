import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
// Jest loads global setup outside its module mapper, so the lib is imported by path.
import { freePort, startEmbeddedPostgres, type RunningPostgres } from '../libs/platform/database/src/embedded';

declare global {
  var __ATTEST_TEST_PG__: { server: RunningPostgres } | undefined;
}

/** One real PostgreSQL per test run, unless TEST_DATABASE_URL names a server. */
export default async function globalSetup(): Promise<void> {
  if (process.env['TEST_DATABASE_URL']) return;
  const port = await freePort();
  const dataDir = join(__dirname, '..', '.data', 'test', `pg-${randomBytes(4).toString('hex')}`);
  const pg = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
  globalThis.__ATTEST_TEST_PG__ = { server: pg };
  process.env['TEST_DATABASE_URL'] = pg.url('postgres');
  await endLeakedTransactions(pg.url('postgres'));
}

/**
 * The event store reads below a visibility horizon that spans the whole cluster: one transaction
 * left open anywhere holds back every subscription of every test database. A suite that leaks
 * one (a connection abandoned mid-transaction as it stops) would stall later suites' catch-ups
 * until the run ends (seen as a 60 s timeout of an unrelated spec). The test cluster ends a
 * transaction idle for 20 s; no test holds one idle that long on purpose.
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
