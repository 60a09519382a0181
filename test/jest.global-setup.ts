import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
// Jest loads global setup outside its module mapper, so the lib is imported by path.
import { startEmbeddedPostgres, type RunningPostgres } from '../libs/platform/database/src/embedded';

declare global {
  var __ATTEST_TEST_PG__: { server: RunningPostgres; dataDir: string } | undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** One real PostgreSQL per test run, unless TEST_DATABASE_URL names a server. */
export default async function globalSetup(): Promise<void> {
  if (process.env['TEST_DATABASE_URL']) return;
  const port = await freePort();
  const dataDir = join(__dirname, '..', '.data', 'test', `pg-${randomBytes(4).toString('hex')}`);
  const pg = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
  globalThis.__ATTEST_TEST_PG__ = { server: pg, dataDir };
  process.env['TEST_DATABASE_URL'] = pg.url('postgres');
}
