// Showing one entry of the processing record.
import type { components } from '../api/schema';

export type ProcessingRecordEntry = components['schemas']['ProcessingRecordEntry'];
export type ProcessingRecordBody = components['schemas']['ProcessingRecordBody'];

/** The decoded record's fields, in the order they are shown. */
export const ENTRY_FIELDS = [
  'index',
  'at',
  'kind',
  'purpose',
  'legalBasis',
  'actor',
  'subject',
  'categories',
  'method',
  'channel',
  'outcome',
  'reasons',
  'consents',
  'asOf',
  'measures',
  'eventId',
  'commandId',
  'correlationId',
  'tenant',
  'v',
] as const satisfies readonly (keyof ProcessingRecordBody)[];
// Every field of the record is shown: a new one in docs/openapi.json fails the type-check here.
type UnshownField = Exclude<keyof ProcessingRecordBody, (typeof ENTRY_FIELDS)[number]>;
const _everyFieldShown: [UnshownField] extends [never] ? true : UnshownField = true;

/** Ids, hashes and numbers of the log: monospace. */
export const MONOSPACE_FIELDS: ReadonlySet<(typeof ENTRY_FIELDS)[number]> = new Set([
  'index',
  'actor',
  'subject',
  'consents',
  'asOf',
  'eventId',
  'commandId',
  'correlationId',
  'tenant',
  'v',
] as const);

/** The canonical body pretty-printed (2 spaces), or as it is when it is not JSON. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** A field value as text; null for "no value" (null, or an empty list). */
export function fieldText(value: ProcessingRecordBody[keyof ProcessingRecordBody]): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : null;
  return String(value);
}

/** How the API finds a consent receipt: by the event that made it, or by the consent whose grant made it. */
export type ReceiptLookup = { readonly eventId: string } | { readonly consentId: string };

/**
 * The consent receipts an entry rests on: an entry recorded from a consent event (given or
 * withdrawn: data category `consent`, with its event id) has its event's; a decision (record
 * version 2) names the consents it rested on, and each has the receipt of its grant.
 */
export function receiptsOf(record: ProcessingRecordBody): ReceiptLookup[] {
  if (record.kind === 'decision') return record.consents.map((consentId) => ({ consentId }));
  return record.eventId !== null && record.categories.includes('consent') ? [{ eventId: record.eventId }] : [];
}
