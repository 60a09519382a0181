import { REQUEST_EVENT_TYPES, type RequestEvent } from '@attest/requests-domain';
import type { DeletionState } from './ports';
import { TIMELINE_KINDS, timelineOf } from './request-timeline';

const ids = { requestId: 'r-1', tenantId: 'acme' };
const at = (minute: number): string => new Date(Date.UTC(2026, 10, 23, 10, minute)).toISOString();

// One event of every type, in the order a deletion could take; the intake was entered at minute 0
// but the letter arrived two days before.
const events: RequestEvent[] = [
  {
    type: 'DataSubjectRequestReceived.v1',
    data: {
      ...ids,
      customerId: 'c-1',
      requestType: 'deletion',
      channel: 'letter',
      requester: { relation: 'self', contact: { email: 'li.wei@example.org', phone: '+8613800000000' } },
      scope: { fields: [], purposes: [] },
      receivedAt: '2026-11-21T09:00:00.000Z',
      policy: { kind: 'gdpr-month' },
      dueOn: '2026-12-21',
      maxExtendedDueOn: '2027-02-21',
      extensionNoticeBy: '2026-12-21',
      receivedBy: 'user:desk',
    },
  },
  { type: 'RequesterVerificationCodeSent.v1', data: { ...ids, challengeId: 'ch-1', sentAt: at(1), expiresAt: at(31) } },
  { type: 'RequesterVerificationFailed.v1', data: { ...ids, challengeId: 'ch-1', failedAt: at(2) } },
  { type: 'RequesterIdentityVerified.v1', data: { ...ids, method: 'one-time-code', note: null, verifiedAt: at(3), verifiedBy: 'user:desk' } },
  { type: 'DataSubjectRequestAssigned.v1', data: { ...ids, handler: 'user:ana', assignedBy: 'user:desk', assignedAt: at(4) } },
  { type: 'DataSubjectRequestCommented.v1', data: { ...ids, commentId: 'cm-1', text: 'Archive box 12.', commentedBy: 'user:ana', commentedAt: at(5) } },
  { type: 'DataSubjectRequestEscalated.v1', data: { ...ids, reason: 'Unclear scope', escalatedBy: 'user:ana', escalatedAt: at(6) } },
  { type: 'DataSubjectRequestExtended.v1', data: { ...ids, reason: 'Many systems', dueOn: '2027-01-20', requesterToldAt: at(7), extendedBy: 'user:ana' } },
  { type: 'DataSubjectRequestStarted.v1', data: { ...ids, startedBy: 'user:ana', startedAt: at(8) } },
  {
    type: 'DataSubjectRequestCompleted.v1',
    data: {
      ...ids,
      outcome: { summary: 'personal data erased: profile', documentId: 'cert-1', retained: [{ category: 'bankAccount', reason: 'Tax law' }] },
      completedBy: 'user:ana',
      completedAt: at(12),
    },
  },
];

const deletion: DeletionState = {
  requestId: 'r-1',
  tenantId: 'acme',
  customerId: 'c-1',
  step: 'done',
  holds: [],
  erasure: {
    eventId: 'e-1',
    erasedAt: at(9),
    covered: ['profile', 'subject key'],
    retained: [{ category: 'bankAccount', reason: 'Tax law', until: '2036-11-23' }],
  },
  certificate: {
    certificate: {
      format: 'attest-deletion-certificate/v1',
      certificateId: 'cert-1',
      tenantId: 'acme',
      requestId: 'r-1',
      subjectRef: 'c-1',
      receivedAt: '2026-11-21T09:00:00.000Z',
      erasedAt: at(9),
      issuedAt: at(10),
      covered: ['profile', 'subject key'],
      retained: [],
      processingRecord: { origin: 'o', index: 1, leafHash: 'h', checkpoint: 'c', inclusionProof: [] },
      verifierKey: 'k',
    },
    signedNote: 'n',
  },
  failure: { step: 'notify', code: 'OUTBOX.UNAVAILABLE', at: at(11) },
};

describe('a request timeline', () => {
  it('has a line for every event type of a request, and no line kind without a source', () => {
    const rejected: RequestEvent = {
      type: 'DataSubjectRequestRejected.v1',
      data: { ...ids, reasons: ['Manifestly unfounded', 'Repeated'], complaint: 'Write to the CAC', rejectedBy: 'user:ana', rejectedAt: at(13) },
    };
    const all = [...events, rejected];
    const timeline = timelineOf('r-1', all, deletion);
    expect(new Set(all.map((e) => e.type))).toEqual(new Set(REQUEST_EVENT_TYPES));
    expect(timeline.entries.at(-1)).toMatchObject({ kind: 'rejected', text: 'Manifestly unfounded\nRepeated', facts: { complaint: 'Write to the CAC' } });
    expect(new Set(timeline.entries.map((e) => e.kind))).toEqual(new Set(TIMELINE_KINDS));
  });

  it("is in time order (the letter's arrival first), with the deletion's steps among the events, and events keep their stream revision", () => {
    const { entries } = timelineOf('r-1', events, deletion);
    expect(entries.map((e) => [e.kind, e.revision])).toEqual([
      ['received', 0],
      ['code-sent', 1],
      ['code-failed', 2],
      ['identity-verified', 3],
      ['assigned', 4],
      ['commented', 5],
      ['escalated', 6],
      ['extended', 7],
      ['started', 8],
      ['deletion-erased', null],
      ['deletion-certified', null],
      ['deletion-stopped', null],
      ['completed', 9],
    ]);
    expect(entries[0]?.at).toBe('2026-11-21T09:00:00.000Z');
    expect(entries.find((e) => e.kind === 'commented')).toEqual({
      kind: 'commented',
      at: at(5),
      actor: 'user:ana',
      text: 'Archive box 12.',
      facts: { commentId: 'cm-1' },
      revision: 5,
    });
    expect(entries.find((e) => e.kind === 'deletion-stopped')?.facts).toEqual({ step: 'notify', code: 'OUTBOX.UNAVAILABLE' });
    expect(entries.find((e) => e.kind === 'deletion-erased')?.facts).toEqual({ covered: 'profile\nsubject key', retained: 'bankAccount until 2036-11-23' });
  });

  it("keeps the stream order for events of one instant, and never shows the requester's contact", () => {
    const same = events.map((e) => JSON.parse(JSON.stringify(e).replace(/2026-11-23T10:\d\d:00\.000Z/g, at(0))) as RequestEvent);
    const { entries } = timelineOf('r-1', same, null);
    expect(entries.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const text = JSON.stringify(entries);
    expect(text).not.toContain('li.wei@example.org');
    expect(text).not.toContain('8613800000000');
  });
});
