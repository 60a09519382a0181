import type { Incident } from './countdown';
import { filterIncidents, incidentState, parseIncidentId, parseIncidentsSearch } from './search';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-05T12:00:00.000Z');

function incident(id: string, overrides: Partial<Incident> & { kind?: Incident['report']['kind']; hoursLeft: number }): Incident {
  const { kind = 'leak', hoursLeft, ...rest } = overrides;
  return {
    incidentId: id,
    report: {
      kind,
      description: id,
      awareAt: new Date(NOW + hoursLeft * HOUR - 72 * HOUR).toISOString(),
      occurredAt: null,
      dataCategories: [],
      affectedSubjectsEstimate: 1,
      likelyConsequences: 'x',
    },
    reportedBy: 'user:x',
    reportedAt: new Date(NOW).toISOString(),
    authorityDeadline: new Date(NOW + hoursLeft * HOUR).toISOString(),
    authorityNotifiedAt: null,
    notifiedWithinDeadline: null,
    overdue: hoursLeft < 0,
    subjectsNotifiedAt: null,
    remedies: [],
    closedAt: null,
    updates: [],
    ...rest,
  };
}

const running = incident('running', { hoursLeft: 40 });
const atRisk = incident('at-risk', { hoursLeft: 2, kind: 'loss' });
const overdue = incident('overdue', { hoursLeft: -8 });
const notified = incident('notified', { hoursLeft: 10, authorityNotifiedAt: '2026-03-05T10:00:00.000Z', notifiedWithinDeadline: true });
const closed = incident('closed', {
  hoursLeft: -30,
  authorityNotifiedAt: '2026-03-03T10:00:00.000Z',
  notifiedWithinDeadline: true,
  closedAt: '2026-03-04T10:00:00.000Z',
});
const all = [running, atRisk, overdue, notified, closed];
const ids = (list: Incident[]): string[] => list.map((i) => i.incidentId);

describe('the incident register’s filters', () => {
  it('reads state, deadline and kind from the URL and drops anything else', () => {
    expect(parseIncidentsSearch({ state: 'open', deadline: 'at-risk', kind: 'loss', page: '2' })).toEqual({ state: 'open', deadline: 'at-risk', kind: 'loss' });
    expect(parseIncidentsSearch({ state: 'Open', deadline: 'late', kind: 'flood' })).toEqual({});
    expect(parseIncidentsSearch({})).toEqual({});
  });

  it('filters the complete list the API answers, in its order', () => {
    expect(ids(filterIncidents(all, {}, NOW))).toEqual(['running', 'at-risk', 'overdue', 'notified', 'closed']);
    expect(ids(filterIncidents(all, { state: 'open' }, NOW))).toEqual(['running', 'at-risk', 'overdue', 'notified']);
    expect(ids(filterIncidents(all, { state: 'closed' }, NOW))).toEqual(['closed']);
    expect(ids(filterIncidents(all, { deadline: 'awaiting' }, NOW))).toEqual(['running', 'at-risk', 'overdue']);
    expect(ids(filterIncidents(all, { deadline: 'at-risk' }, NOW))).toEqual(['at-risk']);
    expect(ids(filterIncidents(all, { deadline: 'overdue' }, NOW))).toEqual(['overdue']);
    expect(ids(filterIncidents(all, { deadline: 'notified' }, NOW))).toEqual(['notified', 'closed']);
    expect(ids(filterIncidents(all, { kind: 'loss', state: 'open' }, NOW))).toEqual(['at-risk']);
  });

  it('moves an incident between "at risk" and "overdue" as the browser’s clock runs', () => {
    expect(ids(filterIncidents(all, { deadline: 'overdue' }, NOW + 3 * HOUR))).toEqual(['at-risk', 'overdue']);
  });

  it('names the state', () => {
    expect(incidentState(running)).toBe('open');
    expect(incidentState(closed)).toBe('closed');
  });

  it('accepts only a UUID as an incident id', () => {
    expect(parseIncidentId('0196a0f0-0000-7000-8000-000000000001')).toBe('0196a0f0-0000-7000-8000-000000000001');
    expect(parseIncidentId('42')).toBeNull();
    expect(parseIncidentId('0196a0f0-0000-7000-8000-00000000000g')).toBeNull();
  });
});
