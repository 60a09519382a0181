// Server state of the request handler's desk (TanStack Query keys and functions).
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { QUEUE_PAGE_SIZE } from './search';

import type { paths } from '../api/schema';

type QueueQuery = NonNullable<paths['/v1/data-subject-requests']['get']['parameters']['query']>;

/** One page of the queue for a filter (the API's query), due date first. */
export const queueQuery = (filter: Readonly<Record<string, string>>) =>
  queryOptions({
    queryKey: ['requests', 'queue', filter] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/data-subject-requests', { params: { query: { ...(filter as QueueQuery), limit: QUEUE_PAGE_SIZE } }, signal })),
  });

/** The tenant's deadline policy (its `unverifiedAfterDays` names the stale tab). */
export const requestPolicyQuery = queryOptions({
  queryKey: ['requests', 'policy'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/data-subject-request-policy', { signal })),
});

export const bulkJobQuery = (jobId: string) =>
  queryOptions({
    queryKey: ['requests', 'bulk-actions', jobId] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/data-subject-requests/bulk-actions/{jobId}', { params: { path: { jobId } }, signal })),
    // Until every request of the job has its result.
    refetchInterval: (query) => (query.state.data?.finishedAt ? false : 500),
  });

export type BulkJob = components['schemas']['BulkJob'];
export type BulkActionBody = components['schemas']['BulkActionDto'];
export type SavedView = components['schemas']['SavedConsoleView'];

/** The signed-in person's saved views. */
export const savedViewsQuery = queryOptions({
  queryKey: ['me', 'console-views'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/me/console-views', { signal })),
});

export const requestQuery = (requestId: string) =>
  queryOptions({
    queryKey: ['requests', 'one', requestId] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/data-subject-requests/{requestId}', { params: { path: { requestId } }, signal })),
  });

/** Where a deletion stands and its last failure; a 404 while no deletion has begun. */
export const deletionQuery = (requestId: string) =>
  queryOptions({
    queryKey: ['requests', 'one', requestId, 'deletion'] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/data-subject-requests/{requestId}/deletion', { params: { path: { requestId } }, signal })),
    retry: false,
  });

/** A completed deletion's signed certificate (404 `DSR.NO_CERTIFICATE` before). */
export const certificateQuery = (requestId: string) =>
  queryOptions({
    queryKey: ['requests', 'one', requestId, 'certificate'] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/data-subject-requests/{requestId}/certificate', { params: { path: { requestId } }, signal })),
    retry: false,
  });

/** The request's timeline: every event of the request and its deletion's steps, oldest first. */
export const timelineQuery = (requestId: string) =>
  queryOptions({
    queryKey: ['requests', 'one', requestId, 'timeline'] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/data-subject-requests/{requestId}/timeline', { params: { path: { requestId } }, signal })),
  });
