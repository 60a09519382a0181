import { PROCESSING_KINDS, type ProcessingKind } from '@attest/kernel';

/**
 * One processing record (P1) as it is hashed into the tenant's Merkle log.
 * The subject is a pseudonym (random per subject, unlinkable once the subject
 * is erased); no other field may hold personal data.
 *
 * Version 2 (written since the console's part 1) adds `consents`; a version 1
 * body has no such key and decodes with an empty list (ADR 0009). Version 3
 * (since decisions are answered from memory, ADR 0016) adds `asOf`; earlier
 * bodies decode with null.
 */
export interface ProcessingRecordBody {
  readonly v: RecordVersion;
  readonly tenant: string;
  /** Position in the tenant's log: binds the record to its leaf. */
  readonly index: number;
  readonly kind: ProcessingKind;
  readonly categories: readonly string[];
  readonly purpose: string | null;
  readonly method: string;
  readonly measures: readonly string[];
  readonly legalBasis: string | null;
  readonly actor: string;
  readonly subject: string | null;
  /** ISO-8601 instant of the processing. */
  readonly at: string;
  readonly eventId: string | null;
  readonly commandId: string | null;
  readonly correlationId: string | null;
  readonly channel: string | null;
  /** Decisions: allow | deny. */
  readonly outcome: string | null;
  readonly reasons: readonly string[];
  /** Decisions: the consents the answer rested on (their receipts are found by these ids); otherwise empty. */
  readonly consents: readonly string[];
  /** Decisions: the position of the event log whose state the decision's facts reflected (ADR 0016); otherwise null. */
  readonly asOf: string | null;
}

/** A record before it has a place in the log. */
export type RecordDraft = Omit<ProcessingRecordBody, 'v' | 'tenant' | 'index' | 'asOf'> & {
  /** Absent (drafts staged before version 3): null. */
  readonly asOf?: string | null;
  readonly tenantId: string;
  /** Idempotency: an event id (plus rule number) or a journal entry id; appended at most once per tenant. */
  readonly sourceId: string;
};

/** The version new records are written in; every earlier one is still read. */
export const RECORD_VERSION = 3;
export type RecordVersion = 1 | 2 | 3;

/** The policies of the processing record (P2), in one place. */
export const RECORD_POLICY = {
  /** Bodies are kept at least this long; configuration and the database may only raise it. */
  minimumRetentionYears: 3,
  /** A tenant is warned this many days before record bodies fall due for purging. */
  purgeWarningDays: 30,
} as const;

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

/** The keys of each version, in code-point order. */
const FIELDS: Readonly<Record<RecordVersion, readonly (keyof ProcessingRecordBody)[]>> = {
  1: FIELDS_V1,
  // Keys sort by UTF-16 code units, which for these ASCII names is code-point order.
  2: [...FIELDS_V1, 'consents' as const].sort(),
  3: [...FIELDS_V1, 'consents' as const, 'asOf' as const].sort(),
};

/**
 * The canonical encoding: a JSON object with exactly its version's keys in
 * code-point order, no whitespace, strings in JSON's shortest escaping,
 * integers in decimal. The leaf of the Merkle tree is its UTF-8 bytes. A
 * version 1 record must have no consents (that version cannot say them).
 */
export function encodeRecord(record: ProcessingRecordBody): string {
  if (record.v === 1 && record.consents.length > 0) throw new RecordEncodingError('a version 1 record names no consents');
  if (record.v !== 3 && record.asOf !== null) throw new RecordEncodingError('only a version 3 record names the position its facts reflected');
  const ordered: Record<string, unknown> = {};
  for (const key of FIELDS[record.v]) ordered[key] = record[key];
  return JSON.stringify(ordered);
}

/**
 * The canonical encoding split around the index, for a writer that encodes
 * before it knows the position (outside its log's lock): `head + index + tail`
 * is `encodeRecord` of the record at that index. Every version puts `index`
 * between `eventId` and `kind`, and the split point is found in an encoding at
 * index 0. Inside a JSON string every `"` is escaped, so an unescaped
 * `"index":` can only be a key, and the body is one flat object with that key
 * once: the first `,"index":0,"kind":` is the key itself.
 */
export function encodeRecordAround(record: ProcessingRecordBody): { readonly head: string; readonly tail: string } {
  const text = encodeRecord(record.index === 0 ? record : { ...record, index: 0 });
  const at = text.indexOf(INDEX_AT_ZERO);
  if (at < 0) throw new RecordEncodingError('a record encodes without its index');
  const zero = at + INDEX_AT_ZERO.length - KIND_KEY.length - 1;
  return { head: text.slice(0, zero), tail: text.slice(zero + 1) };
}

const KIND_KEY = ',"kind":';
const INDEX_AT_ZERO = `,"index":0${KIND_KEY}`;

export class RecordEncodingError extends Error {
  override readonly name = 'RecordEncodingError';
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/**
 * Parses a stored body; throws unless it is a well-formed record in canonical
 * form. With `check: 'shape'` (for showing records read by query, not for
 * verifying them) the keys, their order and their types are checked, but not
 * the text: the re-serialisation that proves canonical form costs as much as
 * the parse. So another spelling passes, and so does a key written twice (the
 * last value wins); both fail verification, which always checks the text.
 */
export function decodeRecord(body: string, check: 'canonical' | 'shape' = 'canonical'): ProcessingRecordBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new RecordEncodingError('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RecordEncodingError('not an object');
  const r = parsed as Record<string, unknown>;
  const v = r['v'];
  if (v !== 1 && v !== 2 && v !== 3) throw new RecordEncodingError('not a version 1, 2 or 3 processing record');
  const fields = FIELDS[v];
  const ok =
    isString(r['tenant']) &&
    Number.isSafeInteger(r['index']) &&
    PROCESSING_KINDS.includes(r['kind'] as ProcessingKind) &&
    isStrings(r['categories']) &&
    isStringOrNull(r['purpose']) &&
    isString(r['method']) &&
    isStrings(r['measures']) &&
    isStringOrNull(r['legalBasis']) &&
    isString(r['actor']) &&
    isStringOrNull(r['subject']) &&
    isString(r['at']) &&
    isStringOrNull(r['eventId']) &&
    isStringOrNull(r['commandId']) &&
    isStringOrNull(r['correlationId']) &&
    isStringOrNull(r['channel']) &&
    isStringOrNull(r['outcome']) &&
    isStrings(r['reasons']) &&
    (v === 1 || isStrings(r['consents'])) &&
    (v !== 3 || isStringOrNull(r['asOf'])) &&
    Object.keys(r).length === fields.length;
  if (!ok) throw new RecordEncodingError(`not a version ${v} processing record`);
  // Canonical: the keys in the version's order (JSON.parse keeps the text's order), and no other spelling.
  if (Object.keys(r).some((k, i) => k !== fields[i])) throw new RecordEncodingError('not in canonical form');
  if (check === 'canonical' && JSON.stringify(r) !== body) throw new RecordEncodingError('not in canonical form');
  // Onto the freshly parsed object, not a spread of it: a key added after a spread is slow on Node 20.
  if (v === 1) return Object.assign(r, { consents: [], asOf: null }) as unknown as ProcessingRecordBody;
  if (v === 2) return Object.assign(r, { asOf: null }) as unknown as ProcessingRecordBody;
  return r as unknown as ProcessingRecordBody;
}

export function bodyOf(draft: RecordDraft, index: number): ProcessingRecordBody {
  return {
    v: RECORD_VERSION,
    tenant: draft.tenantId,
    index,
    kind: draft.kind,
    categories: [...draft.categories],
    purpose: draft.purpose,
    method: draft.method,
    measures: [...draft.measures],
    legalBasis: draft.legalBasis,
    actor: draft.actor,
    subject: draft.subject,
    at: draft.at,
    eventId: draft.eventId,
    commandId: draft.commandId,
    correlationId: draft.correlationId,
    channel: draft.channel,
    outcome: draft.outcome,
    reasons: [...draft.reasons],
    consents: [...draft.consents],
    asOf: draft.asOf ?? null,
  };
}
