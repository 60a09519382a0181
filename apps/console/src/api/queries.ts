// Server state, one place: every query's key and function (TanStack Query).
import { queryOptions } from '@tanstack/react-query';
import type { RecordsApiQuery } from '../records/search';
import { api, unwrap } from './client';
import { fetchSession, fetchSignInOptions } from './session';

export const sessionQuery = queryOptions({
  queryKey: ['console', 'session'] as const,
  queryFn: ({ signal }) => fetchSession(signal),
  staleTime: 60_000,
});

export const signInOptionsQuery = queryOptions({
  queryKey: ['console', 'sign-in-options'] as const,
  queryFn: ({ signal }) => fetchSignInOptions(signal),
  staleTime: Infinity,
});

/** One page of the processing record; keyed by the whole API query (filters, limit, cursor). */
export const recordsQuery = (query: RecordsApiQuery) =>
  queryOptions({
    queryKey: ['processing-record', 'records', query] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-record/records', { params: { query }, signal })),
  });

export const entryQuery = (index: number) =>
  queryOptions({
    queryKey: ['processing-record', 'entries', index] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-record/entries/{index}', { params: { path: { index } }, signal })),
    // An entry never changes once written (only a purge empties its body).
    staleTime: 5 * 60_000,
  });

/** This log: its origin, verifier key and latest signed checkpoint. */
export const logInfoQuery = queryOptions({
  queryKey: ['processing-record', 'log'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-record', { signal })),
});

/** Every signed checkpoint, oldest first (as the API answers). */
export const checkpointsQuery = queryOptions({
  queryKey: ['processing-record', 'checkpoints'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-record/checkpoints', { signal })),
});

/** The server's verification: it recomputes the tree and checks every signed checkpoint, on each call. */
export const serverVerificationQuery = queryOptions({
  queryKey: ['processing-record', 'verification'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-record/verification', { signal })),
  staleTime: 0,
});
