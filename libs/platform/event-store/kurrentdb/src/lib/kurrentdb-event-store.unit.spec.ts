import { streamIn, testEvent, uniqueCategory } from '@attest/event-store-contract';
import {
  ANY,
  DuplicateEventIdError,
  EventStoreOutcomeUnknownError,
  EventStoreUnavailableError,
  InvalidEventStoreRequestError,
  NO_STREAM,
  UnknownCheckpointError,
  WrongExpectedRevisionError,
  asGlobalPosition,
} from '@attest/event-store';
import { KurrentDbEventStore } from './kurrentdb-event-store';
import { encodeKurrentPosition } from './kurrentdb-mapping';
import { RecordedServer } from './testing/recorded-server';

/**
 * The adapter at the client boundary, against a stand-in that answers as the
 * KurrentDB 25.1 server's source says (testing/recorded-server.ts). Each case
 * is one finding of the reading of the server and the client 1.3.1.
 */
describe('KurrentDB adapter at the client boundary', () => {
  let server: RecordedServer;
  let store: KurrentDbEventStore;
  const open = (options: { deadlineMs?: number; appendAttempts?: number } = {}): KurrentDbEventStore =>
    new KurrentDbEventStore({ connectionString: 'kurrentdb://localhost:2113?tls=false', client: server.client, ...options });

  beforeEach(() => {
    server = new RecordedServer();
    store = open();
  });

  describe('repeats and duplicate ids (the server answers a repeat like a first write, with the original position)', () => {
    it('a repeated append is idempotent with the original result, and nothing is sent again', async () => {
      const streamId = streamIn(uniqueCategory());
      const events = [testEvent(), testEvent()];
      const first = await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM });
      expect(first.idempotent).toBe(false);
      const appends = server.sent.filter((r) => r.call === 'appendToStream').length;
      expect(await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM })).toEqual({ ...first, idempotent: true });
      expect(await store.appendToStream(streamId, events, { expectedRevision: ANY })).toEqual({ ...first, idempotent: true });
      expect(server.sent.filter((r) => r.call === 'appendToStream')).toHaveLength(appends);
      expect(server.size).toBe(2);
    });

    it('a repeat the server sees first (its original landed between the look and the append) is written once', async () => {
      const streamId = streamIn(uniqueCategory());
      const events = [testEvent()];
      const forward = server.client.appendToStream.bind(server.client);
      let concurrent = true;
      server.client.appendToStream = async (...args: Parameters<typeof forward>) => {
        // The original attempt lands first; this one is a repeat to the server.
        if (concurrent) {
          concurrent = false;
          await forward(...args);
        }
        // A server before 22.10 answers a repeat without a position: the adapter reads the original.
        return { ...(await forward(...args)), position: undefined };
      };
      const result = await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM });
      expect(result).toMatchObject({ nextExpectedRevision: 0, idempotent: true });
      expect(server.size).toBe(1);
    });

    it('ids reused in part are DUPLICATE_EVENT_ID, not a version conflict, with an exact revision and with any', async () => {
      const streamId = streamIn(uniqueCategory());
      const events = [testEvent(), testEvent()];
      await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM });
      await expect(store.appendToStream(streamId, [events[0]!, testEvent()], { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(DuplicateEventIdError);
      await expect(store.appendToStream(streamId, [events[1]!, testEvent()], { expectedRevision: ANY })).rejects.toBeInstanceOf(DuplicateEventIdError);
      expect(server.size).toBe(2);
    });

    it('ids reused in another stream under any are written: the server deduplicates per stream only (ADR 0001)', async () => {
      const events = [testEvent()];
      await store.appendToStream(streamIn(uniqueCategory()), events, { expectedRevision: NO_STREAM });
      const other = await store.appendToStream(streamIn(uniqueCategory()), events, { expectedRevision: ANY });
      expect(other.idempotent).toBe(false);
      expect(server.size).toBe(2);
    });

    it('a real conflict stays WRONG_EXPECTED_REVISION with the actual revision', async () => {
      const streamId = streamIn(uniqueCategory());
      await store.appendToStream(streamId, [testEvent(), testEvent()], { expectedRevision: NO_STREAM });
      await expect(store.appendToStream(streamId, [testEvent()], { expectedRevision: 0 })).rejects.toMatchObject({
        code: 'EVENT_STORE.WRONG_EXPECTED_REVISION',
        actual: 1,
      });
    });
  });

  it('throwOnAppendFailure=false: a conflict that comes back as a failed result is a conflict, not a success', async () => {
    server.throwOnAppendFailure = false;
    const streamId = streamIn(uniqueCategory());
    await store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM });
    await expect(store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(store.appendToStream(streamId, [testEvent()], { expectedRevision: 5 })).rejects.toMatchObject({ actual: 0 });
    expect(server.size).toBe(1);
  });

  describe('reads that must see the latest writes go to the leader', () => {
    it('a lagging follower cannot make a known checkpoint look unknown (which would empty and rebuild a read model)', async () => {
      const streamId = streamIn(uniqueCategory());
      const result = await store.appendToStream(streamId, [testEvent(), testEvent()], { expectedRevision: NO_STREAM });
      server.followerApplied = 0;
      expect(await store.headPosition()).toBe(result.position);
      expect((await store.readStream(streamId)).map((e) => e.streamPosition)).toEqual([0, 1]);
      expect(await store.readAll()).toHaveLength(2);
      expect(server.sent.filter((r) => r.call !== 'appendToStream').every((r) => r.requiresLeader)).toBe(true);
      expect(server.sent.every((r) => r.deadline === 10_000)).toBe(true);
      expect(server.sent.filter((r) => r.call === 'appendToStream').every((r) => r.requiresLeader)).toBe(true);
    });

    it('a checkpoint is known only when the leader holds an event exactly at it', async () => {
      const streamId = streamIn(uniqueCategory());
      const { position } = await store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM });
      const opened = store.subscribeToAll({ after: position });
      await expect(opened[Symbol.asyncIterator]().next()).resolves.toMatchObject({ value: { events: [], caughtUp: true } });
      await opened.close();
      const between = asGlobalPosition(`${position.slice(0, -1)}1`);
      await expect(store.subscribeToAll({ after: between })[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(UnknownCheckpointError);
      const beyond = encodeKurrentPosition({ commit: 10n ** 12n, prepare: 10n ** 12n });
      await expect(store.subscribeToAll({ after: beyond })[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(UnknownCheckpointError);
    });
  });

  it('a checkpoint of the Postgres adapter (EVENT_STORE switched) is an unknown checkpoint that says what to do, not a TypeError', async () => {
    const pg = asGlobalPosition('pg:00000001.0000000000000001.0000000000000001');
    await expect(store.readAll({ after: pg })).rejects.toThrow(/written by the Postgres event store.*rebuilt from this log/u);
    await expect(store.countAfter(pg, undefined, 10)).rejects.toBeInstanceOf(UnknownCheckpointError);
    await expect(store.subscribeToAll({ after: pg })[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(UnknownCheckpointError);
  });

  it('accepts every connection string form the client accepts, and refuses others in one line', () => {
    for (const url of [
      'kurrentdb://a:2113,b:2113,c:2113?tls=false',
      'kurrentdb+discover://cluster.example:2113',
      'kdb://localhost:2113?nodePreference=follower',
      'esdb://localhost:2113?tls=false',
    ]) {
      expect(() => new KurrentDbEventStore({ connectionString: url, client: server.client })).not.toThrow();
    }
    expect(() => new KurrentDbEventStore({ connectionString: 'kurrentdb://localhost:2113?nodePreference=nearest', client: server.client })).toThrow(
      InvalidEventStoreRequestError,
    );
    expect(() => new KurrentDbEventStore({ connectionString: 'http://localhost:2113', client: server.client })).toThrow(
      /KURRENTDB_URL is not a KurrentDB connection string/u,
    );
  });

  describe('deadlines and unknown outcomes', () => {
    it('a read that never answers fails within the deadline (readiness and ping cannot hang)', async () => {
      server.hangReads = true;
      const started = Date.now();
      await expect(open({ deadlineMs: 50 }).ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('an append whose answer is lost is tried again with the same ids: written once, reported as written', async () => {
      const streamId = streamIn(uniqueCategory());
      server.loseAnswers = 1;
      const result = await store.appendToStream(streamId, [testEvent(), testEvent()], { expectedRevision: NO_STREAM });
      expect(result).toMatchObject({ nextExpectedRevision: 1, idempotent: true });
      expect(server.size).toBe(2);
    });

    it('a lost answer followed by a failing look is an unknown outcome, never "unavailable" (the events may be written)', async () => {
      const streamId = streamIn(uniqueCategory());
      const forward = server.client.appendToStream.bind(server.client);
      server.client.appendToStream = async (...args: Parameters<typeof forward>) => {
        server.loseAnswers = 1;
        const answer = forward(...args);
        server.hangReads = true;
        return answer;
      };
      await expect(open({ deadlineMs: 50 }).appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(
        EventStoreOutcomeUnknownError,
      );
      expect(server.size).toBe(1);
    });

    it('under any, a retry finds its events behind other writers’ (the server’s id cache lost in a restart): written once', async () => {
      const streamId = streamIn(uniqueCategory());
      await store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM });
      server.recentIds = 0;
      const forward = server.client.appendToStream.bind(server.client);
      let first = true;
      server.client.appendToStream = async (...args: Parameters<typeof forward>) => {
        if (!first) return forward(...args);
        first = false;
        server.loseAnswers = 1;
        // Written, but the answer is lost; another writer appends three events before the retry looks.
        return forward(...args).catch((lost: unknown) => {
          for (let i = 0; i < 3; i++) server.write(streamId, 'ThingHappened.v1', testEvent().metadata);
          throw lost;
        });
      };
      const events = [testEvent(), testEvent()];
      await expect(store.appendToStream(streamId, events, { expectedRevision: ANY })).resolves.toMatchObject({ idempotent: true, nextExpectedRevision: 2 });
      expect((await store.readStream(streamId)).filter((e) => events.some((x) => x.id === e.id))).toHaveLength(2);
      expect(server.size).toBe(6);
    });

    it('an append never answered is an unknown outcome, not "unavailable"; appending the same events later is safe', async () => {
      const streamId = streamIn(uniqueCategory());
      const events = [testEvent()];
      server.dropAppends = 3;
      await expect(store.appendToStream(streamId, events, { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(EventStoreOutcomeUnknownError);
      expect(server.size).toBe(0);
      server.loseAnswers = 3;
      await expect(store.appendToStream(streamId, events, { expectedRevision: NO_STREAM })).resolves.toMatchObject({ idempotent: true });
      expect(await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM })).toMatchObject({ idempotent: true });
      expect(server.size).toBe(1);
    });
  });

  describe('only Attest’s events, on a server shared with other applications', () => {
    it('pages past other applications’ events instead of ending early with an empty page', async () => {
      const streamId = streamIn(uniqueCategory());
      await store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM });
      // 2,500 events of another application: one of the same naming form without Attest's metadata, the rest not.
      server.write('orders-1', 'OrderPlaced.v1', { source: 'shop' });
      for (let i = 0; i < 2_499; i++) server.write(`shop-${String(i)}`, 'order_placed');
      const last = await store.appendToStream(streamId, [testEvent()], { expectedRevision: 0 });
      const read = await store.readAll({ maxCount: 10 });
      expect(read.map((e) => e.globalPosition)).toEqual([expect.any(String), last.position]);
      expect(read.every((e) => e.streamId === streamId)).toBe(true);
      expect(await store.readAll({ after: read[0]!.globalPosition })).toHaveLength(1);
    });

    it('a subscription from a checkpoint delivers only Attest’s events after it (another application’s cannot wedge a projection)', async () => {
      const streamId = streamIn(uniqueCategory());
      const first = await store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM });
      server.write('orders-1', 'OrderPlaced.v1', { source: 'shop' });
      server.write('$stats-1', '$statsCollected');
      server.write('shop-1', 'order_placed', 'not even JSON metadata');
      const next = await store.appendToStream(streamId, [testEvent(), testEvent()], { expectedRevision: 0 });
      const subscription = store.subscribeToAll({ after: first.position, batchSize: 1 });
      const seen: string[] = [];
      for await (const batch of subscription) {
        seen.push(...batch.events.map((e) => e.globalPosition));
        if (batch.caughtUp) break;
      }
      await subscription.close();
      expect(seen).toHaveLength(2);
      expect(seen.at(-1)).toBe(next.position);
    });

    it('counts lag exactly up to 1,000 events and estimates beyond without reading the whole log', async () => {
      const streamId = streamIn(uniqueCategory());
      for (let i = 0; i < 5; i++)
        await store.appendToStream(
          streamId,
          Array.from({ length: 1_000 }, () => testEvent()),
          { expectedRevision: i === 0 ? NO_STREAM : i * 1_000 - 1 },
        );
      expect(await store.countAfter(undefined, undefined, 10)).toBe(10);
      server.sent.length = 0;
      const estimate = await store.countAfter(undefined, undefined, 1_000_000);
      expect(estimate).toBeGreaterThan(4_900);
      expect(estimate).toBeLessThan(5_100);
      // Two pages of 1,000 at most (the counted events and the head), never all five thousand.
      expect(server.sent.filter((r) => r.call === 'readAll').length).toBeLessThanOrEqual(3);
    });
  });
});
