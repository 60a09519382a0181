import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { NO_STREAM } from '@attest/event-store';
import { streamIn, testEvent } from '@attest/event-store-contract';
import { eventStoreMigrations, PostgresEventStore } from '@attest/event-store-postgres';
import { ProjectionRunner, projectionMigrations, rebuildProjection } from '@attest/projections';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { eventLogStatsMigrations } from './migrations';
import { eventLogStatsProjection, listEventLogStats } from './event-log-stats.projection';

describe('event-log-stats projection (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('event_log_stats', {
      migrations: [...eventStoreMigrations, ...platformMigrations, ...projectionMigrations, ...eventLogStatsMigrations],
    });
    dataSource = createDataSource({ url: db.url, migrations: [] });
    await dataSource.initialize();
    store = new PostgresEventStore({ connectionString: db.url });
  });

  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
    await db.drop();
  });

  it('counts events per tenant and type; a batch delivered twice changes nothing; a rebuild agrees', async () => {
    await store.appendToStream(streamIn('thing'), [testEvent('A.v1', {}, 't1'), testEvent('A.v1', {}, 't1'), testEvent('B.v1', {}, 't1')], {
      expectedRevision: NO_STREAM,
    });
    await store.appendToStream(streamIn('thing'), [testEvent('A.v1', {}, 't2')], { expectedRevision: NO_STREAM });
    await new ProjectionRunner({ dataSource, store, projection: eventLogStatsProjection }).catchUp();

    const summary = async () => (await listEventLogStats(dataSource.manager)).map((r) => [r.tenantId, r.eventType, r.events]);
    expect(await summary()).toEqual([
      ['t1', 'A.v1', 2],
      ['t1', 'B.v1', 1],
      ['t2', 'A.v1', 1],
    ]);
    expect((await listEventLogStats(dataSource.manager, 't2')).map((r) => r.eventType)).toEqual(['A.v1']);

    const all = await store.readAll();
    await dataSource.transaction((m) => eventLogStatsProjection.apply(all, m));
    expect(await summary()).toEqual([
      ['t1', 'A.v1', 2],
      ['t1', 'B.v1', 1],
      ['t2', 'A.v1', 1],
    ]);

    await rebuildProjection({ dataSource, store, projection: eventLogStatsProjection });
    expect(await summary()).toEqual([
      ['t1', 'A.v1', 2],
      ['t1', 'B.v1', 1],
      ['t2', 'A.v1', 1],
    ]);
  });
});
