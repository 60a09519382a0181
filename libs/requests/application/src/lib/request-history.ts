import type { EventStore } from '@attest/event-store';
import { DomainError, fold } from '@attest/kernel';
import { requestDecider, requestStreamId, type RequestEvent, type RequestState } from '@attest/requests-domain';

/** A request's events and folded state; another tenant's request is not found. */
export async function history(store: EventStore, tenantId: string, requestId: string): Promise<{ state: RequestState; events: RequestEvent[] }> {
  const events = (await store.readStream(requestStreamId(requestId), { maxCount: 10_000 })).map((e) => ({ type: e.type, data: e.data }) as unknown as RequestEvent);
  const state = fold(requestDecider, events);
  if (!state.exists || state.tenantId !== tenantId) throw new DomainError('DSR.NOT_FOUND', 'no such request', 'not_found');
  return { state, events };
}
