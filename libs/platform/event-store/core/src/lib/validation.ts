import { isUuid } from '@attest/kernel';
import type { NewEvent } from './event';
import { ANY, NO_STREAM, STREAM_EXISTS, type ExpectedRevision, type EventFilter } from './event-store.port';
import { InvalidEventStoreRequestError } from './errors';

/** `<category>-<id>`: category is camelCase letters/digits, id has no spaces. */
const STREAM_ID = /^([a-z][A-Za-z0-9]*)-([A-Za-z0-9][A-Za-z0-9_.:-]{0,199})$/;
/** `Name.vN`, e.g. `ConsentGranted.v1` (also the KurrentDB adapter's server-side filter of Attest's events). */
export const EVENT_TYPE_PATTERN = /^[A-Z][A-Za-z0-9]{0,99}\.v[1-9][0-9]{0,3}$/;
const EVENT_TYPE = EVENT_TYPE_PATTERN;
const CATEGORY = /^[a-z][A-Za-z0-9]*$/;

export const MAX_EVENTS_PER_APPEND = 10_000;

/** The category of a stream id: the part before the first `-`. */
export function streamCategory(streamId: string): string {
  const match = STREAM_ID.exec(streamId);
  if (!match?.[1]) throw new InvalidEventStoreRequestError(`invalid stream id: must be <category>-<id>`);
  return match[1];
}

export function isValidEventType(type: string): boolean {
  return EVENT_TYPE.test(type);
}

export function validateExpectedRevision(expected: ExpectedRevision): void {
  if (expected === ANY || expected === NO_STREAM || expected === STREAM_EXISTS) return;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidEventStoreRequestError('expected revision must be any, no_stream, stream_exists or a revision >= 0');
  }
}

/** Whether an event passes a filter, in memory (the stores apply filters themselves; this is for events already read). */
export function matchesFilter(filter: EventFilter | undefined, event: { readonly type: string; readonly streamId: string }): boolean {
  if (!filter) return true;
  if ('eventTypes' in filter) return filter.eventTypes.includes(event.type);
  return filter.streamCategories.some((c) => event.streamId.startsWith(`${c}-`));
}

export function validateFilter(filter: EventFilter | undefined): void {
  if (!filter) return;
  if ('eventTypes' in filter) {
    if (filter.eventTypes.length === 0 || !filter.eventTypes.every(isValidEventType)) {
      throw new InvalidEventStoreRequestError('event type filter needs one or more valid event types');
    }
  } else if (filter.streamCategories.length === 0 || !filter.streamCategories.every((c) => CATEGORY.test(c))) {
    throw new InvalidEventStoreRequestError('category filter needs one or more valid stream categories');
  }
}

/**
 * Checks an append before it reaches a store, so both adapters refuse the
 * same requests with the same error. Returns the stream category.
 */
export function validateAppend(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): string {
  const category = streamCategory(streamId);
  validateExpectedRevision(expected);
  if (events.length === 0) throw new InvalidEventStoreRequestError('an append needs at least one event');
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidEventStoreRequestError(`an append holds at most ${MAX_EVENTS_PER_APPEND} events`);
  }
  const ids = new Set<string>();
  for (const event of events) {
    if (!isUuid(event.id)) throw new InvalidEventStoreRequestError('event id must be a lowercase UUID');
    if (ids.has(event.id)) throw new InvalidEventStoreRequestError('event ids must be unique within an append');
    ids.add(event.id);
    if (!isValidEventType(event.type)) {
      throw new InvalidEventStoreRequestError('event type must look like Name.vN, e.g. ConsentGranted.v1');
    }
    const m = event.metadata;
    if (!m.tenantId || !m.actor || !m.correlationId || !m.occurredAt || Number.isNaN(Date.parse(m.occurredAt))) {
      throw new InvalidEventStoreRequestError('metadata needs tenantId, actor, correlationId and an ISO occurredAt');
    }
  }
  return category;
}
