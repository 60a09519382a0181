import pg from 'pg';
import { describeEventStoreContract, SubscriptionReader, streamIn, testEvent, uniqueCategory } from '@attest/event-store-contract';
import {
  handleWithDecider,
  NO_STREAM,
  readWholeStream,
  UnknownCheckpointError,
  WrongExpectedRevisionError,
  type DomainEvent,
  type EventStore,
  type NewEvent,
  type ReadStreamOptions,
} from '@attest/event-store';
import type { Decider } from '@attest/kernel';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { eventStoreMigrations } from './migrations';
import { APPEND_SQL, PostgresEventStore } from './postgres-event-store';
import { decodePgPosition, encodePgPosition } from './position-codec';

function migratedDatabase(label: string): Promise<TestDatabase> {
  return createTestDatabase(label, { migrations: eventStoreMigrations });
}

/** Runs the append function inside a transaction that stays open until commit(). */
async function holdAppend(url: string, streamId: string, events: readonly NewEvent[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(APPEND_SQL, [
    streamId,
    streamId.slice(0, streamId.indexOf('-')),
    'any',
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => JSON.stringify(e.data)),
    events.map((e) => JSON.stringify(e.metadata)),
  ]);
  return {
    commit: async () => {
      await client.query('COMMIT');
      await client.query(`SELECT pg_notify('attest_event_store', '')`);
      await client.end();
    },
  };
}

describeEventStoreContract('postgres', async () => {
  const db = await migratedDatabase('contract_pg');
  const store = new PostgresEventStore({ connectionString: db.url });
  await store.listen();
  return {
    store,
    holdAppend: (streamId, events) => holdAppend(db.url, streamId, events),
    refusesIdsOfOtherStreams: true,
    teardown: async () => {
      await store.close();
      await db.drop();
    },
  };
});

describe('PostgresEventStore specifics', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await migratedDatabase('pg_specifics');
  });

  afterEach(async () => {
    await store.close();
  });

  afterAll(async () => {
    await db.drop();
  });

  /** A live subscription in `store` receives what another process (store instance) appends. */
  async function receivesFromAnotherProcess(timeoutMs: number): Promise<void> {
    const writer = new PostgresEventStore({ connectionString: db.url });
    const category = uniqueCategory();
    const subscription = store.subscribeToAll({ filter: { streamCategories: [category] } });
    const reader = new SubscriptionReader(subscription);
    try {
      await reader.untilCaughtUp();
      const event = testEvent();
      await writer.appendToStream(streamIn(category), [event], { expectedRevision: NO_STREAM });
      expect((await reader.take(1, timeoutMs)).map((e) => e.id)).toEqual([event.id]);
    } finally {
      await subscription.close();
      await writer.close();
    }
  }

  it('delivers live events from another process through LISTEN/NOTIFY, not by polling', async () => {
    // Polling once a minute: only a notification can deliver within 5 s.
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 60_000 });
    await store.listen();
    await receivesFromAnotherProcess(5000);
  });

  it('delivers an event held behind an older open transaction soon after that transaction ends, without another notification', async () => {
    // Polling once a minute; the only notification comes while the event is still held.
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 60_000 });
    await store.listen();
    const writer = new PostgresEventStore({ connectionString: db.url });
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    const category = uniqueCategory();
    const subscription = store.subscribeToAll({ filter: { streamCategories: [category] } });
    const reader = new SubscriptionReader(subscription);
    try {
      await reader.untilCaughtUp();
      // An older transaction with an id keeps the visibility horizon below the append.
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      const event = testEvent();
      await writer.appendToStream(streamIn(category), [event], { expectedRevision: NO_STREAM });
      expect(await reader.take(1, 300)).toEqual([]);
      await blocker.query('ROLLBACK');
      expect((await reader.take(1, 3000)).map((e) => e.id)).toEqual([event.id]);
    } finally {
      await subscription.close();
      await writer.close();
      await blocker.end();
    }
  });

  it('does not wait for a transaction open in another database of the server: only this database can write the log', async () => {
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    const elsewhere = await createTestDatabase('pg_horizon_elsewhere');
    const stranger = new pg.Client({ connectionString: elsewhere.url });
    const neighbour = new pg.Client({ connectionString: db.url });
    await stranger.connect();
    await neighbour.connect();
    const category = uniqueCategory();
    try {
      // A transaction with an id in another database, older than the append: the horizon passes it.
      await stranger.query('BEGIN');
      await stranger.query('SELECT pg_current_xact_id()');
      const first = testEvent();
      await store.appendToStream(streamIn(category), [first], { expectedRevision: NO_STREAM });
      expect((await store.readAll({ filter: { streamCategories: [category] } })).map((e) => e.id)).toEqual([first.id]);
      // One in this database still holds it back (the guarantee of ADR 0002 stands).
      await neighbour.query('BEGIN');
      await neighbour.query('SELECT pg_current_xact_id()');
      const second = testEvent();
      await store.appendToStream(streamIn(category), [second], { expectedRevision: NO_STREAM });
      expect((await store.readAll({ filter: { streamCategories: [category] } })).map((e) => e.id)).toEqual([first.id]);
      await neighbour.query('ROLLBACK');
      expect((await store.readAll({ filter: { streamCategories: [category] } })).map((e) => e.id)).toEqual([first.id, second.id]);
    } finally {
      await stranger.query('ROLLBACK').catch(() => undefined);
      await stranger.end();
      await neighbour.end();
      await elsewhere.drop();
    }
  });

  it('sends one NOTIFY at a time when one is slow, and one more after it for the appends it missed', async () => {
    // Polling once a minute in the reader: only notifications deliver within 5 s.
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 60_000 });
    await store.listen();
    const writer = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 60_000 });
    await writer.listen();
    // The writer's NOTIFYs take 150 ms each (as when commits queue on the notification lock).
    const listener = (writer as unknown as { listener: pg.Client | null }).listener;
    if (!listener) throw new Error('the writer is not listening');
    const send = listener.query.bind(listener) as (sql: string) => Promise<unknown>;
    const state = { inFlight: 0, most: 0, sent: 0 };
    (listener as unknown as { query: (sql: string) => Promise<unknown> }).query = async (sql: string) => {
      state.inFlight += 1;
      state.most = Math.max(state.most, state.inFlight);
      state.sent += 1;
      try {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return await send(sql);
      } finally {
        state.inFlight -= 1;
      }
    };
    const category = uniqueCategory();
    const subscription = store.subscribeToAll({ filter: { streamCategories: [category] } });
    const reader = new SubscriptionReader(subscription);
    try {
      await reader.untilCaughtUp();
      const events = [testEvent(), testEvent(), testEvent(), testEvent()];
      for (const event of events) {
        await writer.appendToStream(streamIn(category), [event], { expectedRevision: NO_STREAM });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await reader.take(4, 5000)).map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(state.most).toBe(1);
      expect(state.sent).toBeLessThan(events.length);
    } finally {
      await subscription.close();
      await writer.close();
    }
  });

  it('falls back to polling when no listener runs', async () => {
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 100 });
    await receivesFromAnotherProcess(3000);
  });

  it('says "caught up" again after a full batch that was the last one (a catch-up that waited for it hung)', async () => {
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 20 });
    const category = uniqueCategory();
    const subscription = store.subscribeToAll({ filter: { streamCategories: [category] }, batchSize: 2 });
    const iterator = subscription[Symbol.asyncIterator]();
    const next = async (): Promise<{ ids: string[]; caughtUp: boolean }> => {
      const timeout = new Promise<never>((_, reject) => {
        setTimeout(() => {
          reject(new Error('no batch within 3 s'));
        }, 3000).unref();
      });
      const result = await Promise.race([iterator.next(), timeout]);
      if (result.done) throw new Error('the subscription ended');
      return { ids: result.value.events.map((e) => e.id), caughtUp: result.value.caughtUp };
    };
    try {
      expect(await next()).toEqual({ ids: [], caughtUp: true });
      // Exactly one batch's worth arrives: the batch is full, so only the read after it can tell it was the last.
      const events = [testEvent(), testEvent()];
      await store.appendToStream(streamIn(category), events, { expectedRevision: NO_STREAM });
      expect(await next()).toEqual({ ids: events.map((e) => e.id), caughtUp: false });
      expect(await next()).toEqual({ ids: [], caughtUp: true });
    } finally {
      await subscription.close();
    }
  });

  it('a filtered subscription moves past non-matching events and still sees the next match', async () => {
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 20 });
    const category = uniqueCategory();
    const subscription = store.subscribeToAll({ filter: { streamCategories: [category] }, batchSize: 10 });
    const reader = new SubscriptionReader(subscription);
    try {
      await reader.untilCaughtUp();
      for (let i = 0; i < 30; i++) {
        await store.appendToStream(streamIn(uniqueCategory()), [testEvent()], { expectedRevision: NO_STREAM });
      }
      expect(await reader.take(1, 200)).toEqual([]); // several polls pass over the others
      const wanted = testEvent();
      await store.appendToStream(streamIn(category), [wanted], { expectedRevision: NO_STREAM });
      expect((await reader.take(1, 3000)).map((e) => e.id)).toEqual([wanted.id]);
    } finally {
      await subscription.close();
    }
  });

  it('refuses to resume from a checkpoint the store does not hold', async () => {
    store = new PostgresEventStore({ connectionString: db.url });
    const result = await store.appendToStream(streamIn(uniqueCategory()), [testEvent()], { expectedRevision: NO_STREAM });
    const p = decodePgPosition(result.position);
    const missing = encodePgPosition({ ...p, seq: p.seq + 1_000_000n });
    const subscription = store.subscribeToAll({ after: missing });
    await expect(subscription[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(UnknownCheckpointError);
  });

  it('moves to a new epoch when transaction ids went backwards, so no subscriber skips new events', async () => {
    // Simulate a logical restore into a fresh cluster: the log holds an event
    // written under a transaction id far beyond what this cluster hands out.
    const own = await migratedDatabase('pg_regression');
    try {
      store = new PostgresEventStore({ connectionString: own.url, pollIntervalMs: 100 });
      const category = uniqueCategory();
      const restored = testEvent('ThingHappened.v1', { restored: true });
      const restoredStream = streamIn(category);
      const admin = new pg.Client({ connectionString: own.url });
      await admin.connect();
      await admin.query(
        `INSERT INTO event_store.events (epoch, transaction_id, event_id, stream_id, category, stream_position, type, data, metadata)
         VALUES (1, (pg_current_xact_id()::text::bigint + 1000000000)::text::xid8, $1, $2, $3, 0, $4, '{}', $5)`,
        [restored.id, restoredStream, category, restored.type, JSON.stringify(restored.metadata)],
      );
      await admin.end();

      // A subscriber that had seen the restored event resumes after it.
      const before = await store.readStream(restoredStream);
      expect(before).toHaveLength(1);
      const checkpoint = before[0]!.globalPosition;
      const subscription = store.subscribeToAll({ after: checkpoint, filter: { streamCategories: [category] } });
      const reader = new SubscriptionReader(subscription);
      try {
        const fresh = testEvent('ThingHappened.v1', { fresh: true });
        const result = await store.appendToStream(streamIn(category), [fresh], { expectedRevision: NO_STREAM });
        expect(decodePgPosition(result.position).epoch).toBe(2);
        expect(result.position > checkpoint).toBe(true);
        expect((await reader.take(1, 5000)).map((e) => e.id)).toEqual([fresh.id]);
        const all = await store.readAll({ filter: { streamCategories: [category] } });
        expect(all.map((e) => e.id)).toEqual([restored.id, fresh.id]);
      } finally {
        await subscription.close();
      }
    } finally {
      await store.close();
      store = new PostgresEventStore({ connectionString: db.url });
      await own.drop();
    }
  });
});

describe('reading a whole stream (never cut at a maxCount)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await migratedDatabase('pg_whole_stream');
    store = new PostgresEventStore({ connectionString: db.url });
  });

  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('pages through a stream longer than one page, and a command folds every event of it', async () => {
    const streamId = streamIn(uniqueCategory());
    await store.appendToStream(
      streamId,
      Array.from({ length: 2_500 }, (_, n) => testEvent('ThingHappened.v1', { n })),
      { expectedRevision: NO_STREAM },
    );
    const read = await readWholeStream(store, streamId, { pageSize: 1_000 });
    expect(read.map((e) => e.data['n'])).toEqual(Array.from({ length: 2_500 }, (_, n) => n));
    expect(await readWholeStream(store, streamId, { fromRevision: 2_400, pageSize: 50 })).toHaveLength(100);

    type Counted = DomainEvent & { readonly type: 'Counted.v1'; readonly data: { readonly seen: number } };
    const counter: Decider<null, Counted, number> = {
      initialState: 0,
      decide: (_command, seen) => [{ type: 'Counted.v1', data: { seen } }],
      evolve: (seen) => seen + 1,
    };
    const metadata = testEvent().metadata;
    const handled = await handleWithDecider(store, counter, streamId, null, metadata);
    // Every one of the 2,500 events was folded: three pages of 1,000.
    expect(handled.events).toEqual([{ type: 'Counted.v1', data: { seen: 2_500 } }]);
    // The handler hands back what it appended: no second read for a receipt.
    expect(handled.appended).toEqual([expect.objectContaining({ type: 'Counted.v1', streamId, streamPosition: 2_500, data: { seen: 2_500 } })]);
    const [stored] = await store.readStream(streamId, { fromRevision: 2_500 });
    expect(stored).toMatchObject({ id: handled.appended[0]?.id, globalPosition: handled.position });
  }, 60_000);

  it('decides on a stream the caller already read, without reading it again; a stale one is refused whole', async () => {
    type Counted = DomainEvent & { readonly type: 'Counted.v1'; readonly data: { readonly seen: number } };
    const counter: Decider<null, Counted, number> = {
      initialState: 0,
      decide: (_command, seen) => [{ type: 'Counted.v1', data: { seen } }],
      evolve: (seen) => seen + 1,
    };
    const streamId = streamIn(uniqueCategory());
    await store.appendToStream(streamId, [testEvent('ThingHappened.v1'), testEvent('ThingHappened.v1')], { expectedRevision: NO_STREAM });
    const known = await readWholeStream(store, streamId);
    let reads = 0;
    const counting: EventStore = Object.assign(Object.create(store) as EventStore, {
      readStream: (id: string, options?: ReadStreamOptions) => {
        reads += 1;
        return store.readStream(id, options);
      },
    });
    const handled = await handleWithDecider(counting, counter, streamId, null, testEvent().metadata, { known });
    expect(reads).toBe(0);
    expect(handled.events).toEqual([{ type: 'Counted.v1', data: { seen: 2 } }]);
    // The same read again is stale now: the append expects revision 1 and finds 2.
    await expect(handleWithDecider(counting, counter, streamId, null, testEvent().metadata, { known })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await readWholeStream(store, streamId)).toHaveLength(3);
  });
});
