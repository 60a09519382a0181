import { deciderSpec } from '@attest/testing';
import { MAX_CHALLENGES, MAX_CODE_ATTEMPTS, MAX_COMMENT_LENGTH, requestDecider, type RequestCommand, type RequestEvent } from './request';

const spec = deciderSpec(requestDecider);
const ids = { requestId: 'r-1', tenantId: 'acme' };
const base = { ...ids, actor: 'user:handler', now: '2026-11-23T10:00:00.000Z' };
const requester = { relation: 'self' as const, contact: { email: 'li@example.org', phone: null } };
const receive: RequestCommand = {
  ...base,
  kind: 'ReceiveRequest',
  customerId: 'c-1',
  requestType: 'deletion',
  channel: 'web',
  requester,
  scope: { fields: [], purposes: [] },
  policy: { kind: 'gdpr-month' },
  calendar: { holidays: [] },
};
const received: RequestEvent = {
  type: 'DataSubjectRequestReceived.v1',
  data: {
    ...ids,
    customerId: 'c-1',
    requestType: 'deletion',
    channel: 'web',
    requester,
    scope: { fields: [], purposes: [] },
    receivedAt: base.now,
    policy: { kind: 'gdpr-month' },
    dueOn: '2026-12-23',
    maxExtendedDueOn: '2027-02-23',
    extensionNoticeBy: '2026-12-23',
    receivedBy: 'user:handler',
  },
};
const sent: RequestEvent = {
  type: 'RequesterVerificationCodeSent.v1',
  data: { ...ids, challengeId: 'ch-1', sentAt: base.now, expiresAt: '2026-11-23T10:15:00.000Z' },
};
const failed: RequestEvent = { type: 'RequesterVerificationFailed.v1', data: { ...ids, challengeId: 'ch-1', failedAt: base.now } };
const verified: RequestEvent = {
  type: 'RequesterIdentityVerified.v1',
  data: { ...ids, method: 'one-time-code', note: null, verifiedAt: base.now, verifiedBy: 'user:handler' },
};
const started: RequestEvent = { type: 'DataSubjectRequestStarted.v1', data: { ...ids, startedBy: 'user:handler', startedAt: base.now } };
const outcome = { summary: 'erased', documentId: 'cert-1', retained: [] };

describe('data-subject request decider (D1, D2)', () => {
  it('D1/D3: receives a request of each type with the deadline of the policy in force', () => {
    spec.given([]).when(receive).then([received]);
    spec
      .given([])
      .when({ ...receive, requestType: 'correction', scope: { fields: ['email', 'address', 'email'], purposes: [] } })
      .then([{ ...received, data: { ...received.data, requestType: 'correction', scope: { fields: ['address', 'email'], purposes: [] } } }] as RequestEvent[]);
    spec
      .given([])
      .when({ ...receive, policy: { kind: 'working-days', days: 15 } })
      .then([
        {
          ...received,
          data: { ...received.data, policy: { kind: 'working-days', days: 15 }, dueOn: '2026-12-14', maxExtendedDueOn: null, extensionNoticeBy: null },
        },
      ] as RequestEvent[]);
    spec
      .given([])
      .when({ ...receive, requester: { relation: 'self', contact: { email: null, phone: null } } })
      .thenRefuses('DSR.NO_CONTACT');
    spec
      .given([])
      .when({ ...receive, requestType: 'correction' })
      .thenRefuses('DSR.NO_FIELDS');
    spec.given([received]).when(receive).thenRefuses('DSR.ALREADY_EXISTS');
    spec
      .given([])
      .when({ ...base, kind: 'StartRequest' })
      .thenRefuses('DSR.NOT_FOUND');
    spec
      .given([received])
      .when({ ...base, tenantId: 'other', kind: 'StartRequest' })
      .thenRefuses('DSR.NOT_FOUND');
  });

  it('D1/D3 manual intake: a letter entered days after it arrived counts its deadline from the day it arrived', () => {
    const letter = { ...receive, channel: 'letter' as const, receivedAt: '2026-11-16T09:00:00.000Z' };
    spec
      .given([])
      .when(letter)
      .then([
        {
          ...received,
          data: {
            ...received.data,
            channel: 'letter',
            receivedAt: '2026-11-16T09:00:00.000Z',
            dueOn: '2026-12-16',
            maxExtendedDueOn: '2027-02-16',
            extensionNoticeBy: '2026-12-16',
          },
        },
      ] as RequestEvent[]);
    spec
      .given([])
      .when({ ...receive, receivedAt: '2026-11-16T09:00:00.000Z' })
      .thenRefuses('DSR.RECEIVED_AT_NOT_MANUAL');
    spec
      .given([])
      .when({ ...letter, receivedAt: '2026-11-23T10:00:01.000Z' })
      .thenRefuses('DSR.RECEIVED_AT_INVALID');
    spec
      .given([])
      .when({ ...letter, receivedAt: '2026-09-23T09:59:59.000Z' })
      .thenRefuses('DSR.RECEIVED_AT_INVALID');
  });

  it('D2: verifies the requester by one-time code with limited attempts and expiry, or by a handler check', () => {
    spec
      .given([received])
      .when({ ...base, kind: 'SendVerificationCode', challengeId: 'ch-1', expiresAt: '2026-11-23T10:15:00.000Z' })
      .then([sent]);
    spec
      .given([received, sent])
      .when({ ...base, kind: 'AnswerVerificationCode', challengeId: 'ch-1', matches: false })
      .then([failed]);
    spec
      .given([received, sent])
      .when({ ...base, kind: 'AnswerVerificationCode', challengeId: 'ch-1', matches: true })
      .then([verified]);
    spec
      .given([received, sent])
      .when({ ...base, kind: 'AnswerVerificationCode', challengeId: 'ch-0', matches: true })
      .thenRefuses('DSR.CODE_INVALID');
    spec
      .given([received])
      .when({ ...base, kind: 'AnswerVerificationCode', challengeId: 'ch-1', matches: true })
      .thenRefuses('DSR.CODE_INVALID');
    spec
      .given([received, sent])
      .when({ ...base, now: '2026-11-23T10:15:00.001Z', kind: 'AnswerVerificationCode', challengeId: 'ch-1', matches: true })
      .thenRefuses('DSR.CODE_EXPIRED');
    const exhausted = [received, sent, ...Array.from({ length: MAX_CODE_ATTEMPTS }, () => failed)];
    spec
      .given(exhausted)
      .when({ ...base, kind: 'AnswerVerificationCode', challengeId: 'ch-1', matches: true })
      .thenRefuses('DSR.CODE_ATTEMPTS_EXHAUSTED');
    const resent = (n: number): RequestEvent => ({ ...sent, data: { ...sent.data, challengeId: `ch-${n}` } });
    spec
      .given([...exhausted, resent(2)])
      .when({ ...base, kind: 'AnswerVerificationCode', challengeId: 'ch-2', matches: true })
      .then([verified]);
    spec
      .given([received, ...Array.from({ length: MAX_CHALLENGES }, (_, i) => resent(i))])
      .when({ ...base, kind: 'SendVerificationCode', challengeId: 'ch-x', expiresAt: base.now })
      .thenRefuses('DSR.TOO_MANY_CODES');
    spec
      .given([received])
      .when({ ...base, kind: 'VerifyByHandler', note: 'ID card checked at the counter' })
      .then([
        {
          type: 'RequesterIdentityVerified.v1',
          data: { ...ids, method: 'handler-check', note: 'ID card checked at the counter', verifiedAt: base.now, verifiedBy: 'user:handler' },
        },
      ]);
    spec
      .given([received, verified])
      .when({ ...base, kind: 'VerifyByHandler', note: 'x' })
      .thenRefuses('DSR.ALREADY_VERIFIED');
    spec
      .given([received, verified])
      .when({ ...base, kind: 'SendVerificationCode', challengeId: 'ch-9', expiresAt: base.now })
      .thenRefuses('DSR.ALREADY_VERIFIED');
  });

  it('D2: starts only once verified, completes only in progress; assignment and escalation along the way', () => {
    spec
      .given([received])
      .when({ ...base, kind: 'StartRequest' })
      .thenRefuses('DSR.NOT_VERIFIED');
    spec
      .given([received, verified])
      .when({ ...base, kind: 'StartRequest' })
      .then([started]);
    spec
      .given([received, verified, started])
      .when({ ...base, kind: 'StartRequest' })
      .then([]);
    spec
      .given([received, verified])
      .when({ ...base, kind: 'CompleteRequest', outcome })
      .thenRefuses('DSR.NOT_IN_PROGRESS');
    const completed: RequestEvent = { type: 'DataSubjectRequestCompleted.v1', data: { ...ids, outcome, completedBy: 'user:handler', completedAt: base.now } };
    spec
      .given([received, verified, started])
      .when({ ...base, kind: 'CompleteRequest', outcome })
      .then([completed]);
    spec
      .given([received, verified, started, completed])
      .when({ ...base, kind: 'EscalateRequest', reason: 'x' })
      .thenRefuses('DSR.CLOSED');
    spec
      .given([received])
      .when({ ...base, kind: 'AssignRequest', handler: 'user:h2' })
      .then([{ type: 'DataSubjectRequestAssigned.v1', data: { ...ids, handler: 'user:h2', assignedBy: 'user:handler', assignedAt: base.now } }]);
    const assigned: RequestEvent = {
      type: 'DataSubjectRequestAssigned.v1',
      data: { ...ids, handler: 'user:h2', assignedBy: 'user:handler', assignedAt: base.now },
    };
    spec
      .given([received, assigned])
      .when({ ...base, kind: 'AssignRequest', handler: 'user:h2' })
      .then([]);
    spec
      .given([received])
      .when({ ...base, kind: 'EscalateRequest', reason: 'the tenant does not answer' })
      .then([
        { type: 'DataSubjectRequestEscalated.v1', data: { ...ids, reason: 'the tenant does not answer', escalatedBy: 'user:handler', escalatedAt: base.now } },
      ]);
  });

  it('D2/D3: extends once, within the policy, told to the requester within the first month', () => {
    const extend = {
      ...base,
      kind: 'ExtendRequest' as const,
      reason: 'complex: many systems',
      dueOn: '2027-02-23',
      requesterToldAt: '2026-12-01T09:00:00.000Z',
      now: '2026-12-01T10:00:00.000Z',
    };
    const extended: RequestEvent = {
      type: 'DataSubjectRequestExtended.v1',
      data: { ...ids, reason: extend.reason, dueOn: '2027-02-23', requesterToldAt: extend.requesterToldAt, extendedBy: 'user:handler' },
    };
    spec.given([received]).when(extend).then([extended]);
    spec.given([received, extended]).when(extend).thenRefuses('DSR.ALREADY_EXTENDED');
    spec
      .given([received])
      .when({ ...extend, dueOn: '2027-02-24' })
      .thenRefuses('DSR.EXTENSION_TOO_LONG');
    spec
      .given([received])
      .when({ ...extend, dueOn: '2026-12-23' })
      .thenRefuses('DSR.EXTENSION_NOT_LATER');
    spec
      .given([received])
      .when({ ...extend, requesterToldAt: '2026-12-24T08:00:00.000Z', now: '2026-12-24T09:00:00.000Z' })
      .thenRefuses('DSR.EXTENSION_NOTICE_LATE');
    spec
      .given([received])
      .when({ ...extend, requesterToldAt: '2026-12-02T00:00:00.000Z' })
      .thenRefuses('DSR.NOTICE_IN_FUTURE');
    const working: RequestEvent = {
      ...received,
      data: { ...received.data, policy: { kind: 'working-days', days: 15 }, dueOn: '2026-12-14', maxExtendedDueOn: null, extensionNoticeBy: null },
    };
    spec.given([working]).when(extend).thenRefuses('DSR.NOT_EXTENDABLE');
  });

  it('PIPL 50: rejects with reasons and how to complain, at any open step', () => {
    const reject = {
      ...base,
      kind: 'RejectRequest' as const,
      reasons: ['identity could not be verified'],
      complaint: 'You may complain to the supervisory authority: dpa.example.org',
    };
    spec
      .given([received, sent])
      .when(reject)
      .then([
        {
          type: 'DataSubjectRequestRejected.v1',
          data: { ...ids, reasons: reject.reasons, complaint: reject.complaint, rejectedBy: 'user:handler', rejectedAt: base.now },
        },
      ]);
    spec
      .given([received])
      .when({ ...reject, reasons: [] })
      .thenRefuses('DSR.NO_REASONS');
    spec
      .given([received])
      .when({ ...reject, complaint: ' ' })
      .thenRefuses('DSR.NO_COMPLAINT_ROUTE');
    const rejected: RequestEvent = {
      type: 'DataSubjectRequestRejected.v1',
      data: { ...ids, reasons: reject.reasons, complaint: reject.complaint, rejectedBy: 'user:handler', rejectedAt: base.now },
    };
    spec
      .given([received, rejected])
      .when({ ...base, kind: 'VerifyByHandler', note: 'x' })
      .thenRefuses('DSR.CLOSED');
  });

  it('comments between handlers on an open or a closed request, trimmed; an empty or too long one, or one on an unknown request, is refused', () => {
    const comment = { ...base, kind: 'CommentOnRequest' as const, commentId: 'cm-1', text: '  Paper file archived off-site.\nRetrieval booked.  ' };
    const commented: RequestEvent = {
      type: 'DataSubjectRequestCommented.v1',
      data: { ...ids, commentId: 'cm-1', text: 'Paper file archived off-site.\nRetrieval booked.', commentedBy: 'user:handler', commentedAt: base.now },
    };
    spec.given([received]).when(comment).then([commented]);
    const completed: RequestEvent = { type: 'DataSubjectRequestCompleted.v1', data: { ...ids, outcome, completedBy: 'user:handler', completedAt: base.now } };
    spec.given([received, verified, started, completed]).when(comment).then([commented]);
    spec
      .given([received])
      .when({ ...comment, text: ' \n ' })
      .thenRefuses('DSR.COMMENT_INVALID');
    spec
      .given([received])
      .when({ ...comment, text: 'x'.repeat(MAX_COMMENT_LENGTH + 1) })
      .thenRefuses('DSR.COMMENT_INVALID');
    spec
      .given([received])
      .when({ ...comment, text: 'x'.repeat(MAX_COMMENT_LENGTH) })
      .then([{ ...commented, data: { ...commented.data, text: 'x'.repeat(MAX_COMMENT_LENGTH) } }] as RequestEvent[]);
    spec.given([]).when(comment).thenRefuses('DSR.NOT_FOUND');
    spec
      .given([received])
      .when({ ...comment, tenantId: 'other' })
      .thenRefuses('DSR.NOT_FOUND');
    // A comment changes nothing else of the request.
    expect([received, commented].reduce(requestDecider.evolve, requestDecider.initialState)).toEqual(
      [received].reduce(requestDecider.evolve, requestDecider.initialState),
    );
  });
});
