// Server state of the platform operator's queues (TanStack Query keys and functions).
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import type { AccountQueue, NotificationStatus } from './search';

export type PlatformAccount = components['schemas']['AccountDto'];
export type PlatformAccountDetail = components['schemas']['AccountDetailDto'];
export type Notification = components['schemas']['NotificationDto'];
export type HoldKind = components['schemas']['HoldRequestDto']['kind'];
export type StatusAction = components['schemas']['StatusRequestDto']['action'];
export type StatusReason = components['schemas']['StatusRequestDto']['reason'];

export type RejectionReason = NonNullable<components['schemas']['VerificationRequestDto']['reasons']>[number];
/** Why an enterprise's verification is rejected (A1): codes the enterprise is told, in its language. */
export const REJECTION_REASONS = [
  'licence-illegible',
  'licence-expired',
  'licence-mismatch',
  'registration-number-invalid',
  'data-incomplete',
  'data-untrue',
  'other',
] as const satisfies readonly RejectionReason[];

export const HOLD_KINDS = [
  'dispute',
  'complaint',
  'authority-restriction',
  'unfinished-transaction',
  'outstanding-obligation',
] as const satisfies readonly HoldKind[];
export const STATUS_ACTIONS = ['restrict', 'suspend', 'revoke', 'reactivate'] as const satisfies readonly StatusAction[];
export const STATUS_REASONS = [
  'violation',
  'dispute',
  'authority-request',
  'inactivity',
  'stolen-report',
  'security',
  'resolved',
  'other',
] as const satisfies readonly StatusReason[];

/** The list's filter as the API takes it, for one queue, optionally one tenant, after a cursor. */
export function accountsFilter(queue: AccountQueue, tenantId: string, after: string | undefined) {
  return {
    limit: 50,
    ...(queue === 'verification' ? { kind: 'enterprise' as const, verification: 'pending' as const } : {}),
    ...(queue === 'cancellations' ? { cancellationRequested: 'true' as const } : {}),
    ...(tenantId.trim() === '' ? {} : { tenantId: tenantId.trim() }),
    ...(after === undefined ? {} : { after }),
  };
}

export const accountsQuery = (queue: AccountQueue, tenantId: string, after: string | undefined) =>
  queryOptions({
    queryKey: ['platform', 'accounts', queue, tenantId, after ?? null] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/platform/accounts', { params: { query: accountsFilter(queue, tenantId, after) }, signal })),
  });

export const accountQuery = (accountId: string) =>
  queryOptions({
    queryKey: ['platform', 'account', accountId] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/platform/accounts/{accountId}', { params: { path: { accountId } }, signal })),
    retry: false,
  });

export const escalatedQuery = queryOptions({
  queryKey: ['platform', 'escalated'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/platform/data-subject-requests/escalated', { signal })),
});

export const notificationsQuery = (status: NotificationStatus) =>
  queryOptions({
    queryKey: ['platform', 'notifications', status] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/platform/notifications', { params: { query: { status } }, signal })),
  });
