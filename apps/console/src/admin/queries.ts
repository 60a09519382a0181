// Server state of organization administration (TanStack Query keys and functions).
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';

export type ApiKey = components['schemas']['ApiKeyDto'];
export type IssuedApiKey = components['schemas']['IssuedApiKeyDto'];
export type KeyRole = ApiKey['roles'][number];

/** The roles an organization may give its own keys (the API refuses the platform's). */
export const KEY_ROLES = ['service', 'compliance-officer', 'dsr-handler', 'org-admin'] as const satisfies readonly KeyRole[];

/** The tenant's API keys (never their secrets). */
export const apiKeysQuery = queryOptions({
  queryKey: ['admin', 'api-keys'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/api-keys', { signal })),
});

export type RotatedApiKey = components['schemas']['RotatedApiKeyDto'];
export type KeyState = 'revoked' | 'expired' | 'replaced' | 'active';

/** A key's state as the list shows it: `replaced` works on beside its replacement until it expires. */
export function keyState(key: Pick<ApiKey, 'revokedAt' | 'expiresAt' | 'replacedBy'>, nowMs: number): KeyState {
  if (key.revokedAt !== null) return 'revoked';
  if (Date.parse(key.expiresAt) <= nowMs) return 'expired';
  return key.replacedBy === null ? 'active' : 'replaced';
}

/** How long a rotated key may keep working beside its replacement (hours; the API allows 0 to 168). */
export const ROTATION_GRACE_HOURS = [0, 1, 24, 72, 168] as const;

export type Organization = components['schemas']['OrganizationDto'];
export type Department = components['schemas']['DepartmentDto'];
export type ChannelKind = components['schemas']['BindChannelRequestDto']['channel'];
export const CHANNEL_KINDS = ['whatsapp-business', 'wechat-work', 'sms-sender', 'email-sender'] as const satisfies readonly ChannelKind[];

/** The tenant: its account, departments, channel bindings, settings and function-data deletions. */
export const organizationQuery = queryOptions({
  queryKey: ['admin', 'organization'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/organization', { signal })),
});

/** Departments as an indented list: each after its parent, depth for the indent. */
export function departmentTree(departments: readonly Department[]): { readonly department: Department; readonly depth: number }[] {
  const children = new Map<string | null, Department[]>();
  for (const d of departments) children.set(d.parentId, [...(children.get(d.parentId) ?? []), d]);
  const known = new Set(departments.map((d) => d.departmentId));
  const out: { department: Department; depth: number }[] = [];
  const walk = (parent: string | null, depth: number): void => {
    for (const d of [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ department: d, depth });
      walk(d.departmentId, depth + 1);
    }
  };
  walk(null, 0);
  // A department whose parent is not in the list (removed meanwhile) is still shown, at the top.
  for (const d of departments) if (d.parentId !== null && !known.has(d.parentId) && !out.some((o) => o.department === d)) out.push({ department: d, depth: 0 });
  return out;
}

export type TimedJobs = components['schemas']['TimedJobsDto'];
export type UpcomingDestruction = TimedJobs['upcoming'][number];

/** The timed jobs, their history, and what the destructive ones will destroy of the tenant's. */
export const timedJobsQuery = queryOptions({
  queryKey: ['admin', 'timed-jobs'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/organization/timed-jobs', { signal })),
});

/** A job's interval in words' parts: the largest whole unit (days, hours, minutes). */
export function intervalParts(seconds: number): { readonly unit: 'days' | 'hours' | 'minutes'; readonly count: number } {
  if (seconds % 86_400 === 0) return { unit: 'days', count: seconds / 86_400 };
  if (seconds % 3_600 === 0) return { unit: 'hours', count: seconds / 3_600 };
  return { unit: 'minutes', count: Math.max(1, Math.round(seconds / 60)) };
}

/** Where an upcoming destruction's warning stands on `today` (YYYY-MM-DD). */
export function warningState(u: Pick<UpcomingDestruction, 'warning' | 'warningFrom'>, today: string): 'sent' | 'failed' | 'scheduled' | 'due' | 'none' {
  if (u.warning !== null) return u.warning.status === 'dead' ? 'failed' : 'sent';
  if (u.warningFrom === null) return 'none';
  return u.warningFrom > today ? 'scheduled' : 'due';
}

export type WebhookSettings = components['schemas']['WebhookSettingsDto'];
export type WebhookDelivery = components['schemas']['WebhookDeliveryDto'];
export type WebhookSecret = components['schemas']['WebhookSecretDto'];
export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'erased'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The organization's webhook endpoint (never its secret). */
export const webhookQuery = queryOptions({
  queryKey: ['admin', 'webhook'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/organization/webhook', { signal })),
});

/** The organization's deliveries, newest first, one status or all, a page (100) before `before`. */
export const deliveriesQuery = (status: DeliveryStatus | null, before: string | null) =>
  queryOptions({
    queryKey: ['admin', 'webhook', 'deliveries', status, before] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/v1/organization/webhook/deliveries', {
          params: { query: { ...(status === null ? {} : { status }), ...(before === null ? {} : { before }) } },
          signal,
        }),
      ),
  });
