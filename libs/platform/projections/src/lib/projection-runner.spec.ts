import { fork } from 'node:child_process';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { Registry } from 'prom-client';
import { createDataSource } from '@attest/database';
import { createLogger } from '@attest/observability';
import { NO_STREAM } from '@attest/event-store';
import { streamIn, testEvent, uniqueCategory } from '@attest/event-store-contract';
import { eventStoreMigrations, PostgresEventStore } from '@attest/event-store-postgres';
import { createTestDatabase, expectEventually, type TestDatabase } from '@attest/testing';
import { checkpoints } from './checkpoint-store';
import { projectionMigrations } from './migrations';
import { ProjectionMetrics } from './projection-metrics';
import { partitionName, tenantPartition } from './projection';
import { ProjectionRunner, rebuildProjection } from './projection-runner';
import { RECORDING_TABLE_SQL, recordingProjection } from './__fixtures__/recording-projection';

describe('ProjectionRunner', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('projections', { migrations: [...eventStoreMigrations, ...projectionMigrations] });
    dataSource = createDataSource({ url: db.url, migrations: [] });
    await dataSource.initialize();
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    await store.listen();
  });

  beforeEach(async () => {
    await dataSource.query(RECORDING_TABLE_SQL);
    await dataSource.query(`TRUNCATE recorded_rows`);
    await dataSource.query(`DELETE FROM projections.checkpoints`);
  });

  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
    await db.drop();
  });

  async function appendNumbered(category: string, count: number, perStream = 50): Promise<void> {
    for (let start = 0; start < count; start += perStream) {
      const events = Array.from({ length: Math.min(perStream, count - start) }, (_, i) => testEvent('ThingHappened.v1', { n: start + i }));
      await store.appendToStream(streamIn(category), events, { expectedRevision: NO_STREAM });
    }
  }

  async function rows(): Promise<{ event_id: string; n: number }[]> {
    return dataSource.query(`SELECT event_id, n FROM recorded_rows ORDER BY n, event_id`);
  }

  describe('partitions by tenant', () => {
    const partitionable = (category: string, version = 1): ReturnType<typeof recordingProjection> => ({
      ...recordingProjection({ streamCategories: [category] }, version),
      partitionableByTenant: true,
    });

    /** 12 tenants × 20 events; returns each event's tenant by its n. */
    async function appendTenants(category: string): Promise<Map<number, string>> {
      const tenantOf = new Map<number, string>();
      for (let t = 0; t < 12; t++) {
        const tenant = `tenant-${String(t)}`;
        const events = Array.from({ length: 20 }, (_, i) => {
          tenantOf.set(t * 20 + i, tenant);
          return testEvent('ThingHappened.v1', { n: t * 20 + i }, tenant);
        });
        await store.appendToStream(streamIn(category), events, { expectedRevision: NO_STREAM });
      }
      return tenantOf;
    }

    it('three partitions apply every event exactly once between them, each only its tenants’, each with a checkpoint of its own', async () => {
      const category = uniqueCategory();
      const tenantOf = await appendTenants(category);
      const projection = partitionable(category);
      const seen: number[][] = [];
      for (let index = 0; index < 3; index++) {
        const before = new Set((await rows()).map((r) => r.n));
        await new ProjectionRunner({ dataSource, store, projection, partition: { index, count: 3 }, batchSize: 50 }).catchUp();
        const mine = (await rows()).map((r) => r.n).filter((n) => !before.has(n));
        seen.push(mine);
      }
      expect(seen.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 240 }, (_, i) => i));
      // Not vacuous: the tenants spread over more than one partition.
      expect(seen.filter((ns) => ns.length > 0).length).toBeGreaterThan(1);
      const sample = await store.readAll({ maxCount: 1000 });
      for (const [index, ns] of seen.entries()) {
        for (const n of ns) {
          const event = sample.find((e) => e.data['n'] === n && e.metadata.tenantId === tenantOf.get(n));
          expect(event && tenantPartition(event, 3)).toBe(index);
        }
      }
      const stored = await checkpoints.list(dataSource.manager);
      expect(stored.map((c) => c.name).sort()).toEqual([1, 2, 3].map((i) => partitionName('recording', { index: i - 1, count: 3 })));
      for (const c of stored) expect(c.position).toBe(await store.headPosition());
    });

    it('a version change in one partition empties the read model once and rewinds every partition', async () => {
      const category = uniqueCategory();
      await appendTenants(category);
      for (let index = 0; index < 2; index++)
        await new ProjectionRunner({ dataSource, store, projection: partitionable(category), partition: { index, count: 2 } }).catchUp();
      expect(await rows()).toHaveLength(240);
      // Version 2 reaches partition 1 first: the table is emptied, both checkpoints rewound.
      await new ProjectionRunner({ dataSource, store, projection: partitionable(category, 2), partition: { index: 0, count: 2 } }).catchUp();
      const rewound = (await checkpoints.list(dataSource.manager)).find((c) => c.name === partitionName('recording', { index: 1, count: 2 }));
      expect(rewound).toMatchObject({ version: 2, position: null });
      await new ProjectionRunner({ dataSource, store, projection: partitionable(category, 2), partition: { index: 1, count: 2 } }).catchUp();
      const ns = (await rows()).map((r) => r.n);
      expect(ns.sort((a, b) => a - b)).toEqual(Array.from({ length: 240 }, (_, i) => i));
    });

    it('refuses to partition a projection that does not say its rows are each one tenant’s', () => {
      expect(
        () => new ProjectionRunner({ dataSource, store, projection: recordingProjection({ streamCategories: ['x'] }), partition: { index: 0, count: 2 } }),
      ).toThrow(/cannot be partitioned/);
    });
  });

  it('catches up in batches, moving the checkpoint with each one', async () => {
    const category = uniqueCategory();
    await appendNumbered(category, 230);
    const projection = recordingProjection({ streamCategories: [category] });
    await new ProjectionRunner({ dataSource, store, projection, batchSize: 100 }).catchUp();
    expect((await rows()).map((r) => r.n)).toEqual(Array.from({ length: 230 }, (_, i) => i));
    const [checkpoint] = await checkpoints.list(dataSource.manager);
    expect(checkpoint).toMatchObject({ name: 'recording', version: 1, eventsHandled: 230 });
    expect(checkpoint?.position).toBe(await store.headPosition());
  });

  it('applies live events after catching up, and reports lag as a metric', async () => {
    const category = uniqueCategory();
    await appendNumbered(category, 10);
    const registry = new Registry();
    const metrics = new ProjectionMetrics(registry);
    const runner = new ProjectionRunner({ dataSource, store, projection: recordingProjection({ streamCategories: [category] }), metrics });
    runner.start();
    try {
      await expectEventually(async () => {
        expect(await rows()).toHaveLength(10);
      });
      await appendNumbered(category, 5);
      await expectEventually(async () => {
        expect(await rows()).toHaveLength(15);
      });
      await expectEventually(async () => {
        const text = await registry.metrics();
        expect(text).toContain('attest_projection_lag_events{projection="recording"} 0');
        expect(text).toContain('attest_projection_caught_up{projection="recording"} 1');
        expect(text).toContain('attest_projection_events_handled_total{projection="recording"} 15');
      });
    } finally {
      await runner.stop();
    }
    await appendNumbered(category, 3);
    expect(await runner.lag()).toBe(3);
  });

  it('a catch-up while the worker runs does not keep the worker alive after stop', async () => {
    const category = uniqueCategory();
    await appendNumbered(category, 5);
    const runner = new ProjectionRunner({ dataSource, store, projection: recordingProjection({ streamCategories: [category] }), batchSize: 2 });
    runner.start();
    // Catch-ups racing the worker (and each other) never apply a batch twice: the projection records every delivery.
    await Promise.all([runner.catchUp(), runner.catchUp()]);
    await appendNumbered(category, 45);
    await Promise.all([runner.catchUp(), runner.catchUp(), runner.catchUp()]);
    const applied = await rows();
    expect(applied).toHaveLength(50);
    expect(new Set(applied.map((r) => r.event_id)).size).toBe(50);
    const started = Date.now();
    await runner.stop();
    // The worker's live subscription is closed too: stop returns at once, not after a poll timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rebuilds from scratch when the version changes', async () => {
    const category = uniqueCategory();
    await appendNumbered(category, 20);
    await new ProjectionRunner({ dataSource, store, projection: recordingProjection({ streamCategories: [category] }, 1) }).catchUp();
    await dataSource.query(`INSERT INTO recorded_rows (event_id, n) VALUES (gen_random_uuid(), -1)`); // stale v1 data
    await new ProjectionRunner({ dataSource, store, projection: recordingProjection({ streamCategories: [category] }, 2) }).catchUp();
    expect((await rows()).map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const [checkpoint] = await checkpoints.list(dataSource.manager);
    expect(checkpoint).toMatchObject({ version: 2, eventsHandled: 20 });
    expect(checkpoint?.rebuiltAt).toBeInstanceOf(Date);
  });

  it('a checkpoint left by the other event store (EVENT_STORE switched) is rebuilt from this log, with the inline positions, instead of failing forever', async () => {
    const category = uniqueCategory();
    await appendNumbered(category, 10);
    const projection = recordingProjection({ streamCategories: [category] }, 1);
    await new ProjectionRunner({ dataSource, store, projection }).catchUp();
    await dataSource.query(`UPDATE projections.checkpoints SET position = 'kdb:00000000000003e8.00000000000003e8' WHERE name = $1`, [projection.name]);
    await dataSource.query(`INSERT INTO projections.inline_streams (projection, stream_id, applied_through) VALUES ($1, 'x-1', 99)`, [projection.name]);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ level: 'error', name: 'runner-test' }, sink);
    const runner = new ProjectionRunner({ dataSource, store, projection, retryDelayMs: 10, logger });
    runner.start();
    try {
      await expectEventually(async () => {
        expect((await rows()).map((r) => r.n)).toEqual(Array.from({ length: 10 }, (_, i) => i));
        const [checkpoint] = await checkpoints.list(dataSource.manager);
        expect(checkpoint?.position?.startsWith('pg:')).toBe(true);
      }, 10_000);
    } finally {
      await runner.stop();
    }
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'checkpoint unknown to the event store (restored store?); rebuilding the read model',
    ]);
    expect(await dataSource.query(`SELECT 1 FROM projections.inline_streams WHERE projection = $1`, [projection.name])).toEqual([]);
  });

  it('two runners of one projection never apply a batch twice', async () => {
    const category = uniqueCategory();
    await appendNumbered(category, 400, 20);
    const make = (): ProjectionRunner =>
      new ProjectionRunner({ dataSource, store, projection: recordingProjection({ streamCategories: [category] }), batchSize: 25, retryDelayMs: 10 });
    const a = make();
    const b = make();
    a.start();
    b.start();
    try {
      await expectEventually(async () => {
        expect(await rows()).toHaveLength(400);
      }, 20_000);
      await new Promise((r) => setTimeout(r, 200));
      const all = await rows();
      expect(all).toHaveLength(400);
      expect(new Set(all.map((r) => r.event_id)).size).toBe(400);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('killed in the middle of a batch, then restarted, equals a fresh rebuild', async () => {
    const category = uniqueCategory();
    await appendNumbered(category, 1000);
    const child = fork(join(__dirname, '__fixtures__', 'crashing-runner.fixture.ts'), [], {
      execArgv: ['-r', '@swc-node/register'],
      env: { ...process.env, FIXTURE_DB_URL: db.url, FIXTURE_CATEGORY: category, FIXTURE_KILL_AFTER: '250' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => {
        resolve(signal);
      }),
    );
    await new Promise<void>((resolve, reject) => {
      child.on('message', () => {
        resolve();
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        reject(new Error(`fixture exited early with ${String(code)}`));
      });
    });
    // 250 events applied: two batches of 100 committed, the third half done.
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(await rows()).toHaveLength(200);
    expect((await checkpoints.list(dataSource.manager))[0]).toMatchObject({ eventsHandled: 200 });

    const projection = recordingProjection({ streamCategories: [category] });
    await new ProjectionRunner({ dataSource, store, projection, batchSize: 100 }).catchUp();
    const afterRestart = await rows();
    expect(afterRestart).toHaveLength(1000);

    await rebuildProjection({ dataSource, store, projection });
    expect(await rows()).toEqual(afterRestart);
  }, 60_000);
});
