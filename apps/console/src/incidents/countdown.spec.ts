import { incidentView, type IncidentReport, type IncidentUpdate as DomainUpdate, type IncidentView } from '@attest/processing-domain';
import { AT_RISK_HOURS, deadlineStatus, formatDuration } from './countdown';

const HOUR = 3_600_000;
const AWARE = '2026-03-02T08:00:00.000Z';
const report: IncidentReport = {
  kind: 'leak',
  description: 'Export left in a public bucket',
  awareAt: AWARE,
  occurredAt: null,
  dataCategories: ['contact'],
  affectedSubjectsEstimate: 120,
  likelyConsequences: 'Phishing',
};

/** The API's view of the incident at `now` (the server computes the deadline and "overdue"). */
const view = (now: number, updates: DomainUpdate[] = []): IncidentView =>
  incidentView('0196a0f0-0000-7000-8000-000000000001', report, 'user:x', AWARE, updates, new Date(now));

describe('the 72-hour countdown', () => {
  const aware = Date.parse(AWARE);

  it('runs from the API’s deadline (awareness + 72 h) with a fake clock, second by second', () => {
    const now = aware + 10 * HOUR;
    expect(deadlineStatus(view(now), now)).toEqual({ kind: 'running', remainingMs: 62 * HOUR });
    expect(formatDuration(62 * HOUR)).toBe('62:00:00');
    expect(formatDuration(62 * HOUR - 1)).toBe('61:59:59');
    expect(formatDuration(62 * HOUR - 1000)).toBe('61:59:59');
    expect(formatDuration(62 * HOUR - 1001)).toBe('61:59:58');
  });

  it('turns "at risk" in the last hours, and is still in time at the deadline itself', () => {
    const incident = view(aware);
    const atRiskFrom = aware + (72 - AT_RISK_HOURS) * HOUR;
    expect(deadlineStatus(incident, atRiskFrom - 1).kind).toBe('running');
    expect(deadlineStatus(incident, atRiskFrom)).toEqual({ kind: 'at-risk', remainingMs: AT_RISK_HOURS * HOUR });
    const seventyHoursOn = aware + 70 * HOUR;
    expect(deadlineStatus(incident, seventyHoursOn)).toEqual({ kind: 'at-risk', remainingMs: 2 * HOUR });
    expect(formatDuration(2 * HOUR - 1000)).toBe('1:59:59');
    expect(deadlineStatus(incident, aware + 72 * HOUR)).toEqual({ kind: 'at-risk', remainingMs: 0 });
  });

  it('is overdue one millisecond after the deadline, and counts how long', () => {
    const incident = view(aware);
    expect(deadlineStatus(incident, aware + 72 * HOUR + 1)).toEqual({ kind: 'overdue', overdueMs: 1 });
    expect(deadlineStatus(incident, aware + 80 * HOUR + 5000)).toEqual({ kind: 'overdue', overdueMs: 8 * HOUR + 5000 });
    expect(formatDuration(8 * HOUR + 5000)).toBe('8:00:05');
  });

  it('stops once the authority is notified, in time or late (the API’s notifiedWithinDeadline)', () => {
    const inTime = view(aware + 100 * HOUR, [
      { type: 'authority-notified', at: '2026-03-04T08:00:00.000Z', authority: 'CNIL', reference: 'R-1', delayReason: null },
    ]);
    expect(deadlineStatus(inTime, aware + 100 * HOUR)).toEqual({ kind: 'notified', notifiedAt: '2026-03-04T08:00:00.000Z', withinDeadline: true });
    const late = view(aware + 100 * HOUR, [
      { type: 'authority-notified', at: '2026-03-06T08:00:00.000Z', authority: 'CNIL', reference: 'R-1', delayReason: 'Forensics' },
    ]);
    expect(deadlineStatus(late, aware + 200 * HOUR)).toEqual({ kind: 'notified', notifiedAt: '2026-03-06T08:00:00.000Z', withinDeadline: false });
    // A notification to the data subjects does not stop the authority's clock.
    const subjectsOnly = view(aware, [{ type: 'subjects-notified', at: '2026-03-02T09:00:00.000Z', channel: 'email', count: 120 }]);
    expect(deadlineStatus(subjectsOnly, aware + 73 * HOUR).kind).toBe('overdue');
  });

  it.each([0, 1, 60 * HOUR, 72 * HOUR - 1, 72 * HOUR, 72 * HOUR + 1, 500 * HOUR])(
    'says "overdue" exactly when the API does, with the same now (awareness + %i ms)',
    (offset) => {
      const now = aware + offset;
      expect(deadlineStatus(view(now), now).kind === 'overdue').toBe(view(now).overdue);
    },
  );

  it('never shows a negative duration', () => {
    expect(formatDuration(-5000)).toBe('0:00:00');
  });
});
