// Child process of infrastructure.spec.ts: one Attest process on the embedded
// default. It starts the infrastructure, migrates, optionally appends to or
// reads a stream, reports over IPC, and stops when told to (or at once).
import { loadConfig } from '@attest/config';
import { NO_STREAM } from '@attest/event-store';
import { testEvent } from '@attest/event-store-contract';
import { createLogger } from '@attest/observability';
import { startInfrastructure } from '../infrastructure';

async function main(): Promise<void> {
  const streamId = process.env['FIXTURE_STREAM'] ?? '';
  const infra = await startInfrastructure(loadConfig(), createLogger({ level: 'silent' }));
  const migrations = await infra.migrate();
  if (process.env['FIXTURE_APPEND'] === '1') {
    await infra.store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM });
  }
  const events = (await infra.store.readStream(streamId)).length;
  // The request-serving role logs in on its own on the embedded default.
  const app = await infra.connectApp();
  const [who] = await app.query<{ u: string }[]>('SELECT current_user AS u');
  const report = { embedded: infra.embedded, migrations, events, appUser: who?.u };
  if (process.env['FIXTURE_HOLD'] === '1') {
    process.send?.(report);
    await new Promise<void>((resolve) => process.once('message', () => { resolve(); }));
  } else {
    process.send?.(report);
  }
  await infra.stop();
  process.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`fixture failed: ${error instanceof Error ? error.message : 'unknown'}\n`);
  process.exit(1);
});
