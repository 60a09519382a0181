// The incident register's filters, kept in the URL (`state`, `deadline`, `kind`). GET /v1/incidents
// takes no filter and answers every incident of the tenant (no paging), so the page filters the
// complete list here.
import { deadlineStatus, type Incident, type IncidentKind } from './countdown';

export const INCIDENT_KINDS = ['leak', 'tampering', 'loss', 'unauthorized-access', 'other'] as const satisfies readonly IncidentKind[];

/** open: not closed yet; closed: a closing was recorded. */
export const INCIDENT_STATES = ['open', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** The authority deadline: awaiting = not notified yet (in time, at risk or overdue). */
export const DEADLINE_FILTERS = ['awaiting', 'at-risk', 'overdue', 'notified'] as const;
export type DeadlineFilter = (typeof DEADLINE_FILTERS)[number];

export interface IncidentsSearch {
  readonly state?: IncidentState;
  readonly deadline?: DeadlineFilter;
  readonly kind?: IncidentKind;
}

const oneOf = <T extends string>(choices: readonly T[], value: unknown): T | undefined => choices.find((choice) => choice === value);

/** Unknown values are dropped (an old or edited link still opens the register). */
export function parseIncidentsSearch(input: Record<string, unknown>): IncidentsSearch {
  const state = oneOf(INCIDENT_STATES, input['state']);
  const deadline = oneOf(DEADLINE_FILTERS, input['deadline']);
  const kind = oneOf(INCIDENT_KINDS, input['kind']);
  return { ...(state !== undefined ? { state } : {}), ...(deadline !== undefined ? { deadline } : {}), ...(kind !== undefined ? { kind } : {}) };
}

export const incidentState = (incident: Pick<Incident, 'closedAt'>): IncidentState => (incident.closedAt === null ? 'open' : 'closed');

function matchesDeadline(incident: Incident, filter: DeadlineFilter, nowMs: number): boolean {
  const status = deadlineStatus(incident, nowMs).kind;
  switch (filter) {
    case 'awaiting':
      return status !== 'notified';
    case 'at-risk':
    case 'overdue':
    case 'notified':
      return status === filter;
  }
}

/** The incidents the filters keep, in the API's order (newest reported first). */
export function filterIncidents(incidents: readonly Incident[], search: IncidentsSearch, nowMs: number): Incident[] {
  return incidents.filter(
    (incident) =>
      (search.state === undefined || incidentState(incident) === search.state) &&
      (search.kind === undefined || incident.report.kind === search.kind) &&
      (search.deadline === undefined || matchesDeadline(incident, search.deadline, nowMs)),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An incident id as the API takes it (a UUID); null for anything else (the page is then "not found"). */
export const parseIncidentId = (value: string): string | null => (UUID.test(value) ? value : null);
