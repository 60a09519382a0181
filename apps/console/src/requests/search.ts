// The request queue's view, kept in the URL: the tab (the queue, or unverified requests past the
// tenant's age), whose requests (mine by default), and the API's filters. GET /v1/data-subject-requests
// takes each of them; the bulk action sends the same filter in its body.
import type { components } from '../api/schema';

export type QueueRequest = components['schemas']['DataSubjectRequest'];
export type RequestType = QueueRequest['requestType'];
export type RequestChannel = QueueRequest['channel'];

export const REQUEST_TYPES = ['access', 'correction', 'deletion', 'withdrawal', 'restriction'] as const satisfies readonly RequestType[];
export const REQUEST_CHANNELS = ['web', 'email', 'phone', 'letter', 'in-person', 'api'] as const satisfies readonly RequestChannel[];
export const STATUSES = ['open', 'received', 'verifying', 'verified', 'in-progress', 'completed', 'rejected', 'all'] as const;
export const URGENCIES = ['on-track', 'at-risk', 'overdue'] as const;
export const TABS = ['queue', 'stale'] as const;

export interface QueueSearch {
  /** `stale`: unverified requests older than the tenant's age; absent: the queue without them. */
  readonly tab?: (typeof TABS)[number];
  /** `all`: everyone's requests; absent: mine. */
  readonly who?: 'all';
  readonly type?: RequestType;
  readonly status?: (typeof STATUSES)[number];
  readonly urgency?: (typeof URGENCIES)[number];
  readonly verified?: 'true' | 'false';
  readonly channel?: RequestChannel;
  readonly dueFrom?: string;
  readonly dueTo?: string;
  /** The last request of the previous page (the queue goes on after it, due date then id); absent: the first page. */
  readonly after?: string;
}

/** Requests on one page of the queue (the API's `limit`). */
export const QUEUE_PAGE_SIZE = 200;

const oneOf = <T extends string>(choices: readonly T[], value: unknown): T | undefined => choices.find((choice) => choice === value);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const day = (value: unknown): string | undefined => (typeof value === 'string' && DAY.test(value) ? value : undefined);
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = (value: unknown): string | undefined => (typeof value === 'string' && UUID_TEXT.test(value) ? value : undefined);

/** Unknown values are dropped (an old or edited link still opens the queue). */
export function parseQueueSearch(input: Record<string, unknown>): QueueSearch {
  const entries: [keyof QueueSearch, string | undefined][] = [
    ['tab', oneOf(TABS, input['tab'])],
    ['who', oneOf(['all'] as const, input['who'])],
    ['type', oneOf(REQUEST_TYPES, input['type'])],
    ['status', oneOf(STATUSES, input['status'])],
    ['urgency', oneOf(URGENCIES, input['urgency'])],
    ['verified', oneOf(['true', 'false'] as const, input['verified'])],
    ['channel', oneOf(REQUEST_CHANNELS, input['channel'])],
    ['dueFrom', day(input['dueFrom'])],
    ['dueTo', day(input['dueTo'])],
    ['after', uuid(input['after'])],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== 'queue'));
}

/** The API's filter for this view and person: the query of GET /v1/data-subject-requests (also the bulk action's, as booleans). */
export function queueFilter(search: QueueSearch, actor: string): Record<string, string> {
  const filter: Record<string, string> = { stale: search.tab === 'stale' ? 'true' : 'false' };
  if (search.who !== 'all') filter['handler'] = actor;
  for (const key of ['type', 'status', 'urgency', 'verified', 'channel', 'dueFrom', 'dueTo', 'after'] as const) {
    const value = search[key];
    if (value !== undefined) filter[key] = value;
  }
  return filter;
}

/** The same filter as a bulk action's body wants it (flags as booleans). */
export function bulkFilter(search: QueueSearch, actor: string): components['schemas']['BulkFilterDto'] {
  return {
    status: search.status ?? 'open',
    stale: search.tab === 'stale',
    ...(search.who === 'all' ? {} : { handler: actor }),
    ...(search.type ? { type: search.type } : {}),
    ...(search.urgency ? { urgency: search.urgency } : {}),
    ...(search.verified ? { verified: search.verified === 'true' } : {}),
    ...(search.channel ? { channel: search.channel } : {}),
    ...(search.dueFrom ? { dueFrom: search.dueFrom } : {}),
    ...(search.dueTo ? { dueTo: search.dueTo } : {}),
  };
}

/** What the deadline light says, in words as well as colour. */
export type Light = 'on-track' | 'at-risk' | 'overdue' | 'closed';
export const lightOf = (request: Pick<QueueRequest, 'urgency'>): Light => request.urgency ?? 'closed';

/** The clock's state: waiting for identity, extended (with its reason), escalated, or running. */
export type ClockState =
  | { readonly kind: 'waiting-identity' }
  | { readonly kind: 'extended'; readonly reason: string }
  | { readonly kind: 'escalated' }
  | { readonly kind: 'running' }
  | { readonly kind: 'stopped' };
export function clockOf(request: Pick<QueueRequest, 'verified' | 'extension' | 'escalations' | 'closedAt'>): ClockState {
  if (request.closedAt !== null) return { kind: 'stopped' };
  if (request.extension) return { kind: 'extended', reason: request.extension.reason };
  if (request.escalations.length > 0) return { kind: 'escalated' };
  if (!request.verified) return { kind: 'waiting-identity' };
  return { kind: 'running' };
}

/** A saved view's search parameters back as this page's view (anything unknown dropped). */
export const viewSearch = (search: Readonly<Record<string, string>>): QueueSearch => parseQueueSearch(search);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A request id as the API takes it; null for anything else (the page is then "not found"). */
export const parseRequestId = (value: string): string | null => (UUID.test(value) ? value : null);
