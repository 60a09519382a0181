import { asEvent, readWholeStream, handleWithDecider, type EventStore } from '@attest/event-store';
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
export async function runStep(store: EventStore, projector: RequestsProjector, context: CommandContext, command: RequestCommand, now: Date): Promise<Appended> {
  const streamId = requestStreamId(command.requestId);
  const result = await handleWithDecider(store, requestDecider, streamId, command, metadataFor(context, now));
  if (result.events.length > 0) await projector.projectStream(streamId);
  return { requestId: command.requestId, events: result.events.map((e) => e.type) };
}

/** A request's events and folded state; another tenant's request is not found. */
export async function history(store: EventStore, tenantId: string, requestId: string): Promise<{ state: RequestState; events: RequestEvent[] }> {
  const events = (await readWholeStream(store, requestStreamId(requestId))).map((e) => asEvent<RequestEvent>(e));
  const state = fold(requestDecider, events);
  if (!state.exists || state.tenantId !== tenantId) throw new DomainError('DSR.NOT_FOUND', 'no such request', 'not_found');
  return { state, events };
}
