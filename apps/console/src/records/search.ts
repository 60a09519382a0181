// The processing record explorer's state, all of it in the URL: the filters of
// GET /v1/processing-record/records, the page (cursor, and the cursors of the pages before it,
// so that "previous" and the back button work) and the column choice.
import type { components, operations } from '../api/schema';
import { PROCESSING_KINDS as VERIFIED_KINDS } from '../verify/record';
import { type ColumnId, columnsParam, parseColumns } from './columns';

export type ProcessingKind = components['schemas']['ProcessingKind'];
export type RecordsApiQuery = NonNullable<operations['ProcessingRecordController_query']['parameters']['query']>;

/** The kinds of processing (the verifier's list, which mirrors the server's); checked against the API's enum below. */
export const PROCESSING_KINDS: readonly ProcessingKind[] = VERIFIED_KINDS;
// Every kind the API knows is offered: a new one in docs/openapi.json fails the type-check here.
type UnlistedKind = Exclude<ProcessingKind, (typeof VERIFIED_KINDS)[number]>;
const _everyKindListed: [UnlistedKind] extends [never] ? true : UnlistedKind = true;

export type DecisionOutcome = NonNullable<RecordsApiQuery['outcome']>;
export const DECISION_OUTCOMES: readonly DecisionOutcome[] = ['allow', 'deny'];
// Every outcome the API knows is offered: a new one in docs/openapi.json fails the type-check here.
type UnlistedOutcome = Exclude<DecisionOutcome, 'allow' | 'deny'>;
const _everyOutcomeListed: [UnlistedOutcome] extends [never] ? true : UnlistedOutcome = true;
/** A channel name as the API accepts it. */
const CHANNEL = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const DEFAULT_LIMIT = 50;
export const LIMIT_CHOICES = [25, 50, 100, 200] as const;
const MAX_LIMIT = 200;
/** The API's cursor alphabet (base64url). */
const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;
/** Pages kept behind the current one ("previous" works this far back; the back button further). */
const MAX_TRAIL = 100;
// eslint-disable-next-line no-control-regex -- control characters are refused, as the API does
const CONTROL = /[\u0000-\u001f\u007f]/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface RecordFilters {
  readonly subjectId?: string;
  readonly purpose?: string;
  readonly actor?: string;
  readonly kind?: ProcessingKind;
  /** The channel of the processing (decisions and channel-bound processing), such as email. */
  readonly channel?: string;
  /** A decision's outcome. */
  readonly outcome?: DecisionOutcome;
  /** ISO 8601 instants (UTC in the URL, shown in the user's zone). */
  readonly from?: string;
  readonly to?: string;
}

export interface RecordsSearch extends RecordFilters {
  /** Rows per page; absent = DEFAULT_LIMIT. */
  readonly limit?: number;
  /** The API's cursor of this page; absent = the first page. */
  readonly cursor?: string;
  /** The cursors of the pages before this one, oldest first (the first page has none). */
  readonly trail?: readonly string[];
  /** Visible columns; absent = DEFAULT_COLUMNS. */
  readonly columns?: readonly ColumnId[];
  /** Oldest first; absent = newest first (the API's default). */
  readonly order?: 'oldest';
}

const isOutcome = (value: unknown): value is DecisionOutcome => typeof value === 'string' && (DECISION_OUTCOMES as readonly string[]).includes(value);

const isKind = (value: unknown): value is ProcessingKind => typeof value === 'string' && (PROCESSING_KINDS as readonly string[]).includes(value);

function text(value: unknown, max = 200): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed !== '' && trimmed.length <= max && !CONTROL.test(trimmed) ? trimmed : undefined;
}

function instant(value: unknown): string | undefined {
  const v = text(value, 40);
  return v !== undefined && ISO_DATE_TIME.test(v) && Number.isFinite(Date.parse(v)) ? v : undefined;
}

function limitOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_LIMIT && n !== DEFAULT_LIMIT ? n : undefined;
}

const cursorOf = (value: unknown): string | undefined => (typeof value === 'string' && CURSOR.test(value) ? value : undefined);

function trailOf(value: unknown): string[] | undefined {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const cursors = parts.flatMap((p: unknown) => {
    const c = cursorOf(p);
    return c === undefined ? [] : [c];
  });
  return cursors.length > 0 ? cursors.slice(-MAX_TRAIL) : undefined;
}

/** Drops absent values, so that equal searches are equal objects (and short URLs). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function channelOf(value: unknown): string | undefined {
  const v = text(value, 64)?.toLowerCase();
  return v !== undefined && CHANNEL.test(v) ? v : undefined;
}

export function parseFilters(input: Record<string, unknown>): RecordFilters {
  return compact({
    subjectId: text(input['subjectId'], 100),
    purpose: text(input['purpose'], 64),
    actor: text(input['actor'], 200),
    kind: isKind(input['kind']) ? input['kind'] : undefined,
    channel: channelOf(input['channel']),
    outcome: isOutcome(input['outcome']) ? input['outcome'] : undefined,
    from: instant(input['from']),
    to: instant(input['to']),
  });
}

/** validateSearch of /records: whatever the URL holds, a valid explorer state (invalid parts are dropped). */
export function parseRecordsSearch(input: Record<string, unknown>): RecordsSearch {
  const cursor = cursorOf(input['cursor']);
  return compact({
    ...parseFilters(input),
    limit: limitOf(input['limit']),
    cursor,
    trail: cursor === undefined ? undefined : trailOf(input['trail']),
    columns: parseColumns(input['columns']),
    order: input['order'] === 'oldest' ? 'oldest' : undefined,
  });
}

export const effectiveLimit = (search: RecordsSearch): number => search.limit ?? DEFAULT_LIMIT;

export const filtersOf = (s: RecordsSearch): RecordFilters =>
  compact({ subjectId: s.subjectId, purpose: s.purpose, actor: s.actor, kind: s.kind, channel: s.channel, outcome: s.outcome, from: s.from, to: s.to });

/** The query of GET /v1/processing-record/records for this state (the query key too: columns do not refetch). */
export function apiQuery(search: RecordsSearch): RecordsApiQuery {
  return compact({ ...filtersOf(search), limit: effectiveLimit(search), cursor: search.cursor, order: search.order });
}

/** The query of a table export (`records/export.csv|json`): exactly this filter and these columns, every page. */
export function exportQuery(search: RecordsSearch, columns: readonly ColumnId[]): RecordFilters & { readonly columns: string; readonly order?: 'oldest' } {
  return compact({ ...filtersOf(search), columns: columns.join(','), order: search.order });
}

const view = (search: RecordsSearch): RecordsSearch => compact({ limit: search.limit, columns: search.columns, order: search.order });

/** New filters start again at the first page; rows per page and columns stay. */
export const withFilters = (search: RecordsSearch, filters: RecordFilters): RecordsSearch => compact({ ...parseFilters({ ...filters }), ...view(search) });

export const withLimit = (search: RecordsSearch, limit: number): RecordsSearch =>
  compact({ ...filtersOf(search), limit: limitOf(limit), columns: search.columns, order: search.order });

/** The other order (newest ⇄ oldest first), from the first page; filters, rows per page and columns stay. */
export const withOtherOrder = (search: RecordsSearch): RecordsSearch =>
  compact({ ...filtersOf(search), ...view(search), order: search.order === 'oldest' ? undefined : 'oldest' });

export const withColumns = (search: RecordsSearch, columns: readonly ColumnId[]): RecordsSearch => compact({ ...search, columns: columnsParam(columns) });

export const firstPage = (search: RecordsSearch): RecordsSearch => compact({ ...filtersOf(search), ...view(search) });

/** The page after this one, reached with the API's `next` cursor. */
export function nextPage(search: RecordsSearch, next: string): RecordsSearch {
  const trail = search.cursor === undefined ? undefined : [...(search.trail ?? []), search.cursor].slice(-MAX_TRAIL);
  return compact({ ...firstPage(search), cursor: next, trail });
}

/** The page before this one; null on the first page. */
export function previousPage(search: RecordsSearch): RecordsSearch | null {
  if (search.cursor === undefined) return null;
  const trail = search.trail ?? [];
  const cursor = trail.at(-1);
  return compact({ ...firstPage(search), cursor, trail: trail.length > 1 ? trail.slice(0, -1) : undefined });
}

/** 1 for the first page. */
export const pageNumber = (search: RecordsSearch): number => (search.cursor === undefined ? 1 : (search.trail?.length ?? 0) + 2);

/** What the filter form edits: text fields, and the time range in the user's zone (datetime-local). */
export interface FilterDraft {
  readonly subjectId: string;
  readonly purpose: string;
  readonly actor: string;
  readonly kind: string;
  readonly channel: string;
  readonly outcome: string;
  readonly from: string;
  readonly to: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** An instant as the value of an <input type="datetime-local"> in the zone this code runs in. */
export function toLocalInput(iso: string | undefined): string {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const seconds = d.getSeconds() !== 0 || d.getMilliseconds() !== 0 ? `:${pad(d.getSeconds())}` : '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}${seconds}`;
}

/** The value of an <input type="datetime-local"> (local time) as an ISO instant in UTC. */
export function fromLocalInput(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value.trim());
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map((part: string | undefined) => Number(part ?? '0'));
  const date = new Date(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function draftOf(search: RecordsSearch): FilterDraft {
  return {
    subjectId: search.subjectId ?? '',
    purpose: search.purpose ?? '',
    actor: search.actor ?? '',
    kind: search.kind ?? '',
    channel: search.channel ?? '',
    outcome: search.outcome ?? '',
    from: toLocalInput(search.from),
    to: toLocalInput(search.to),
  };
}

export function filtersOfDraft(draft: FilterDraft): RecordFilters {
  return parseFilters({ ...draft, from: fromLocalInput(draft.from), to: fromLocalInput(draft.to) });
}
