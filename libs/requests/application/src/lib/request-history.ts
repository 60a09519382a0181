import { asEvent, readWholeStream, handleWithDecider, type EventStore, type RecordedEvent } from '@attest/event-store';
import { DomainError, fold } from '@attest/kernel';
import { requestDecider, requestStreamId, type RequestCommand, type RequestEvent, type RequestState } from '@attest/requests-domain';
import { metadataFor, type CommandContext } from '@attest/security';
import type { RequestsProjector } from './ports';

/** The event types a step appended, for the caller. */
export interface Appended {
  readonly requestId: string;
  readonly events: string[];
}

/** Load, decide, append, project at once (read-your-writes for the queue). */
export async function runStep(
  store: EventStore,
  /** null: not projected here (the caller projects it, or the workers do). */
  projector: RequestsProjector | null,
  context: CommandContext,
  command: RequestCommand,
  now: Date,
  /** The request's stream as the caller just read it (`history(…).recorded`): not read again. */
  known?: readonly RecordedEvent[],
): Promise<Appended> {
  const streamId = requestStreamId(command.requestId);
  const result = await handleWithDecider(store, requestDecider, streamId, command, metadataFor(context, now), known ? { known } : {});
  if (result.events.length > 0) await projector?.projectStream(streamId);
  return { requestId: command.requestId, events: result.events.map((e) => e.type) };
}

/** A request's events and folded state; another tenant's request is not found. */
export async function history(store: EventStore, tenantId: string, requestId: string): Promise<RequestHistory> {
  const recorded = await readWholeStream(store, requestStreamId(requestId));
  const events = recorded.map((e) => asEvent<RequestEvent>(e));
  const state = fold(requestDecider, events);
  if (!state.exists || state.tenantId !== tenantId) throw new DomainError('DSR.NOT_FOUND', 'no such request', 'not_found');
  return { state, events, recorded };
}

/** A request read once: its folded state, its events, and the stream as recorded (to append after it without reading it again). */
export interface RequestHistory {
  readonly state: RequestState;
  readonly events: RequestEvent[];
  readonly recorded: readonly RecordedEvent[];
}
