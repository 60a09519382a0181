import { EventEmitter } from 'node:events';
import {
  DeadlineExceededError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendResult,
  type AppendStreamState,
  type EventData,
  type Filter,
  type Position,
  type ReadPosition,
  type ReadRevision,
} from '@kurrent/kurrentdb-client';
import type { KurrentClient } from '../kurrentdb-event-store';

/** What a request asked for, as the client would send it (the tests check leader reads and deadlines). */
export interface SentRequest {
  readonly call: 'appendToStream' | 'readStream' | 'readAll';
  readonly streamId?: string;
  readonly requiresLeader: boolean;
  readonly deadline: number | undefined;
  readonly maxCount?: number;
}

interface Stored {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly revision: bigint;
  readonly position: Position;
  readonly created: Date;
}

interface ReadOptions {
  readonly maxCount?: number | bigint;
  readonly fromRevision?: ReadRevision;
  readonly fromPosition?: ReadPosition;
  readonly direction?: 'forwards' | 'backwards';
  readonly filter?: Filter;
  readonly requiresLeader?: boolean;
  readonly deadline?: number;
}

/**
 * A stand-in for a KurrentDB 25.1 server at the client boundary, answering
 * as the server's source says it does (src/KurrentDB.Core/Services/Storage/
 * ReaderIndex/IndexWriter.cs `CheckCommit`, Services/Transport/Grpc/
 * Streams.Append.cs) and with the client 1.3.1's result and error types:
 * - an exact revision or `no_stream` behind the stream's end: the events at the
 *   following revisions are compared by id; all equal → success with the
 *   original last revision and the original position (servers since 22.10);
 *   the first differs → wrong expected version; a later one differs
 *   ("corrupted idempotency") → wrong expected version;
 * - `any` / `stream_exists`: ids are looked up among the stream's recent events
 *   only (`recentIds`), in this stream only: an id written to another stream
 *   is not a repeat, and is written again;
 * - `throwOnAppendFailure=false`: a conflict is `{ success: false }`, not an error;
 * - reads without `requiresLeader` are served by a follower that has applied
 *   only the first `followerApplied` events.
 * It is not the server: the contract suite against a real one is the test of record.
 */
export class RecordedServer {
  readonly sent: SentRequest[] = [];
  private readonly log: Stored[] = [];
  private nextPosition = 1000n;
  /** How many of the latest events of a stream the server's idempotency cache holds for `any`. */
  recentIds = 100;
  throwOnAppendFailure = true;
  /** Events a follower has applied (null: as many as the leader). */
  followerApplied: number | null = null;
  /** The next appends are written but their answers lost: the client sees DeadlineExceededError. */
  loseAnswers = 0;
  /** The next appends are neither written nor answered. */
  dropAppends = 0;
  /** Reads that never answer. */
  hangReads = false;

  readonly client: KurrentClient;

  constructor() {
    const appendToStream = (
      streamId: string,
      events: EventData | EventData[],
      options: { streamState?: AppendStreamState; requiresLeader?: boolean; deadline?: number } = {},
    ): Promise<AppendResult> => {
      this.sent.push({ call: 'appendToStream', streamId, requiresLeader: options.requiresLeader ?? false, deadline: options.deadline });
      return Promise.resolve().then(() => this.append(streamId, Array.isArray(events) ? events : [events], options.streamState ?? 'any'));
    };
    const readStream = (streamId: string, options: ReadOptions = {}): AsyncIterable<{ event: ReturnType<RecordedServer['recorded']> }> => {
      this.sent.push({
        call: 'readStream',
        streamId,
        requiresLeader: options.requiresLeader ?? false,
        deadline: options.deadline,
        maxCount: Number(options.maxCount ?? Number.MAX_SAFE_INTEGER),
      });
      return this.iterate(() => this.readStreamNow(streamId, options));
    };
    const readAll = (options: ReadOptions = {}): AsyncIterable<AllStreamResolvedEvent> => {
      this.sent.push({
        call: 'readAll',
        requiresLeader: options.requiresLeader ?? false,
        deadline: options.deadline,
        maxCount: Number(options.maxCount ?? Number.MAX_SAFE_INTEGER),
      });
      return this.iterate(() => this.readAllNow(options));
    };
    this.client = {
      appendToStream,
      readStream,
      readAll,
      subscribeToAll: (options: ReadOptions = {}) => this.subscribe(options),
      dispose: () => Promise.resolve(),
    } as unknown as KurrentClient;
  }

  /** Writes events of another application (or any raw event) straight into the log. */
  write(streamId: string, type: string, metadata: unknown = {}): Position {
    const revision = BigInt(this.log.filter((e) => e.streamId === streamId).length);
    const position = this.take();
    this.log.push({ streamId, id: crypto.randomUUID(), type, data: {}, metadata, revision, position, created: new Date() });
    return position;
  }

  get size(): number {
    return this.log.length;
  }

  private take(): Position {
    const position = { commit: this.nextPosition, prepare: this.nextPosition };
    this.nextPosition += 97n;
    return position;
  }

  private append(streamId: string, events: readonly EventData[], state: AppendStreamState): AppendResult {
    if (this.dropAppends > 0) {
      this.dropAppends -= 1;
      throw new DeadlineExceededError();
    }
    const stream = this.log.filter((e) => e.streamId === streamId);
    const current = BigInt(stream.length) - 1n;
    const ids = events.map((e) => e.id);
    const conflict = (): AppendResult => {
      if (this.throwOnAppendFailure)
        throw new WrongExpectedVersionError(undefined, { streamName: streamId, current: current < 0n ? 'no_stream' : current, expected: state });
      // The client's batch append (its default) reports `BigInt(hasCurrentStreamRevision())`: 1n for any existing stream.
      return { success: false, nextExpectedRevision: current < 0n ? 0n : 1n, position: undefined };
    };
    const idempotent = (last: Stored): AppendResult => ({ success: true, nextExpectedRevision: last.revision, position: last.position });
    if (state === 'any' || state === 'stream_exists') {
      if (state === 'stream_exists' && stream.length === 0) return conflict();
      const recent = stream.slice(-this.recentIds);
      const found = ids.map((id) => recent.find((e) => e.id === id));
      if (found[0]) {
        if (found.some((f) => !f)) return conflict();
        const last = found[found.length - 1];
        if (last) return idempotent(last);
      }
    } else {
      const expected = state === 'no_stream' ? -1n : state;
      if (expected < current) {
        const at = ids.map((id, i) => stream[Number(expected) + 1 + i]?.id === id);
        if (at.every(Boolean)) {
          const last = stream[Number(expected) + ids.length];
          if (last) return idempotent(last);
        }
        return conflict();
      }
      if (expected > current) return conflict();
    }
    let last: Stored | undefined;
    for (const [i, event] of events.entries()) {
      last = {
        streamId,
        id: ids[i] ?? '',
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        revision: current + 1n + BigInt(i),
        position: this.take(),
        created: new Date(),
      };
      this.log.push(last);
    }
    if (this.loseAnswers > 0) {
      this.loseAnswers -= 1;
      throw new DeadlineExceededError();
    }
    return { success: true, nextExpectedRevision: last?.revision ?? current, position: last?.position };
  }

  private visible(requiresLeader: boolean | undefined): Stored[] {
    return requiresLeader || this.followerApplied === null ? this.log : this.log.slice(0, this.followerApplied);
  }

  private recorded(e: Stored): {
    streamId: string;
    id: string;
    revision: bigint;
    type: string;
    data: unknown;
    metadata: unknown;
    isJson: true;
    created: Date;
    position: Position;
  } {
    return {
      streamId: e.streamId,
      id: e.id,
      revision: e.revision,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
      isJson: true,
      created: e.created,
      position: e.position,
    };
  }

  private readStreamNow(streamId: string, options: ReadOptions): { event: ReturnType<RecordedServer['recorded']> }[] {
    const stream = this.visible(options.requiresLeader).filter((e) => e.streamId === streamId);
    if (stream.length === 0) throw new StreamNotFoundError(undefined, streamId);
    const backwards = options.direction === 'backwards';
    const from =
      options.fromRevision === undefined || options.fromRevision === 'start'
        ? 0n
        : options.fromRevision === 'end'
          ? BigInt(stream.length - 1)
          : options.fromRevision;
    const picked = backwards ? stream.filter((e) => e.revision <= from).reverse() : stream.filter((e) => e.revision >= from);
    return picked.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)).map((e) => ({ event: this.recorded(e) }));
  }

  private readAllNow(options: ReadOptions): AllStreamResolvedEvent[] {
    const all = this.visible(options.requiresLeader);
    const filter = options.filter;
    const matches = (e: Stored): boolean => {
      if (!filter) return true;
      const subject = filter.filterOn === 'eventType' ? e.type : e.streamId;
      return 'regex' in filter ? new RegExp(filter.regex, 'u').test(subject) : filter.prefixes.some((p) => subject.startsWith(p));
    };
    const backwards = options.direction === 'backwards';
    const at = options.fromPosition;
    const ordered = backwards ? [...all].reverse() : all;
    const from = ordered.filter((e) => {
      if (at === undefined || at === 'start' || at === 'end') return true;
      return backwards ? e.position.commit <= at.commit : e.position.commit >= at.commit;
    });
    return from
      .filter(matches)
      .slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))
      .map((e) => ({ event: this.recorded(e) as unknown as NonNullable<AllStreamResolvedEvent['event']> }));
  }

  /**
   * A catch-up subscription as the client hands it out: `data` for each stored
   * event from `fromPosition` (inclusive) matching the filter, then `caughtUp`.
   * Live events are not served (the adapter's buffering is tested on catch-up).
   */
  private subscribe(options: ReadOptions): EventEmitter & { isPaused(): boolean; pause(): void; resume(): void; unsubscribe(): Promise<void> } {
    const emitter = Object.assign(new EventEmitter(), {
      paused: false,
      isPaused(): boolean {
        return this.paused;
      },
      pause(): void {
        this.paused = true;
      },
      resume(): void {
        this.paused = false;
      },
      unsubscribe: (): Promise<void> => Promise.resolve(),
    });
    const events = this.readAllNow({ ...options, requiresLeader: false });
    setImmediate(() => {
      for (const event of events) emitter.emit('data', event);
      emitter.emit('caughtUp', {});
    });
    return emitter;
  }

  private iterate<T>(answer: () => T[]): AsyncIterable<T> {
    const hang = this.hangReads;
    return {
      [Symbol.asyncIterator]: () => {
        let items: T[] | null = null;
        return {
          next: async (): Promise<IteratorResult<T>> => {
            if (hang) return new Promise<never>(() => undefined);
            items ??= answer();
            const value = items.shift();
            return value === undefined ? { done: true, value: undefined } : { done: false, value };
          },
          return: () => Promise.resolve({ done: true, value: undefined }),
        };
      },
    };
  }
}
