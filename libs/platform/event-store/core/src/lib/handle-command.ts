import { fold, uuidv7, type Decider, type JsonObject } from '@attest/kernel';
import type { EventMetadata, GlobalPosition, NewEvent, RecordedEvent } from './event';
import { NO_STREAM, type EventStore } from './event-store.port';
import { readWholeStream } from './read-stream';

/** A domain event as deciders see it: no envelope. */
export interface DomainEvent {
  readonly type: string;
  readonly data: JsonObject;
}

/** An event as the command appended it: what a caller needs without reading the stream again. */
/**
 * The event of a context's union that a stored event is, when its type is one
 * of `types` (the owner's published list, e.g. `CONSENT_EVENT_TYPES`); null for
 * any other type. The one narrowing from the store's envelope to a typed event:
 * consumers switch on the result's `type` and read its `data` with the owner's
 * types, so a renamed event or field fails their type-check.
 */
export function eventOf<E extends DomainEvent>(stored: DomainEvent, types: readonly E['type'][]): E | null {
  return (types as readonly string[]).includes(stored.type) ? asEvent<E>(stored) : null;
}

/** A stored event of a stream whose every event belongs to one union (a decider's own stream). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the union is the caller's stream contract
export function asEvent<E extends DomainEvent>(stored: DomainEvent): E {
  return { type: stored.type, data: stored.data } as E;
}

export interface AppendedEvent extends NewEvent {
  readonly streamId: string;
  readonly streamPosition: number;
}

export interface HandledCommand<E> {
  readonly events: readonly E[];
  /** Revision of the stream after the command; -1 when the stream does not exist. */
  readonly revision: number;
  /** The events as appended, with their ids and stream positions (empty when the command changed nothing). */
  readonly appended: readonly AppendedEvent[];
  /** Global position of the last appended event; null when nothing was appended. */
  readonly position: GlobalPosition | null;
}

/**
 * The one shape of a command handler: load the stream, fold, decide, append
 * with the revision that was read. A concurrent writer makes the append fail
 * with WrongExpectedRevisionError; nothing is written then.
 */
export async function handleWithDecider<C, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  metadata: EventMetadata,
  options: {
    /**
     * Runs after the decision and before the append, with the events about to
     * be written: work that must not be left undone once they are (it fails
     * closed: when it throws, nothing is appended and the command can be retried).
     */
    readonly beforeAppend?: (events: readonly E[]) => Promise<void>;
    /**
     * The whole stream as the caller has just read it, so it is not read
     * again. Safe when stale: the append expects the revision of its last
     * event, so a write in between makes it fail with WrongExpectedRevisionError.
     */
    readonly known?: readonly RecordedEvent[];
  } = {},
): Promise<HandledCommand<E>> {
  const history = options.known ?? (await readWholeStream(store, streamId));
  const last = history[history.length - 1];
  // Stored types are contracts of this decider's stream; upcasters go here when a v2 arrives.
  const state = fold(
    decider,
    history.map((e) => asEvent<E>(e)),
  );
  const events = decider.decide(command, state);
  if (events.length === 0) return { events, revision: last ? last.streamPosition : -1, appended: [], position: null };
  if (options.beforeAppend) await options.beforeAppend(events);
  const toAppend = events.map((e) => ({ id: uuidv7(), type: e.type, data: e.data, metadata }));
  const result = await store.appendToStream(streamId, toAppend, { expectedRevision: last ? last.streamPosition : NO_STREAM });
  const first = result.nextExpectedRevision - toAppend.length + 1;
  return {
    events,
    revision: result.nextExpectedRevision,
    appended: toAppend.map((e, i) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata, streamId, streamPosition: first + i })),
    position: result.position,
  };
}
