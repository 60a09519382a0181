import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const pg = globalThis.__ATTEST_TEST_PG__;
  if (!pg) return;
  await pg.server.stop();
  await rm(pg.dataDir, { recursive: true, force: true });
}
