// Child process of projection-runner.spec.ts: runs the recording projection
// and, in the middle of a batch, tells the parent and hangs until killed.
import { createDataSource } from '@attest/database';
import { PostgresEventStore } from '@attest/event-store-postgres';
import { ProjectionRunner } from '../projection-runner';
import { recordingProjection } from './recording-projection';

async function main(): Promise<void> {
  const url = process.env['FIXTURE_DB_URL'] ?? '';
  const category = process.env['FIXTURE_CATEGORY'] ?? '';
  const killAfter = Number(process.env['FIXTURE_KILL_AFTER']);
  const dataSource = createDataSource({ url, migrations: [] });
  await dataSource.initialize();
  const store = new PostgresEventStore({ connectionString: url });
  const projection = recordingProjection({ streamCategories: [category] }, 1, async (applied) => {
    if (applied === killAfter) {
      process.send?.('mid-batch');
      await new Promise<never>(() => undefined);
    }
  });
  const runner = new ProjectionRunner({ dataSource, store, projection, batchSize: 100 });
  await runner.catchUp();
}

void main();
