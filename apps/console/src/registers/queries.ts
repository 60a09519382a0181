// The registers' server state (TanStack Query): keys, fetches, mutations' calls, exports.
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ApiError, toProblem } from '../api/problem';
import type { ActivityBody, AssessmentBody } from './activity';

/** Every key of the registers starts here; a saved activity invalidates `activities` (and with it every activity's versions). */
export const REGISTER_KEYS = {
  activities: ['register', 'activities'] as const,
  assessments: ['register', 'assessments'] as const,
};

/** The current version of each activity, in the register's order (as the exports list them). */
export const activitiesQuery = queryOptions({
  queryKey: REGISTER_KEYS.activities,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-activities', { signal })),
});

/** Every version of one activity, oldest first (as the API answers). */
export const activityVersionsQuery = (activityId: string) =>
  queryOptions({
    queryKey: [...REGISTER_KEYS.activities, activityId, 'versions'] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/processing-activities/{activityId}/versions', { params: { path: { activityId } }, signal })),
  });

export const assessmentsQuery = queryOptions({
  queryKey: REGISTER_KEYS.assessments,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/impact-assessments', { signal })),
});

export const createActivity = (body: ActivityBody) => unwrap(api.POST('/v1/processing-activities', { body }));

export const reviseActivity = (activityId: string, body: ActivityBody) =>
  unwrap(api.PUT('/v1/processing-activities/{activityId}', { params: { path: { activityId } }, body }));

export const recordAssessment = (body: AssessmentBody) => unwrap(api.POST('/v1/impact-assessments', { body }));

export type RegisterExport = 'csv' | 'json';

/**
 * Downloads the register as the API exports it. Fetched by the page (not a bare link) so that an
 * ended session goes to the sign-in page and back, and an error is shown instead of saved as the file.
 */
export async function downloadRegister(format: RegisterExport): Promise<void> {
  const { data, error, response } =
    format === 'csv'
      ? await api.GET('/v1/processing-activities/export.csv', { parseAs: 'blob' })
      : await api.GET('/v1/processing-activities/export.json', { parseAs: 'blob' });
  if (!response.ok || data === undefined) throw new ApiError(toProblem(error, response.status, response.statusText));
  const url = URL.createObjectURL(data);
  const link = document.createElement('a');
  link.href = url;
  link.download = `processing-activities.${format}`;
  link.click();
  URL.revokeObjectURL(url);
}

/** The register's print page (the API's HTML, its own CSP), in the console's language and the person's time zone. */
export function printPageHref(language: string, timeZone: string): string {
  return `/v1/processing-activities/export.html?${new URLSearchParams({ lang: language, tz: timeZone }).toString()}`;
}
