// Child process of infrastructure.spec.ts: one Attest process on the embedded
// default. It starts the infrastructure, migrates, optionally appends to or
// reads a stream, reports over IPC, and stops when told to (or at once).
import { loadConfig } from '@attest/config';
import { createLogger } from '@attest/observability';
import { issueApiKeyFromConsole } from '../console-access';
import { startInfrastructure } from '../infrastructure';

async function main(): Promise<void> {
  const infra = await startInfrastructure(loadConfig(), createLogger({ level: 'silent' }));
  const migrations = await infra.migrate();
  if (process.env['FIXTURE_APPEND'] === '1') await issueApiKeyFromConsole(infra, 'fixture', ['service'], 'fixture', 1);
  const events = (await infra.store.readAll({ filter: { eventTypes: ['ApiKeyIssued.v1'] } })).length;
  // The request-serving role logs in on its own on the embedded default.
  const app = await infra.connectApp();
  const [who] = await app.query<{ u: string }[]>('SELECT current_user AS u');
  const report = { embedded: infra.embedded, migrations, events, appUser: who?.u };
  if (process.env['FIXTURE_HOLD'] === '1') {
    process.send?.(report);
    await new Promise<void>((resolve) =>
      process.once('message', () => {
        resolve();
      }),
    );
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
