import type { DataSource, EntityManager } from 'typeorm';
import { createDataSource } from '@attest/database';
import { NO_STREAM, type EventFilter, type EventStore, type RecordedEvent } from '@attest/event-store';
import { streamIn, testEvent, uniqueCategory } from '@attest/event-store-contract';
import { eventStoreMigrations, PostgresEventStore } from '@attest/event-store-postgres';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { checkpoints } from './checkpoint-store';
import { projectionMigrations } from './migrations';
import type { Projection } from './projection';
import { rebuildProjections, unionFilter } from './shared-rebuild';

describe('rebuildProjections: several read models through one reader (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('shared_rebuild', { migrations: [...eventStoreMigrations, ...projectionMigrations] });
    dataSource = createDataSource({ url: db.url, migrations: [] });
    await dataSource.initialize();
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    await store.listen();
    await dataSource.query(
      `CREATE TABLE shared_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, projection text NOT NULL, event_id uuid NOT NULL, n integer NOT NULL)`,
    );
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE shared_rows`);
    await dataSource.query(`DELETE FROM projections.checkpoints`);
  });

  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
    await db.drop();
  });

  /** Not idempotent on purpose (a plain insert per event): a batch applied twice shows as duplicate rows. */
  const recording = (name: string, filter: EventFilter | undefined, fail?: (events: readonly RecordedEvent[]) => boolean): Projection => ({
    name,
    version: 1,
    ...(filter ? { filter } : {}),
    async apply(events: readonly RecordedEvent[], m: EntityManager) {
      if (fail?.(events)) throw new Error(`${name} fails`);
      for (const e of events) await m.query(`INSERT INTO shared_rows (projection, event_id, n) VALUES ($1, $2, $3)`, [name, e.id, e.data['n']]);
    },
    async reset(m: EntityManager) {
      await m.query(`DELETE FROM shared_rows WHERE projection = $1`, [name]);
    },
  });

  async function append(category: string, type: string, count: number): Promise<void> {
    for (let start = 0; start < count; start += 40) {
      const events = Array.from({ length: Math.min(40, count - start) }, (_, i) => testEvent(type, { n: start + i }));
      await store.appendToStream(streamIn(category), events, { expectedRevision: NO_STREAM });
    }
  }

  const applied = async (name: string): Promise<number[]> =>
    (await dataSource.query<{ n: number }[]>(`SELECT n FROM shared_rows WHERE projection = $1 ORDER BY id`, [name])).map((r) => r.n);

  /** The store, counting the subscriptions opened on it. */
  const counted = (): { store: EventStore; subscriptions: number } => {
    const tally = { store: store as EventStore, subscriptions: 0 };
    tally.store = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'subscribeToAll') {
          return (...args: Parameters<EventStore['subscribeToAll']>) => {
            tally.subscriptions += 1;
            return target.subscribeToAll(...args);
          };
        }
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return tally;
  };

  it('empties each read model and replays exactly its events into it, once, reading the log once', async () => {
    const a = uniqueCategory();
    const b = uniqueCategory();
    const other = uniqueCategory();
    await append(a, 'AThing.v1', 130);
    await append(other, 'OtherThing.v1', 90);
    await append(b, 'BThing.v1', 75);
    const byCategory = recording('by-category', { streamCategories: [a] });
    const byType = recording('by-type', { eventTypes: ['BThing.v1'] });
    // Stale rows a rebuild must clear.
    await dataSource.query(`INSERT INTO shared_rows (projection, event_id, n) VALUES ('by-type', gen_random_uuid(), -1)`);
    const tally = counted();
    const report = await rebuildProjections({ dataSource, store: tally.store, projections: [byCategory, byType], batchSize: 50 });
    expect(tally.subscriptions).toBe(1);
    const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    expect(await applied('by-category')).toEqual(range(130));
    expect(await applied('by-type')).toEqual(range(75));
    expect(report.byProjection).toEqual({
      'by-category': { events: 130, applySeconds: expect.any(Number) as number },
      'by-type': { events: 75, applySeconds: expect.any(Number) as number },
    });
    // Each checkpoint counts its events and is at the head of its filter.
    const stored = await checkpoints.list(dataSource.manager);
    for (const p of [byCategory, byType]) {
      const c = stored.find((x) => x.name === p.name);
      expect({ name: p.name, handled: c?.eventsHandled, after: await store.countAfter(c?.position ?? undefined, p.filter, 10) }).toEqual({
        name: p.name,
        handled: p === byCategory ? 130 : 75,
        after: 0,
      });
    }
    // Again, after more events: the same read models, nothing doubled.
    await append(b, 'BThing.v1', 5);
    await rebuildProjections({ dataSource, store, projections: [byCategory, byType] });
    expect(await applied('by-type')).toEqual([...range(75), ...range(5)]);
    expect((await applied('by-category')).length).toBe(130);
  });

  it('a failing read model fails the rebuild; every transaction under way settles first, each checkpoint agrees with its rows', async () => {
    const a = uniqueCategory();
    await append(a, 'FailThing.v1', 120);
    const fine = recording('fine', { streamCategories: [a] });
    const failing = recording('failing', { streamCategories: [a] }, (events) => events.some((e) => e.data['n'] === 70));
    await expect(rebuildProjections({ dataSource, store, projections: [fine, failing], batchSize: 50 })).rejects.toThrow('failing fails');
    const stored = await checkpoints.list(dataSource.manager);
    // The failing one applied nothing of the failed batch: its checkpoint and rows agree.
    const failed = stored.find((c) => c.name === 'failing');
    expect((await applied('failing')).length).toBe(failed?.eventsHandled);
    expect((await applied('fine')).length).toBe(stored.find((c) => c.name === 'fine')?.eventsHandled);
    expect(failed?.eventsHandled).toBe(50);
    // The other went on at its own pace: at least through the failed batch, at most to the end.
    expect(stored.find((c) => c.name === 'fine')?.eventsHandled).toBeGreaterThanOrEqual(50);
  });

  it('a store that refuses to be read fails the rebuild with its error, and every read model waiting on it is released', async () => {
    const refusing = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'subscribeToAll')
          return () => {
            throw new Error('the store is closed');
          };
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const a = uniqueCategory();
    await expect(rebuildProjections({ dataSource, store: refusing, projections: [recording('refused', { streamCategories: [a] })] })).rejects.toThrow(
      'the store is closed',
    );
  });

  it('refuses a projection named twice', async () => {
    const p = recording('twice', { eventTypes: ['X.v1'] });
    await expect(rebuildProjections({ dataSource, store, projections: [p, p] })).rejects.toThrow('each projection is rebuilt once');
  });

  it('reads what every projection needs and no more', () => {
    const p = (filter?: EventFilter): Projection => recording('p', filter);
    expect(unionFilter([p({ eventTypes: ['A', 'B'] }), p({ eventTypes: ['B', 'C'] })])).toEqual({ eventTypes: ['A', 'B', 'C'] });
    expect(unionFilter([p({ streamCategories: ['x'] }), p({ streamCategories: ['y'] })])).toEqual({ streamCategories: ['x', 'y'] });
    expect(unionFilter([p({ eventTypes: ['A'] }), p({ streamCategories: ['y'] })])).toBeUndefined();
    expect(unionFilter([p({ eventTypes: ['A'] }), p()])).toBeUndefined();
    expect(unionFilter([])).toBeUndefined();
  });
});
