import type { Incident } from './countdown';
import { timeline } from './timeline';

const base: Incident = {
  incidentId: '0196a0f0-0000-7000-8000-000000000001',
  report: {
    kind: 'leak',
    description: 'x',
    awareAt: '2026-03-02T08:00:00.000Z',
    occurredAt: '2026-03-01T22:00:00.000Z',
    dataCategories: [],
    affectedSubjectsEstimate: 1,
    likelyConsequences: 'y',
  },
  reportedBy: 'user:x',
  reportedAt: '2026-03-02T09:00:00.000Z',
  authorityDeadline: '2026-03-05T08:00:00.000Z',
  authorityNotifiedAt: null,
  notifiedWithinDeadline: null,
  overdue: false,
  subjectsNotifiedAt: null,
  remedies: [],
  closedAt: null,
  updates: [],
};

describe('an incident’s timeline', () => {
  it('puts occurrence, awareness, reporting, updates and the pending deadline in time order', () => {
    const incident: Incident = {
      ...base,
      updates: [
        { type: 'remedy', at: '2026-03-03T10:00:00.000Z', description: 'Bucket made private' },
        { type: 'subjects-notified', at: '2026-03-02T12:00:00.000Z', channel: 'email', count: 1 },
      ],
    };
    expect(timeline(incident).map((i) => (i.kind === 'update' ? i.update.type : i.kind))).toEqual([
      'occurred',
      'aware',
      'reported',
      'subjects-notified',
      'remedy',
      'deadline',
    ]);
  });

  it('drops the deadline once the authority is notified, and an unknown occurrence', () => {
    const incident: Incident = {
      ...base,
      report: { ...base.report, occurredAt: null },
      authorityNotifiedAt: '2026-03-03T08:00:00.000Z',
      notifiedWithinDeadline: true,
      updates: [{ type: 'authority-notified', at: '2026-03-03T08:00:00.000Z', authority: 'CNIL', reference: 'R-1', delayReason: null }],
    };
    expect(timeline(incident).map((i) => i.kind)).toEqual(['aware', 'reported', 'update']);
  });

  it('keeps the recorded order of items at the same instant', () => {
    const at = '2026-03-02T08:00:00.000Z';
    const incident: Incident = { ...base, report: { ...base.report, occurredAt: at }, reportedAt: at };
    expect(timeline(incident).map((i) => i.kind)).toEqual(['occurred', 'aware', 'reported', 'deadline']);
  });
});
