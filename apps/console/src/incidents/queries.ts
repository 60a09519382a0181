// Server state of the incident register and of legal holds (TanStack Query keys and functions).
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

/** Every incident of the tenant, newest reported first (the API has no filter and no paging). */
export const incidentsQuery = queryOptions({
  queryKey: ['register', 'incidents'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/incidents', { signal })),
});

export const incidentQuery = (incidentId: string) =>
  queryOptions({
    queryKey: ['register', 'incidents', incidentId] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/incidents/{incidentId}', { params: { path: { incidentId } }, signal })),
  });

/** Legal holds on the processing record, oldest placed first (as the API answers). */
export const legalHoldsQuery = queryOptions({
  queryKey: ['processing-record', 'legal-holds'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-record/legal-holds', { signal })),
});
