import { streamIn, SubscriptionReader, testEvent, uniqueCategory } from '@attest/event-store-contract';
import { ANY, NO_STREAM, SupersededEventTypeError, Upcasters, UpcastingEventStore, type Upcaster } from '@attest/event-store';
import { createTestDatabase, expectEventually, type TestDatabase } from '@attest/testing';
import { eventStoreMigrations } from './migrations';
import { PostgresEventStore } from './postgres-event-store';

type V1 = { type: 'ParcelSent.v1'; data: { to: string } };
type V2 = { type: 'ParcelSent.v2'; data: { recipient: string; express: boolean } };
type V3 = { type: 'ParcelSent.v3'; data: { recipient: { name: string }; express: boolean } };
const v1ToV2: Upcaster<V1, V2> = { from: 'ParcelSent.v1', to: 'ParcelSent.v2', upcast: (d) => ({ recipient: d.to, express: false }) };
const v2ToV3: Upcaster<V2, V3> = { from: 'ParcelSent.v2', to: 'ParcelSent.v3', upcast: (d) => ({ recipient: { name: d.recipient }, express: d.express }) };

describe('the upcasting store (superseded event types read as their successors, on a real Postgres log)', () => {
  let db: TestDatabase;
  let raw: PostgresEventStore;
  let store: UpcastingEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('upcasting', { migrations: eventStoreMigrations });
    raw = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    store = new UpcastingEventStore(raw, new Upcasters([v2ToV3, v1ToV2]));
  });

  afterAll(async () => {
    await raw.close();
    await db.drop();
  });

  it('chains upcasters and refuses two for one type or a cycle', () => {
    const upcasters = new Upcasters([v1ToV2, v2ToV3]);
    expect(upcasters.current('ParcelSent.v1')).toBe('ParcelSent.v3');
    expect(upcasters.current('Other.v1')).toBe('Other.v1');
    expect(upcasters.superseded()).toEqual(['ParcelSent.v1', 'ParcelSent.v2']);
    expect(upcasters.widen(['ParcelSent.v3', 'Other.v1']).sort()).toEqual(['Other.v1', 'ParcelSent.v1', 'ParcelSent.v2', 'ParcelSent.v3']);
    expect(() => new Upcasters([v1ToV2, { ...v1ToV2, to: 'ParcelSent.v9' }])).toThrow('two upcasters');
    expect(() => new Upcasters([v1ToV2, { from: 'ParcelSent.v2', to: 'ParcelSent.v1', upcast: (d: object) => d }])).toThrow('cycle');
  });

  it('reads a stream of every version as the current one, in order', async () => {
    const stream = streamIn(uniqueCategory());
    // Written as older code did, below the upcasting store.
    await raw.appendToStream(stream, [testEvent('ParcelSent.v1', { to: 'depot 4' }), testEvent('ParcelSent.v2', { recipient: 'depot 5', express: true })], {
      expectedRevision: NO_STREAM,
    });
    await store.appendToStream(stream, [testEvent('ParcelSent.v3', { recipient: { name: 'depot 6' }, express: false })], { expectedRevision: 1 });
    const read = await store.readStream(stream);
    expect(read.map((e) => [e.type, e.data, e.streamPosition])).toEqual([
      ['ParcelSent.v3', { recipient: { name: 'depot 4' }, express: false }, 0],
      ['ParcelSent.v3', { recipient: { name: 'depot 5' }, express: true }, 1],
      ['ParcelSent.v3', { recipient: { name: 'depot 6' }, express: false }, 2],
    ]);
    // Stored as written: the log is never rewritten.
    expect((await raw.readStream(stream)).map((e) => e.type)).toEqual(['ParcelSent.v1', 'ParcelSent.v2', 'ParcelSent.v3']);
  });

  it('selects the predecessors of a current type in filtered reads, counts and subscriptions', async () => {
    const stream = streamIn(uniqueCategory());
    const after = (await raw.headPosition()) ?? undefined;
    await raw.appendToStream(
      stream,
      [testEvent('ParcelSent.v1', { to: 'a' }), testEvent('Noise.v1'), testEvent('ParcelSent.v3', { recipient: { name: 'b' }, express: true })],
      {
        expectedRevision: ANY,
      },
    );
    const filter = { eventTypes: ['ParcelSent.v3'] };
    // The global log shows an append once no earlier writer in the cluster can still precede it.
    await expectEventually(async () => {
      const page = await store.readAll({ ...(after ? { after } : {}), filter });
      expect(page.map((e) => e.type)).toEqual(['ParcelSent.v3', 'ParcelSent.v3']);
      expect(await store.countAfter(after, filter, 100)).toBe(2);
    }, 10_000);
    const subscription = store.subscribeToAll({ ...(after ? { after } : {}), filter });
    try {
      const seen = await new SubscriptionReader(subscription).take(2);
      expect(seen.map((e) => e.data)).toEqual([
        { recipient: { name: 'a' }, express: false },
        { recipient: { name: 'b' }, express: true },
      ]);
    } finally {
      await subscription.close();
    }
  });

  it('refuses to write a superseded type, and writes nothing of that append', async () => {
    const stream = streamIn(uniqueCategory());
    await expect(
      store.appendToStream(stream, [testEvent('ParcelSent.v3', { recipient: { name: 'x' }, express: false }), testEvent('ParcelSent.v1', { to: 'y' })], {
        expectedRevision: NO_STREAM,
      }),
    ).rejects.toBeInstanceOf(SupersededEventTypeError);
    expect(await raw.readStream(stream)).toEqual([]);
  });
});
