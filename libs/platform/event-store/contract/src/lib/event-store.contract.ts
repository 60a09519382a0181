import {
  ANY,
  comparePositions,
  DuplicateEventIdError,
  InvalidEventStoreRequestError,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedRevisionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@attest/event-store';
import { expectEventually } from '@attest/testing';
import { streamIn, SubscriptionReader, testEvent, uniqueCategory } from './fixtures';

/** An append whose transaction stays open until `commit()` (or is simply deferred). */
export interface HeldAppend {
  commit(): Promise<void>;
}

export interface EventStoreHarness {
  readonly store: EventStore;
  /**
   * Starts an append in a transaction that has not committed yet; the store
   * must not let a subscriber move past it. Stores without multi-statement
   * transactions defer the append to `commit()`.
   */
  holdAppend(streamId: string, events: readonly NewEvent[]): Promise<HeldAppend>;
  teardown(): Promise<void>;
  /**
   * Whether the store refuses an event id already used in another stream.
   * Postgres does (a unique index over the log); KurrentDB cannot: the server
   * deduplicates per stream only and offers no lookup by event id (ADR 0001).
   */
  readonly refusesIdsOfOtherStreams: boolean;
}

function positionsAscending(events: readonly RecordedEvent[]): boolean {
  return events.every((e, i) => i === 0 || comparePositions(events[i - 1]!.globalPosition, e.globalPosition) < 0);
}

/** The behaviour every EventStore adapter must show, run against a real store. */
export function describeEventStoreContract(name: string, createHarness: () => Promise<EventStoreHarness>): void {
  describe(`EventStore contract: ${name}`, () => {
    let harness: EventStoreHarness;
    let store: EventStore;

    beforeAll(async () => {
      harness = await createHarness();
      store = harness.store;
    });

    afterAll(async () => {
      await harness.teardown();
    });

    describe('append and read a stream', () => {
      it('appends to a new stream and reads the envelope back (read-your-write)', async () => {
        const streamId = streamIn(uniqueCategory());
        const events = [testEvent('ThingHappened.v1', { n: 1, nested: { ok: true } }), testEvent('ThingChanged.v2', { n: 2 })];
        const result = await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM });
        expect(result.nextExpectedRevision).toBe(1);
        expect(result.idempotent).toBe(false);

        const read = await store.readStream(streamId);
        expect(read).toHaveLength(2);
        expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(read.map((e) => e.streamPosition)).toEqual([0, 1]);
        expect(read[0]).toMatchObject({ type: 'ThingHappened.v1', data: { n: 1, nested: { ok: true } }, streamId });
        expect(read[0]!.metadata).toEqual(events[0]!.metadata);
        expect(read[0]!.recordedAt).toBeInstanceOf(Date);
        expect(read[1]!.globalPosition).toBe(result.position);
        expect(positionsAscending(read)).toBe(true);
      });

      it('reads backwards, from a revision, and at most maxCount', async () => {
        const streamId = streamIn(uniqueCategory());
        await store.appendToStream(
          streamId,
          [1, 2, 3, 4, 5].map((n) => testEvent('ThingHappened.v1', { n })),
          {
            expectedRevision: NO_STREAM,
          },
        );
        const backwards = await store.readStream(streamId, { direction: 'backwards' });
        expect(backwards.map((e) => e.data['n'])).toEqual([5, 4, 3, 2, 1]);
        const page = await store.readStream(streamId, { fromRevision: 1, maxCount: 2 });
        expect(page.map((e) => e.streamPosition)).toEqual([1, 2]);
        const backPage = await store.readStream(streamId, { direction: 'backwards', fromRevision: 3, maxCount: 2 });
        expect(backPage.map((e) => e.streamPosition)).toEqual([3, 2]);
      });

      it('reads an unknown stream as empty', async () => {
        await expect(store.readStream(streamIn(uniqueCategory()))).resolves.toEqual([]);
      });
    });

    describe('expected revision', () => {
      it('no_stream refuses an existing stream with a typed error', async () => {
        const streamId = streamIn(uniqueCategory());
        await store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM });
        const error: unknown = await store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ code: 'EVENT_STORE.WRONG_EXPECTED_REVISION', streamId, actual: 0 });
      });

      it('stream_exists refuses a missing stream and accepts an existing one', async () => {
        const streamId = streamIn(uniqueCategory());
        await expect(store.appendToStream(streamId, [testEvent()], { expectedRevision: STREAM_EXISTS })).rejects.toMatchObject({
          code: 'EVENT_STORE.WRONG_EXPECTED_REVISION',
          actual: 'no_stream',
        });
        await store.appendToStream(streamId, [testEvent()], { expectedRevision: ANY });
        await expect(store.appendToStream(streamId, [testEvent()], { expectedRevision: STREAM_EXISTS })).resolves.toMatchObject({
          nextExpectedRevision: 1,
        });
      });

      it('an exact revision must match the last event', async () => {
        const streamId = streamIn(uniqueCategory());
        await store.appendToStream(streamId, [testEvent(), testEvent()], { expectedRevision: NO_STREAM });
        await expect(store.appendToStream(streamId, [testEvent()], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.appendToStream(streamId, [testEvent()], { expectedRevision: 1 })).resolves.toMatchObject({
          nextExpectedRevision: 2,
        });
        expect(await store.readStream(streamId)).toHaveLength(3);
      });

      it('any appends regardless of the stream state', async () => {
        const streamId = streamIn(uniqueCategory());
        await store.appendToStream(streamId, [testEvent()], { expectedRevision: ANY });
        await store.appendToStream(streamId, [testEvent()], { expectedRevision: ANY });
        expect((await store.readStream(streamId)).map((e) => e.streamPosition)).toEqual([0, 1]);
      });

      it('of concurrent writers with the same expected revision exactly one wins', async () => {
        for (let round = 0; round < 5; round++) {
          const streamId = streamIn(uniqueCategory());
          await store.appendToStream(streamId, [testEvent()], { expectedRevision: NO_STREAM });
          const writers = Array.from({ length: 8 }, (_, i) =>
            store.appendToStream(streamId, [testEvent('ThingHappened.v1', { writer: i })], { expectedRevision: 0 }),
          );
          const outcomes = await Promise.allSettled(writers);
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(7);
          for (const l of lost) expect(l.reason).toBeInstanceOf(WrongExpectedRevisionError);
          expect(await store.readStream(streamId)).toHaveLength(2);
        }
      });
    });

    describe('idempotency', () => {
      it('re-appending the same event ids writes nothing new and returns the same result', async () => {
        const streamId = streamIn(uniqueCategory());
        const events = [testEvent(), testEvent()];
        const first = await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM });
        const again = await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM });
        expect(again).toEqual({ ...first, idempotent: true });
        const anyAgain = await store.appendToStream(streamId, events, { expectedRevision: ANY });
        expect(anyAgain.nextExpectedRevision).toBe(1);
        expect(await store.readStream(streamId)).toHaveLength(2);
      });

      it('refuses ids that were appended only in part or to another stream', async () => {
        const streamId = streamIn(uniqueCategory());
        const events = [testEvent(), testEvent()];
        await store.appendToStream(streamId, events, { expectedRevision: NO_STREAM });
        await expect(store.appendToStream(streamId, [events[0]!, testEvent()], { expectedRevision: ANY })).rejects.toBeInstanceOf(DuplicateEventIdError);
        const elsewhere = store.appendToStream(streamIn(uniqueCategory()), events, { expectedRevision: ANY });
        if (harness.refusesIdsOfOtherStreams) await expect(elsewhere).rejects.toBeInstanceOf(DuplicateEventIdError);
        else await expect(elsewhere).resolves.toMatchObject({ idempotent: false });
        expect(await store.readStream(streamId)).toHaveLength(2);
      });
    });

    describe('bad input', () => {
      it.each([
        ['a stream id without category', 'nocategory', [testEvent()]],
        ['a stream id with spaces', 'customer-a b', [testEvent()]],
        ['an event type without version', 'customer-1', [testEvent('ThingHappened')]],
        ['no events', 'customer-1', []],
      ])('refuses %s and writes nothing', async (_label, streamId, events) => {
        await expect(store.appendToStream(streamId, events, { expectedRevision: ANY })).rejects.toBeInstanceOf(InvalidEventStoreRequestError);
      });

      it('refuses an append whose event ids repeat', async () => {
        const e = testEvent();
        const streamId = streamIn(uniqueCategory());
        await expect(store.appendToStream(streamId, [e, e], { expectedRevision: ANY })).rejects.toBeInstanceOf(InvalidEventStoreRequestError);
        expect(await store.readStream(streamId)).toEqual([]);
      });
    });

    describe('the global log', () => {
      it('reads from a position in order, paging without gaps, filtered by category in the store', async () => {
        const category = uniqueCategory();
        const other = uniqueCategory();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const e = [testEvent('ThingHappened.v1', { i }), testEvent('ThingHappened.v1', { i, second: true })];
          ids.push(...e.map((x) => x.id));
          await store.appendToStream(streamIn(category), e, { expectedRevision: NO_STREAM });
          await store.appendToStream(streamIn(other), [testEvent()], { expectedRevision: NO_STREAM });
        }
        const filter = { streamCategories: [category] };
        // Global reads stop at the visibility horizon, which other work on the server may hold back briefly.
        await expectEventually(async () => {
          const seen: RecordedEvent[] = [];
          let after = undefined as RecordedEvent['globalPosition'] | undefined;
          for (;;) {
            const page = await store.readAll({ ...(after ? { after } : {}), maxCount: 3, filter });
            if (page.length === 0) break;
            seen.push(...page);
            after = page[page.length - 1]!.globalPosition;
          }
          expect(seen.map((e) => e.id)).toEqual(ids);
          expect(positionsAscending(seen)).toBe(true);
        }, 10_000);
      });

      it('filters by event type in the store', async () => {
        const category = uniqueCategory();
        const type = `Only${category}.v1`;
        await store.appendToStream(streamIn(category), [testEvent(type), testEvent('Other.v1'), testEvent(type)], {
          expectedRevision: NO_STREAM,
        });
        await expectEventually(async () => {
          const read = await store.readAll({ filter: { eventTypes: [type] } });
          expect(read).toHaveLength(2);
          expect(read.every((e) => e.type === type)).toBe(true);
        }, 10_000);
      });

      it('knows its head and counts what lies after a position', async () => {
        const category = uniqueCategory();
        const first = await store.appendToStream(streamIn(category), [testEvent()], { expectedRevision: NO_STREAM });
        await store.appendToStream(streamIn(category), [testEvent(), testEvent()], { expectedRevision: NO_STREAM });
        const head = await store.headPosition();
        expect(head).not.toBeNull();
        expect(comparePositions(head!, first.position)).toBeGreaterThan(0);
        await expect(store.countAfter(first.position, { streamCategories: [category] }, 1000)).resolves.toBe(2);
        await expect(store.countAfter(undefined, { streamCategories: [category] }, 1000)).resolves.toBe(3);
        await expect(store.countAfter(undefined, { streamCategories: [category] }, 2)).resolves.toBe(2);
      });
    });

    describe('subscriptions', () => {
      it('catches up, then delivers live events', async () => {
        const category = uniqueCategory();
        const before = [testEvent(), testEvent()];
        await store.appendToStream(streamIn(category), before, { expectedRevision: NO_STREAM });
        const subscription = store.subscribeToAll({ filter: { streamCategories: [category] } });
        const reader = new SubscriptionReader(subscription);
        try {
          const caughtUp = await reader.take(2);
          expect(caughtUp.map((e) => e.id)).toEqual(before.map((e) => e.id));
          const live = [testEvent(), testEvent(), testEvent()];
          await store.appendToStream(streamIn(category), live, { expectedRevision: NO_STREAM });
          const received = await reader.take(3);
          expect(received.map((e) => e.id)).toEqual(live.map((e) => e.id));
        } finally {
          await subscription.close();
        }
      });

      it('resumes from a checkpoint with no loss and no duplicate', async () => {
        const category = uniqueCategory();
        const all: string[] = [];
        const append = async (n: number): Promise<void> => {
          for (let i = 0; i < n; i++) {
            const e = testEvent('ThingHappened.v1', { i });
            all.push(e.id);
            await store.appendToStream(streamIn(category), [e], { expectedRevision: NO_STREAM });
          }
        };
        await append(7);
        const filter = { streamCategories: [category] };
        const first = store.subscribeToAll({ filter, batchSize: 3 });
        const firstPart = await new SubscriptionReader(first).take(4);
        await first.close();
        // The consumer checkpoints after each batch; it may have received more than it needed.
        const handled = firstPart.slice(0, 4);
        const checkpoint = handled[handled.length - 1]!.globalPosition;
        await append(5);
        const second = store.subscribeToAll({ filter, after: checkpoint, batchSize: 3 });
        const rest = await new SubscriptionReader(second).take(all.length - handled.length);
        await second.close();
        expect([...handled, ...rest].map((e) => e.id)).toEqual(all);
      });

      it('never skips an event whose transaction commits after a later one', async () => {
        const category = uniqueCategory();
        const filter = { streamCategories: [category] };
        const subscription = store.subscribeToAll({ filter });
        const reader = new SubscriptionReader(subscription);
        try {
          const early = testEvent('ThingHappened.v1', { early: true });
          const held = await harness.holdAppend(streamIn(category), [early]);
          const late = testEvent('ThingHappened.v1', { late: true });
          await store.appendToStream(streamIn(category), [late], { expectedRevision: NO_STREAM });
          const whileHeld = await reader.take(2, 750);
          await held.commit();
          const afterCommit = await reader.take(2 - whileHeld.length);
          const delivered = [...whileHeld, ...afterCommit];
          expect(delivered.map((e) => e.id).sort()).toEqual([early.id, late.id].sort());
          expect(positionsAscending(delivered)).toBe(true);
          // A reader that checkpointed after what it saw while the transaction was open lost nothing.
          await expectEventually(async () => {
            const fromStart = await store.readAll({ filter });
            expect(fromStart.map((e) => e.id)).toEqual(delivered.map((e) => e.id));
          }, 10_000);
        } finally {
          await subscription.close();
        }
      });

      it('filters a subscription by event type in the store', async () => {
        const category = uniqueCategory();
        const wanted = `Wanted${category}.v1`;
        const subscription = store.subscribeToAll({ filter: { eventTypes: [wanted] } });
        const reader = new SubscriptionReader(subscription);
        try {
          await store.appendToStream(streamIn(category), [testEvent('Unwanted.v1'), testEvent(wanted), testEvent('Unwanted.v1')], {
            expectedRevision: NO_STREAM,
          });
          const received = await reader.take(1);
          expect(received.map((e) => e.type)).toEqual([wanted]);
          expect(await reader.take(1, 300)).toEqual([]);
        } finally {
          await subscription.close();
        }
      });
    });

    it('reads a 10k-event stream back in order', async () => {
      const streamId = streamIn(uniqueCategory());
      for (let batch = 0; batch < 10; batch++) {
        const events = Array.from({ length: 1000 }, (_, i) => testEvent('ThingHappened.v1', { n: batch * 1000 + i }));
        await store.appendToStream(streamId, events, { expectedRevision: batch === 0 ? NO_STREAM : batch * 1000 - 1 });
      }
      const read = await store.readStream(streamId, { maxCount: 20_000 });
      expect(read).toHaveLength(10_000);
      expect(read.every((e, i) => e.streamPosition === i && e.data['n'] === i)).toBe(true);
      expect(positionsAscending(read)).toBe(true);
    }, 120_000);
  });
}
