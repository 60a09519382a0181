import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export default async function globalTeardown(): Promise<void> {
  const pg = globalThis.__ATTEST_TEST_PG__;
  if (!pg) return;
  const long = await pg.watchdog.stop();
  if (long.length > 0) {
    process.stderr.write(`\nTransactions that held the test cluster's horizon back for more than 10 s:\n${long.map((l) => `  ${l}`).join('\n')}\n`);
  }
  // The console the browser specs built for this run (apps/api/src/testing/console-browser.ts, consoleDistOfRun).
  const run = createHash('sha256')
    .update(process.env['TEST_DATABASE_URL'] ?? '')
    .digest('hex')
    .slice(0, 12);
  await rm(join(tmpdir(), `attest-console-dist-${run}`), { recursive: true, force: true });
  // Ephemeral: stopping removes its data directory too.
  await pg.server.stop();
}
