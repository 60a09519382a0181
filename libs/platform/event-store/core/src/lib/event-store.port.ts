import type { GlobalPosition, NewEvent, RecordedEvent } from './event';

export const NO_STREAM = 'no_stream';
export const STREAM_EXISTS = 'stream_exists';
export const ANY = 'any';

/**
 * What the writer believes about the stream: it must not exist, it must
 * exist, anything, or its last event is at exactly this 0-based revision.
 */
export type ExpectedRevision = typeof NO_STREAM | typeof STREAM_EXISTS | typeof ANY | number;

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  readonly nextExpectedRevision: number;
  /** Global position of the last appended event. */
  readonly position: GlobalPosition;
  /** True when every event id was already in the stream: nothing new was written. */
  readonly idempotent: boolean;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction?: Direction;
  /** Start at this revision (inclusive); default: first (forwards) or last (backwards). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

/** Filter applied by the store, never after delivery. */
export type EventFilter = { readonly eventTypes: readonly string[] } | { readonly streamCategories: readonly string[] };

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted: from the start. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events strictly after it. Omitted: from the start. */
  readonly after?: GlobalPosition;
  readonly filter?: EventFilter;
  /** Largest batch handed to the consumer during catch-up. */
  readonly batchSize?: number;
}

export interface EventBatch {
  readonly events: readonly RecordedEvent[];
  /**
   * True when the batch reaches the head of the log as the store saw it.
   * An empty batch is delivered once, with `caughtUp: true`, when catch-up ends.
   */
  readonly caughtUp: boolean;
}

/**
 * A catch-up subscription to the global log: first everything after the
 * checkpoint, then live events, in global order, without gaps. Iterate it;
 * `close()` ends the iteration.
 */
export interface EventSubscription extends AsyncIterable<EventBatch> {
  close(): Promise<void>;
}

/** The one port every context uses to keep events. Two adapters implement it. */
export interface EventStore {
  readonly kind: 'postgres' | 'kurrentdb';
  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Events of one stream; an unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** One page of the global log, in order, only events no earlier writer can still precede. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): EventSubscription;
  /** Position of the newest event, or null when the log is empty. */
  headPosition(): Promise<GlobalPosition | null>;
  /** Number of events after a position matching a filter, counting at most `cap`. */
  countAfter(after: GlobalPosition | undefined, filter: EventFilter | undefined, cap: number): Promise<number>;
  /** Resolves when the store answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol.for('attest.EventStore');
