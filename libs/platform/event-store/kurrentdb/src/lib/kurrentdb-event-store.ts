import {
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  START,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  assertPositionOfStore,
  comparePositions,
  DuplicateEventIdError,
  EventStoreOutcomeUnknownError,
  EventStoreUnavailableError,
  NO_STREAM,
  readWholeStream,
  InvalidEventStoreRequestError,
  UnknownCheckpointError,
  validateAppend,
  validateFilter,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventBatch,
  type EventFilter,
  type EventMetadata,
  type EventStore,
  type EventSubscription,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type ExpectedRevision,
  isValidEventType,
} from '@attest/event-store';
import { isJsonObject, type JsonObject, type JsonValue } from '@attest/kernel';
import { ATTEST_EVENTS_ONLY, checkConnectionString, decodeKurrentPosition, encodeKurrentPosition, toKurrentFilter, toStreamState } from './kurrentdb-mapping';

/** The part of `KurrentDBClient` the adapter uses: the boundary its unit tests stand in for. */
export type KurrentClient = Pick<KurrentDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'>;

export interface KurrentDbEventStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false`, a seed list `kurrentdb://a:2113,b:2113`, or `kurrentdb+discover://cluster:2113`. */
  readonly connectionString: string;
  /** Deadline of one read (a page, a stream, the head) and of one append attempt; default 10 s. */
  readonly deadlineMs?: number;
  /** Attempts of an append whose answer did not come (same event ids: a repeat is recognised); default 3. */
  readonly appendAttempts?: number;
  /** Only for unit tests at the client boundary. */
  readonly client?: KurrentClient;
}

type AnyResolved = ResolvedEvent | AllStreamResolvedEvent;

/** A page of `$all` as the server returned it: Attest's events, and where the page ended. */
interface AllPage {
  readonly events: RecordedEvent[];
  /** Server events read (Attest's or not): fewer than asked means the end of the log. */
  readonly read: number;
  readonly last: Position | null;
}

/** Whether an append's events are already in the stream, as a whole, in part or not at all. */
type Repeat = { readonly kind: 'none' } | { readonly kind: 'whole'; readonly last: RecordedEvent } | { readonly kind: 'part' };

/** Events of `$all` read per server request while paging. */
const PAGE = 1000;
/** `countAfter` counts exactly up to this many events; beyond, it estimates from log positions. */
const EXACT_COUNT = 1000;

/**
 * The production event store: KurrentDB through `@kurrent/kurrentdb-client`
 * (written against server 25.1 and client 1.3; ADR 0001 says what has been run).
 * Positions are (commit, prepare) pairs; expected revisions and errors map one
 * to one onto the port. Every read that must see the latest writes goes to the
 * leader; every read and append has a deadline; only Attest's events (types
 * `Name.vN` with Attest's metadata) are read, whatever else the server holds.
 */
export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb' as const;
  private readonly client: KurrentClient;
  private readonly subscriptions = new Set<EventSubscription>();
  private readonly deadlineMs: number;
  private readonly appendAttempts: number;
  private pinging: Promise<GlobalPosition | null> | null = null;

  constructor(options: KurrentDbEventStoreOptions) {
    checkConnectionString(options.connectionString);
    this.client = options.client ?? KurrentDBClient.connectionString(options.connectionString);
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.appendAttempts = options.appendAttempts ?? 3;
  }

  /**
   * The server recognises a repeat by event id only per stream, only among recent
   * events for `any`/`stream_exists`, and answers a repeat exactly like a first
   * write (since 22.10 with the original position). So the adapter looks first:
   * the events where this append would land (an exact revision) or the stream's
   * last events (`any`, `stream_exists`). All of them there: the original result,
   * `idempotent: true`, nothing sent. Some: `DuplicateEventIdError`. An append
   * whose answer does not come is tried again with the same ids (safe by the
   * same look); still nothing: `EventStoreOutcomeUnknownError`.
   */
  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    validateAppend(streamId, events, options.expectedRevision);
    const expected = options.expectedRevision;
    // Where this append's events can be: after the expected revision, or (`any`, `stream_exists`)
    // after the stream's end as the first look found it, wherever other writers' events land.
    let since: number | null = null;
    let sent = false;
    let lastFailure: unknown = null;
    for (let attempt = 1; attempt <= this.appendAttempts; attempt++) {
      let repeat: Repeat;
      try {
        ({ repeat, since } = await this.repeatOf(streamId, events, expected, since));
      } catch (error) {
        // A look that fails after an unanswered attempt: the events may be written.
        if (sent) throw this.outcomeUnknown(streamId, error);
        throw error;
      }
      if (repeat.kind === 'whole') return { nextExpectedRevision: repeat.last.streamPosition, position: repeat.last.globalPosition, idempotent: true };
      if (repeat.kind === 'part') throw new DuplicateEventIdError(streamId);
      try {
        return await this.appendOnce(streamId, events, expected);
      } catch (error) {
        if (error instanceof EventStoreOutcomeUnknownError) throw error;
        if (!unanswered(error)) return await this.afterRefusal(error, streamId, events, expected, since, sent);
        // No answer: written or not, the next look tells.
        sent = true;
        lastFailure = error;
      }
    }
    throw this.outcomeUnknown(streamId, lastFailure, `KurrentDB did not answer ${String(this.appendAttempts)} append attempts`);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    try {
      const resolved = await this.collect(
        this.client.readStream(streamId, {
          direction: backwards ? BACKWARDS : FORWARDS,
          fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
          maxCount: options.maxCount ?? 1000,
          requiresLeader: true,
          deadline: this.deadlineMs,
        }),
        `read of stream ${streamId}`,
      );
      return resolved.map(toRecorded).filter((e): e is RecordedEvent => e !== null);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw this.mapError(error);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    validateFilter(options.filter);
    if (options.after) assertPositionOfStore('kdb', options.after);
    const limit = options.maxCount ?? 1000;
    const out: RecordedEvent[] = [];
    let after = options.after;
    let from: Position | typeof START = after ? decodeKurrentPosition(after) : START;
    // Events the adapter drops (another application's; the server's `from` is inclusive, so the
    // event at `after` comes back) count against the server's maxCount: page on until `limit`
    // of Attest's events or the end of the log, never an empty page mid-log.
    for (;;) {
      // One more than still wanted: the event at `after` comes back first.
      const size = Math.min(PAGE, limit - out.length + 1);
      const page = await this.readAllPage(from, size, options.filter);
      for (const event of page.events) {
        if (after && comparePositions(event.globalPosition, after) <= 0) continue;
        out.push(event);
        if (out.length === limit) return out;
      }
      if (page.read < size || !page.last) return out;
      from = page.last;
      after = encodeKurrentPosition(page.last);
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): EventSubscription {
    validateFilter(options.filter);
    const batchSize = options.batchSize ?? 500;
    const after = options.after;
    let buffer: SubscriptionBuffer | null = null;

    const open = async (): Promise<SubscriptionBuffer> => {
      if (after) await this.assertCheckpointKnown(after);
      const source = this.client.subscribeToAll({
        fromPosition: after ? decodeKurrentPosition(after) : START,
        filter: toKurrentFilter(options.filter) ?? ATTEST_EVENTS_ONLY,
      });
      buffer = new SubscriptionBuffer(source, after, batchSize);
      return buffer;
    };

    const mapError = (error: unknown): Error => this.mapError(error);
    const iterate = async function* (): AsyncGenerator<EventBatch> {
      const opened = await open();
      try {
        for (;;) {
          const batch = await opened.next().catch((error: unknown) => {
            throw mapError(error);
          });
          if (!batch) return;
          yield batch;
        }
      } finally {
        await opened.close();
      }
    };

    const generator = iterate();
    const handle: EventSubscription = {
      [Symbol.asyncIterator]: () => generator,
      close: async () => {
        this.subscriptions.delete(handle);
        await buffer?.close();
        await generator.return(undefined);
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  /** The newest Attest event, read on the leader (a follower may lag behind). */
  async headPosition(): Promise<GlobalPosition | null> {
    try {
      const resolved = await this.collect(
        this.client.readAll({
          direction: BACKWARDS,
          fromPosition: END,
          maxCount: PAGE,
          filter: ATTEST_EVENTS_ONLY,
          requiresLeader: true,
          deadline: this.deadlineMs,
        }),
        'read of the head of $all',
        (r) => toRecorded(r) !== null,
      );
      const newest = resolved.map(toRecorded).find((e) => e !== null);
      return newest?.globalPosition ?? null;
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /**
   * Exact up to 1,000 events; beyond, an estimate from the distance in the
   * transaction log (bytes) divided by the mean size of the events counted, so a
   * `/metrics` scrape never pages through the whole log.
   */
  async countAfter(after: GlobalPosition | undefined, filter: EventFilter | undefined, cap: number): Promise<number> {
    const exact = await this.readAll({ ...(after ? { after } : {}), ...(filter ? { filter } : {}), maxCount: Math.min(cap, EXACT_COUNT + 1) });
    if (exact.length <= EXACT_COUNT || cap <= EXACT_COUNT) return Math.min(exact.length, cap);
    const head = await this.headPosition();
    const first = exact[0];
    const last = exact[exact.length - 1];
    if (!head || !first || !last) return Math.min(exact.length, cap);
    const span = Number(decodeKurrentPosition(last.globalPosition).commit - decodeKurrentPosition(first.globalPosition).commit);
    const rest = Number(decodeKurrentPosition(head).commit - decodeKurrentPosition(last.globalPosition).commit);
    const perEvent = span / Math.max(1, exact.length - 1);
    return Math.min(cap, exact.length + (perEvent > 0 ? Math.round(rest / perEvent) : 0));
  }

  /**
   * One ping at a time: a read that timed out cannot be cancelled in the client
   * (its bridge iterator has no `return`), so a readiness probe that keeps
   * timing out reuses the pending read instead of piling up new ones.
   */
  async ping(): Promise<void> {
    this.pinging ??= this.headPosition().finally(() => {
      this.pinging = null;
    });
    await this.pinging;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  /**
   * The events at the place this append would land, compared by id. An exact
   * revision names the place. For `any` and `stream_exists` the first look reads
   * the stream's last events and remembers the stream's end (`since`); a look
   * after an unanswered attempt reads everything after that end, so events
   * other writers appended meanwhile neither hide ours nor pass for them.
   */
  private async repeatOf(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    since: number | null,
  ): Promise<{ repeat: Repeat; since: number | null }> {
    const ids = events.map((e) => e.id);
    if (typeof expected === 'number' || expected === NO_STREAM) {
      const there = await this.readStream(streamId, { fromRevision: expected === NO_STREAM ? 0 : expected + 1, maxCount: ids.length });
      return { repeat: compareRun(ids, there), since };
    }
    if (since === null) {
      const tail = (await this.readStream(streamId, { direction: 'backwards', maxCount: ids.length })).reverse();
      return { repeat: compareRun(ids, tail), since: tail[tail.length - 1]?.streamPosition ?? -1 };
    }
    const after = await readWholeStream(this, streamId, { fromRevision: since + 1 });
    const ours = after.filter((e) => ids.includes(e.id));
    const last = ours[ours.length - 1];
    if (ours.length === ids.length && last && ours.every((e, i) => e.id === ids[i])) return { repeat: { kind: 'whole', last }, since };
    return { repeat: ours.length > 0 ? { kind: 'part' } : { kind: 'none' }, since };
  }

  private async appendOnce(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const result = await this.client.appendToStream(
      streamId,
      events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: { ...e.metadata } })),
      { streamState: toStreamState(expected), requiresLeader: true, deadline: this.deadlineMs },
    );
    // `throwOnAppendFailure=false` in the connection string: a conflict is a result, not an error.
    // Its revision cannot be trusted (the client's batch append reports 1 for any existing
    // stream), so the leader is asked.
    if (!result.success) {
      const [newest] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      throw new WrongExpectedRevisionError(streamId, expected, newest ? newest.streamPosition : 'no_stream');
    }
    const next = Number(result.nextExpectedRevision);
    if (result.position) return { nextExpectedRevision: next, position: encodeKurrentPosition(result.position), idempotent: false };
    // A repeat the server recognised (that the look missed) may come back without a position
    // (servers before 22.10; any server that cannot read the original back): the leader is asked.
    try {
      const [last] = await this.readStream(streamId, { fromRevision: next, maxCount: 1 });
      if (last) return { nextExpectedRevision: next, position: last.globalPosition, idempotent: true };
    } catch (error) {
      throw this.outcomeUnknown(streamId, error, 'KurrentDB accepted the append without a position, and its last event cannot be read');
    }
    throw this.outcomeUnknown(streamId, null, 'KurrentDB accepted the append without a position, and its last event cannot be read');
  }

  /**
   * A refusal: a repeat the server saw first (another attempt's events landed
   * meanwhile), part of the ids reused (the server says "wrong expected
   * version" for that too), or a real conflict.
   */
  private async afterRefusal(
    error: unknown,
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    since: number | null,
    sent: boolean,
  ): Promise<AppendResult> {
    const conflict = error instanceof WrongExpectedRevisionError || error instanceof WrongExpectedVersionError;
    if (!conflict) {
      if (sent) throw this.outcomeUnknown(streamId, error);
      throw this.mapError(error, streamId, expected);
    }
    let repeat: Repeat;
    try {
      ({ repeat } = await this.repeatOf(streamId, events, expected, since));
    } catch (lookFailed) {
      if (sent) throw this.outcomeUnknown(streamId, lookFailed);
      throw this.mapError(lookFailed);
    }
    if (repeat.kind === 'whole') return { nextExpectedRevision: repeat.last.streamPosition, position: repeat.last.globalPosition, idempotent: true };
    if (repeat.kind === 'part') throw new DuplicateEventIdError(streamId);
    throw this.mapError(error, streamId, expected);
  }

  private outcomeUnknown(streamId: string, cause: unknown, why = 'an append got no answer and what followed failed'): EventStoreOutcomeUnknownError {
    return new EventStoreOutcomeUnknownError(`stream ${streamId}: ${why}; the events may be written (appending them again with the same ids is safe)`, {
      cause,
    });
  }

  private async readAllPage(from: Position | typeof START, maxCount: number, filter: EventFilter | undefined): Promise<AllPage> {
    try {
      const resolved = await this.collect(
        this.client.readAll({
          direction: FORWARDS,
          fromPosition: from,
          maxCount,
          filter: toKurrentFilter(filter) ?? ATTEST_EVENTS_ONLY,
          requiresLeader: true,
          deadline: this.deadlineMs,
        }),
        'read of $all',
      );
      const lastEvent = resolved[resolved.length - 1]?.event;
      return { events: resolved.map(toRecorded).filter((e): e is RecordedEvent => e !== null), read: resolved.length, last: lastEvent?.position ?? null };
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /**
   * Reads an iterable to its end within the deadline (the client's reads take
   * none: a read could otherwise hang); `until` stops early at the first match.
   */
  private async collect<T>(source: AsyncIterable<T>, what: string, until?: (item: T) => boolean): Promise<T[]> {
    const iterator = source[Symbol.asyncIterator]();
    const items: T[] = [];
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new EventStoreUnavailableError(`KurrentDB: the ${what} took longer than ${String(this.deadlineMs)} ms`));
      }, this.deadlineMs);
    });
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), expired]);
        if (next.done) return items;
        items.push(next.value);
        if (until?.(next.value)) return items;
      }
    } finally {
      clearTimeout(timer);
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
  }

  /**
   * A checkpoint is known when the leader holds an Attest event exactly at it:
   * a position past the head (a restored store), between events (another
   * store's numbering) or of another adapter is unknown, and the subscriber rebuilds.
   */
  private async assertCheckpointKnown(after: GlobalPosition): Promise<void> {
    assertPositionOfStore('kdb', after);
    const page = await this.readAllPage(decodeKurrentPosition(after), 1, undefined);
    const first = page.events[0];
    if (!first || first.globalPosition !== after) {
      throw new UnknownCheckpointError('the checkpoint names no event of this store (restored to an earlier state, or another store); rebuild the subscriber');
    }
  }

  private mapError(error: unknown, streamId?: string, expected?: ExpectedRevision): Error {
    if (error instanceof InvalidEventStoreRequestError || error instanceof EventStoreUnavailableError || error instanceof UnknownCheckpointError) return error;
    if (error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError || error instanceof EventStoreOutcomeUnknownError) return error;
    if (error instanceof WrongExpectedVersionError && streamId !== undefined && expected !== undefined) {
      const actual = error.actualState;
      return new WrongExpectedRevisionError(streamId, expected, actual === 'no_stream' ? 'no_stream' : Number(actual));
    }
    return new EventStoreUnavailableError('KurrentDB request failed', { cause: error });
  }
}

/** `ids` compared with the events where they would be: all there in order, some there, or none. */
function compareRun(ids: readonly string[], there: readonly RecordedEvent[]): Repeat {
  const last = there[there.length - 1];
  if (last && there.length === ids.length && there.every((e, i) => e.id === ids[i])) return { kind: 'whole', last };
  return there.some((e) => ids.includes(e.id)) ? { kind: 'part' } : { kind: 'none' };
}

/** An append that got no answer: it may have been written. */
function unanswered(error: unknown): boolean {
  return error instanceof DeadlineExceededError || error instanceof TimeoutError || error instanceof UnavailableError || error instanceof CancelledError;
}

function toRecorded(resolved: AnyResolved): RecordedEvent | null {
  const event = resolved.event;
  if (!event?.isJson || event.type.startsWith('$')) return null;
  const json = event;
  if (!isValidEventType(event.type) || !isJsonObject(json.data) || !isJsonObject(json.metadata) || !event.position) return null;
  // Another application's event of the same naming form: Attest's always carry its metadata.
  const metadata = metadataOf(json.metadata);
  if (!metadata) return null;
  return {
    id: event.id,
    type: event.type,
    data: json.data,
    metadata,
    streamId: event.streamId,
    streamPosition: Number(event.revision),
    globalPosition: encodeKurrentPosition(event.position),
    recordedAt: event.created,
  };
}

/** Attest's event metadata, when the stored metadata is that (tenant, actor, correlation, times); else null. */
function metadataOf(m: JsonObject): EventMetadata | null {
  const text = (v: JsonValue | undefined): v is string => typeof v === 'string';
  const { tenantId, actor, correlationId, causationId, commandId, occurredAt, purpose } = m;
  if (!text(tenantId) || !text(actor) || !text(correlationId) || !text(occurredAt)) return null;
  if (!(causationId === null || text(causationId)) || !(commandId === null || text(commandId))) return null;
  return { tenantId, actor, correlationId, causationId, commandId, occurredAt, ...(text(purpose) ? { purpose } : {}) };
}

/**
 * Turns the client's push-based subscription into pulled batches: events
 * queue up (the stream pauses when the queue is long), `next()` hands out at
 * most `batchSize` of them, and an empty batch marks the end of catch-up.
 */
class SubscriptionBuffer {
  private readonly queue: RecordedEvent[] = [];
  private caughtUp = false;
  private announced = false;
  private failure: Error | null = null;
  private ended = false;
  private waiter: (() => void) | null = null;

  constructor(
    private readonly source: AllStreamSubscription,
    private readonly after: GlobalPosition | undefined,
    private readonly batchSize: number,
  ) {
    source.on('data', (resolved: AllStreamResolvedEvent) => {
      const event = toRecorded(resolved);
      if (event && !(this.after && comparePositions(event.globalPosition, this.after) <= 0)) this.queue.push(event);
      if (this.queue.length >= this.batchSize * 2) source.pause();
      this.wake();
    });
    source.on('caughtUp', () => {
      this.caughtUp = true;
      this.wake();
    });
    source.on('error', (error: Error) => {
      this.failure = error;
      this.wake();
    });
    source.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** The next batch, or null when the subscription ended. */
  async next(): Promise<EventBatch | null> {
    for (;;) {
      if (this.queue.length > 0) {
        const events = this.queue.splice(0, this.batchSize);
        if (this.source.isPaused() && this.queue.length < this.batchSize) this.source.resume();
        const atHead = this.caughtUp && this.queue.length === 0;
        if (atHead) this.announced = true;
        return { events, caughtUp: atHead };
      }
      if (this.caughtUp && !this.announced) {
        this.announced = true;
        return { events: [], caughtUp: true };
      }
      if (this.failure !== null) throw this.failure;
      if (this.ended) return null;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  async close(): Promise<void> {
    this.ended = true;
    this.wake();
    await this.source.unsubscribe().catch(() => undefined);
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}
