import { fold, uuidv7, type Decider, type JsonObject } from '@attest/kernel';
import type { EventMetadata } from './event';
import { NO_STREAM, type EventStore } from './event-store.port';

/** A domain event as deciders see it: no envelope. */
export interface DomainEvent {
  readonly type: string;
  readonly data: JsonObject;
}

export interface HandledCommand<E> {
  readonly events: readonly E[];
  /** Revision of the stream after the command; -1 when the stream does not exist. */
  readonly revision: number;
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
  } = {},
): Promise<HandledCommand<E>> {
  const history = await store.readStream(streamId, { maxCount: 100_000 });
  const last = history[history.length - 1];
  // Stored types are contracts of this decider's stream; upcasters go here when a v2 arrives.
  const state = fold(decider, history.map((e) => ({ type: e.type, data: e.data }) as unknown as E));
  const events = decider.decide(command, state);
  if (events.length === 0) return { events, revision: last ? last.streamPosition : -1 };
  if (options.beforeAppend) await options.beforeAppend(events);
  const result = await store.appendToStream(
    streamId,
    events.map((e) => ({ id: uuidv7(), type: e.type, data: e.data, metadata })),
    { expectedRevision: last ? last.streamPosition : NO_STREAM },
  );
  return { events, revision: result.nextExpectedRevision };
}
