import type { ExpectedRevision } from './event-store.port';

/** Base of every error the event-store port raises; `code` is stable. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Optimistic concurrency conflict: the stream is not where the writer expected it. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'EVENT_STORE.WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or `no_stream`. */
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/** Some of the event ids were already appended, but not as this exact append. */
export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'EVENT_STORE.DUPLICATE_EVENT_ID';
  constructor(
    readonly streamId: string,
    message = 'event ids were already appended elsewhere or only in part',
  ) {
    super(`stream ${streamId}: ${message}`);
  }
}

/** The append or read request is malformed; nothing was written. */
export class InvalidEventStoreRequestError extends EventStoreError {
  readonly code = 'EVENT_STORE.INVALID_REQUEST';
}

/**
 * A subscriber's checkpoint names an event the store does not hold: the
 * store was restored to an earlier state than the subscriber has seen, or
 * the checkpoint belongs to another store. Its read model must be rebuilt;
 * continuing would silently skip events.
 */
export class UnknownCheckpointError extends EventStoreError {
  readonly code = 'EVENT_STORE.UNKNOWN_CHECKPOINT';
}

/** The store cannot be reached or failed in a way the port does not model. */
export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'EVENT_STORE.UNAVAILABLE';
}

/**
 * An append whose answer never came (deadline passed, connection lost after
 * sending): it may or may not be written. Appending the same events again
 * (the same event ids) is safe: a store recognises a repeat and writes nothing new.
 */
export class EventStoreOutcomeUnknownError extends EventStoreError {
  readonly code = 'EVENT_STORE.OUTCOME_UNKNOWN';
}
