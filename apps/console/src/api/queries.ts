// Server state, one place: every query's key and function (TanStack Query).
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
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

/** Checkpoints on one page of the history. */
export const CHECKPOINT_PAGE = 100;

/** The signed checkpoints, newest first, a page at a time ("show older" asks for the next). */
export const checkpointHistoryQuery = infiniteQueryOptions({
  queryKey: ['processing-record', 'checkpoints', 'history'] as const,
  queryFn: ({ signal, pageParam }) =>
    unwrap(
      api.GET('/v1/processing-record/checkpoints/history', {
        params: { query: { limit: CHECKPOINT_PAGE, ...(pageParam === null ? {} : { cursor: pageParam }) } },
        signal,
      }),
    ),
  initialPageParam: null as string | null,
  getNextPageParam: (page) => page.next,
});

/** The checkpoints of one size (a size chosen in the address that the loaded pages do not hold). */
export const checkpointsOfSizeQuery = (size: number) =>
  queryOptions({
    queryKey: ['processing-record', 'checkpoints', 'size', size] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-record/checkpoints', { params: { query: { size } }, signal })),
    staleTime: 5 * 60_000,
  });

/** The server's kept verifications of this log (the daily job's and those asked for), newest first. */
export const verificationRunsQuery = queryOptions({
  queryKey: ['processing-record', 'verification-runs'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-record/verification-runs', { params: { query: { limit: 10 } }, signal })),
});

/** Per purpose and per channel: subjects with a consent in force, and withdrawn. */
export const consentOverviewQuery = queryOptions({
  queryKey: ['consent', 'overview'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/consents/overview', { signal })),
});

/** A consent receipt by its id. */
export const receiptQuery = (receiptId: string) =>
  queryOptions({
    queryKey: ['consent', 'receipts', receiptId] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/consent-receipts/{receiptId}', { params: { path: { receiptId } }, signal })),
    // A receipt never changes.
    staleTime: 5 * 60_000,
  });

/**
 * The consent receipt made by a consent event (a processing record's eventId), or by the grant of
 * a consent (one a decision record names); a 404 when there is none.
 */
export const receiptLookupQuery = (lookup: { readonly eventId: string } | { readonly consentId: string }) =>
  queryOptions({
    queryKey: ['consent', 'receipts', 'eventId' in lookup ? 'by-event' : 'by-consent', 'eventId' in lookup ? lookup.eventId : lookup.consentId] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/consent-receipts', { params: { query: lookup }, signal })),
    staleTime: 5 * 60_000,
    retry: false,
  });
