import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
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
}
