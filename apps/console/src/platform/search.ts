// The addresses of the platform operator's pages (validated search parameters; pure, for the router).

/** The operator's account queues: enterprises waiting for verification, open cancellation requests, every account. */
export const ACCOUNT_QUEUES = ['verification', 'cancellations', 'all'] as const;
export type AccountQueue = (typeof ACCOUNT_QUEUES)[number];

export interface AccountsSearch {
  readonly queue: AccountQueue;
  readonly tenant?: string;
  readonly after?: string;
}

const TENANT = /^[a-z0-9][a-z0-9-]{1,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `?queue=verification|cancellations|all&tenant=…&after=<account id>`; anything else falls back or is dropped. */
export function parseAccountsSearch(search: Record<string, unknown>): AccountsSearch {
  const queue = ACCOUNT_QUEUES.find((q) => q === search['queue']) ?? 'verification';
  const tenant = typeof search['tenant'] === 'string' && TENANT.test(search['tenant']) ? search['tenant'] : undefined;
  const after = typeof search['after'] === 'string' && UUID.test(search['after']) ? search['after'] : undefined;
  return { queue, ...(tenant === undefined ? {} : { tenant }), ...(after === undefined ? {} : { after }) };
}

export const NOTIFICATION_STATUSES = ['dead', 'pending', 'delivered', 'erased'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** `?status=dead|pending|delivered|erased` (dead letters by default). */
export function parseNotificationsSearch(search: Record<string, unknown>): { readonly status: NotificationStatus } {
  return { status: NOTIFICATION_STATUSES.find((s) => s === search['status']) ?? 'dead' };
}

/** An account id as the API takes it; null for anything else (the page is then "not found"). */
export const parseAccountId = (value: string): string | null => (UUID.test(value) ? value : null);
