import {
  BACKWARDS,
  END,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  comparePositions,
  EventStoreUnavailableError,
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
} from '@attest/event-store';
import { isJsonObject } from '@attest/kernel';
import {
  decodeKurrentPosition,
  encodeKurrentPosition,
  toKurrentFilter,
  toStreamState,
  USER_EVENTS_ONLY,
} from './kurrentdb-mapping';

export interface KurrentDbEventStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false` */
  readonly connectionString: string;
}

type AnyResolved = ResolvedEvent | AllStreamResolvedEvent;

/**
 * The production event store: KurrentDB through `@kurrent/kurrentdb-client`.
 * Positions are (commit, prepare) pairs; expected revisions and errors map
 * one to one onto the port (ADR 0001).
 */
export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb' as const;
  private readonly client: KurrentDBClient;
  private readonly subscriptions = new Set<EventSubscription>();

  constructor(options: KurrentDbEventStoreOptions) {
    this.client = KurrentDBClient.connectionString(options.connectionString);
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    validateAppend(streamId, events, options.expectedRevision);
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: { ...e.metadata } })),
        { streamState: toStreamState(options.expectedRevision) },
      );
      const next = Number(result.nextExpectedRevision);
      if (result.position) {
        return { nextExpectedRevision: next, position: encodeKurrentPosition(result.position), idempotent: false };
      }
      // KurrentDB answers an idempotent re-append without a position: look up the original.
      const [last] = await this.readStream(streamId, { fromRevision: next, maxCount: 1 });
      if (!last) throw new EventStoreUnavailableError('append succeeded without a position');
      return { nextExpectedRevision: next, position: last.globalPosition, idempotent: true };
    } catch (error) {
      throw this.mapError(error, streamId, options);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const out: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
        maxCount: options.maxCount ?? 1000,
      });
      for await (const resolved of read) {
        const event = toRecorded(resolved);
        if (event) out.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw this.mapError(error);
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    validateFilter(options.filter);
    const limit = options.maxCount ?? 1000;
    const after = options.after;
    const out: RecordedEvent[] = [];
    try {
      // $all reads are inclusive of fromPosition: ask for one more and drop it.
      const read = this.client.readAll({
        direction: FORWARDS,
        fromPosition: after ? decodeKurrentPosition(after) : START,
        maxCount: after ? limit + 1 : limit,
        filter: toKurrentFilter(options.filter) ?? USER_EVENTS_ONLY,
      });
      for await (const resolved of read) {
        const event = toRecorded(resolved);
        if (!event || (after && comparePositions(event.globalPosition, after) <= 0)) continue;
        out.push(event);
        if (out.length === limit) break;
      }
    } catch (error) {
      throw this.mapError(error);
    }
    return out;
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
        filter: toKurrentFilter(options.filter) ?? USER_EVENTS_ONLY,
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

  async headPosition(): Promise<GlobalPosition | null> {
    try {
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        filter: USER_EVENTS_ONLY,
      })) {
        const event = toRecorded(resolved);
        if (event) return event.globalPosition;
      }
      return null;
    } catch (error) {
      throw this.mapError(error);
    }
  }

  async countAfter(after: GlobalPosition | undefined, filter: EventFilter | undefined, cap: number): Promise<number> {
    let count = 0;
    let cursor = after;
    while (count < cap) {
      const page = await this.readAll({ ...(cursor ? { after: cursor } : {}), ...(filter ? { filter } : {}), maxCount: Math.min(1000, cap - count) });
      const last = page[page.length - 1];
      if (!last) break;
      count += page.length;
      cursor = last.globalPosition;
    }
    return count;
  }

  async ping(): Promise<void> {
    await this.headPosition();
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  private async assertCheckpointKnown(after: GlobalPosition): Promise<void> {
    const head = await this.headPosition();
    if (!head || comparePositions(after, head) > 0) {
      throw new UnknownCheckpointError('the checkpoint lies beyond the newest event of this store; rebuild the subscriber');
    }
  }

  private mapError(error: unknown, streamId?: string, options?: AppendOptions): Error {
    if (error instanceof InvalidEventStoreRequestError || error instanceof EventStoreUnavailableError) return error;
    if (error instanceof WrongExpectedVersionError && streamId && options) {
      const actual = error.actualState;
      return new WrongExpectedRevisionError(streamId, options.expectedRevision, actual === 'no_stream' ? 'no_stream' : Number(actual));
    }
    if (error instanceof UnknownCheckpointError) return error;
    return new EventStoreUnavailableError('KurrentDB request failed', { cause: error });
  }
}

function toRecorded(resolved: AnyResolved): RecordedEvent | null {
  const event = resolved.event;
  if (!event?.isJson || event.type.startsWith('$')) return null;
  const json = event;
  if (!isJsonObject(json.data) || !isJsonObject(json.metadata) || !event.position) return null;
  return {
    id: event.id,
    type: event.type,
    data: json.data,
    metadata: json.metadata as unknown as EventMetadata,
    streamId: event.streamId,
    streamPosition: Number(event.revision),
    globalPosition: encodeKurrentPosition(event.position),
    recordedAt: event.created,
  };
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
