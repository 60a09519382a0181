// Child process of projection-leases.spec.ts: a worker process that runs the leased recording
// projections of FIXTURE_CATEGORY, tells the parent which it took, and runs until killed.
import { createDataSource } from '@attest/database';
import { PostgresEventStore } from '@attest/event-store-postgres';
import { ProjectionLeases } from '../projection-leases';
import { ProjectionRunner } from '../projection-runner';
import { leasedRecording } from './leased-recording';

async function main(): Promise<void> {
  const url = process.env['FIXTURE_DB_URL'] ?? '';
  const category = process.env['FIXTURE_CATEGORY'] ?? '';
  const dataSource = createDataSource({ url, migrations: [] });
  await dataSource.initialize();
  const store = new PostgresEventStore({ connectionString: url, pollIntervalMs: 50 });
  await store.listen();
  const runners = ['a', 'b'].map(
    (suffix) => new ProjectionRunner({ dataSource, store, projection: leasedRecording(`leased-${category}-${suffix}`, category) }),
  );
  const leases = new ProjectionLeases({ connectionString: url, owner: process.env['FIXTURE_OWNER'] ?? 'worker:child', runners, intervalMs: 100 });
  await leases.start();
  process.send?.({ owned: leases.owned() });
}

void main();
