import { failed, type Result } from './bytes';

/**
 * The canonical processing-record body (versions 1, 2 and 3) as the server's
 * `@attest/processing-domain` `decodeRecord` checks it: a JSON object with
 * exactly these keys in code-point order, no whitespace, JSON's shortest
 * escaping. The Merkle leaf of an entry is this text's UTF-8 bytes. Copied
 * here (the console imports nothing from the server libs); keep in step with
 * libs/processing/domain/src/lib/record.ts and libs/shared/kernel processing-kinds.ts.
 */
export const PROCESSING_KINDS = [
  'collect',
  'store',
  'use',
  'read',
  'export',
  'transmit',
  'provide',
  'transfer',
  'correct',
  'restrict',
  'delete',
  'decision',
] as const;
export type ProcessingKind = (typeof PROCESSING_KINDS)[number];

export interface ProcessingRecordBody {
  readonly v: 1 | 2 | 3;
  readonly tenant: string;
  readonly index: number;
  readonly kind: ProcessingKind;
  readonly categories: readonly string[];
  readonly purpose: string | null;
  readonly method: string;
  readonly measures: readonly string[];
  readonly legalBasis: string | null;
  readonly actor: string;
  readonly subject: string | null;
  readonly at: string;
  readonly eventId: string | null;
  readonly commandId: string | null;
  readonly correlationId: string | null;
  readonly channel: string | null;
  readonly outcome: string | null;
  readonly reasons: readonly string[];
  /** Version 2: the consents a decision rested on; a version 1 body has no such key (read as none). */
  readonly consents: readonly string[];
  /** Version 3: the position of the event log a decision's facts reflected; earlier bodies have no such key (read as null). */
  readonly asOf: string | null;
}

/** The keys of each version, in code-point order. */
const FIELDS_V1: readonly (keyof ProcessingRecordBody)[] = [
  'actor',
  'at',
  'categories',
  'channel',
  'commandId',
  'correlationId',
  'eventId',
  'index',
  'kind',
  'legalBasis',
  'measures',
  'method',
  'outcome',
  'purpose',
  'reasons',
  'subject',
  'tenant',
  'v',
];
const FIELDS: Readonly<Record<1 | 2 | 3, readonly (keyof ProcessingRecordBody)[]>> = {
  1: FIELDS_V1,
  // Keys sort by UTF-16 code units, which for these ASCII names is code-point order.
  2: [...FIELDS_V1, 'consents' as const].sort(),
  3: [...FIELDS_V1, 'consents' as const, 'asOf' as const].sort(),
};

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isKind = (v: unknown): v is ProcessingKind => PROCESSING_KINDS.some((k) => k === v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a body; a reason (the server's `RecordEncodingError` message) unless it is a well-formed record in canonical form. */
export function decodeRecord(body: string): Result<ProcessingRecordBody> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return failed('not JSON');
  }
  if (!isObject(parsed)) return failed('not an object');
  const r = parsed;
  const v = r['v'];
  const tenant = r['tenant'];
  const index = r['index'];
  const kind = r['kind'];
  const categories = r['categories'];
  const purpose = r['purpose'];
  const method = r['method'];
  const measures = r['measures'];
  const legalBasis = r['legalBasis'];
  const actor = r['actor'];
  const subject = r['subject'];
  const at = r['at'];
  const eventId = r['eventId'];
  const commandId = r['commandId'];
  const correlationId = r['correlationId'];
  const channel = r['channel'];
  const outcome = r['outcome'];
  const reasons = r['reasons'];
  const consents = v === 1 ? [] : r['consents'];
  const asOf = v === 3 ? r['asOf'] : null;
  if (v !== 1 && v !== 2 && v !== 3) return failed('not a version 1, 2 or 3 processing record');
  const fields = FIELDS[v];
  if (!(
    isString(tenant) &&
    typeof index === 'number' &&
    Number.isSafeInteger(index) &&
    isKind(kind) &&
    isStrings(categories) &&
    isStringOrNull(purpose) &&
    isString(method) &&
    isStrings(measures) &&
    isStringOrNull(legalBasis) &&
    isString(actor) &&
    isStringOrNull(subject) &&
    isString(at) &&
    isStringOrNull(eventId) &&
    isStringOrNull(commandId) &&
    isStringOrNull(correlationId) &&
    isStringOrNull(channel) &&
    isStringOrNull(outcome) &&
    isStrings(reasons) &&
    isStrings(consents) &&
    isStringOrNull(asOf) &&
    Object.keys(r).length === fields.length
  ))
    return failed(`not a version ${v} processing record`);
  // Canonical: the keys in the version's order (JSON.parse keeps the text's order), and no other spelling.
  if (Object.keys(r).some((k, i) => k !== fields[i])) return failed('not in canonical form');
  if (JSON.stringify(r) !== body) return failed('not in canonical form');
  return {
    ok: true,
    value: {
      v,
      tenant,
      index,
      kind,
      categories,
      purpose,
      method,
      measures,
      legalBasis,
      actor,
      subject,
      at,
      eventId,
      commandId,
      correlationId,
      channel,
      outcome,
      reasons,
      consents,
      asOf,
    },
  };
}
