import { DomainError, type Decider } from '@attest/kernel';
import { deadlineOf, type DeadlinePolicy, type WorkingCalendar } from './deadlines';

/**
 * A data-subject request (D1, D2): one stream `dsr-<requestId>`. The
 * requester's contact is personal data of the request itself (sealed under
 * the request's own key, subject = request id), so the request stays
 * answerable after the customer it is about was erased. The customer id is
 * an opaque id; no other field holds personal data.
 */
export const REQUEST_TYPES = ['access', 'correction', 'deletion', 'withdrawal', 'restriction'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export const REQUEST_CHANNELS = ['web', 'email', 'phone', 'letter', 'in-person', 'api'] as const;
export type RequestChannel = (typeof REQUEST_CHANNELS)[number];
export const REQUESTER_RELATIONS = ['self', 'guardian', 'authorized-agent'] as const;
export type RequesterRelation = (typeof REQUESTER_RELATIONS)[number];

export type RequestStatus = 'received' | 'verifying' | 'verified' | 'in-progress' | 'completed' | 'rejected';
export const OPEN_STATUSES: readonly RequestStatus[] = ['received', 'verifying', 'verified', 'in-progress'];

/** What the request asks for beyond its type (no personal data: corrected values arrive at execution). */
export type RequestScope = {
  /** correction: the profile fields the requester says are wrong. */
  readonly fields: readonly string[];
  /** withdrawal: the purposes; empty = every purpose. */
  readonly purposes: readonly string[];
};

export type Requester = {
  readonly relation: RequesterRelation;
  /** Where the one-time code and the answer go (personal data, sealed). */
  readonly contact: { readonly email: string | null; readonly phone: string | null };
};

/** What a completed request did (no personal data). */
export type RequestOutcome = {
  readonly summary: string;
  /** deletion: the certificate; access: the export. */
  readonly documentId: string | null;
  /** D5: categories kept, each with its reason. */
  readonly retained: readonly { readonly category: string; readonly reason: string }[];
};

type E<T extends string, D> = { readonly type: T; readonly data: D & { readonly requestId: string; readonly tenantId: string } };
export type RequestReceived = E<
  'DataSubjectRequestReceived.v1',
  {
    readonly customerId: string;
    readonly requestType: RequestType;
    readonly channel: RequestChannel;
    readonly requester: Requester;
    readonly scope: RequestScope;
    readonly receivedAt: string;
    readonly policy: DeadlinePolicy;
    readonly dueOn: string;
    readonly maxExtendedDueOn: string | null;
    readonly extensionNoticeBy: string | null;
    readonly receivedBy: string;
  }
>;
export type VerificationCodeSent = E<'RequesterVerificationCodeSent.v1', { readonly challengeId: string; readonly sentAt: string; readonly expiresAt: string }>;
export type VerificationFailed = E<'RequesterVerificationFailed.v1', { readonly challengeId: string; readonly failedAt: string }>;
export type IdentityVerified = E<
  'RequesterIdentityVerified.v1',
  { readonly method: 'one-time-code' | 'handler-check'; readonly note: string | null; readonly verifiedAt: string; readonly verifiedBy: string }
>;
export type RequestAssigned = E<'DataSubjectRequestAssigned.v1', { readonly handler: string; readonly assignedBy: string; readonly assignedAt: string }>;
export type RequestEscalated = E<'DataSubjectRequestEscalated.v1', { readonly reason: string; readonly escalatedBy: string; readonly escalatedAt: string }>;
export type RequestExtended = E<
  'DataSubjectRequestExtended.v1',
  { readonly reason: string; readonly dueOn: string; readonly requesterToldAt: string; readonly extendedBy: string }
>;
export type RequestStarted = E<'DataSubjectRequestStarted.v1', { readonly startedBy: string; readonly startedAt: string }>;
export type RequestCompleted = E<
  'DataSubjectRequestCompleted.v1',
  { readonly outcome: RequestOutcome; readonly completedBy: string; readonly completedAt: string }
>;
export type RequestRejected = E<
  'DataSubjectRequestRejected.v1',
  { readonly reasons: readonly string[]; readonly complaint: string; readonly rejectedBy: string; readonly rejectedAt: string }
>;

/** A note between handlers about the request (not personal data of the subject: the console says so beside the box). */
export type RequestCommented = E<
  'DataSubjectRequestCommented.v1',
  { readonly commentId: string; readonly text: string; readonly commentedBy: string; readonly commentedAt: string }
>;

export type RequestEvent =
  | RequestReceived
  | VerificationCodeSent
  | VerificationFailed
  | IdentityVerified
  | RequestAssigned
  | RequestEscalated
  | RequestExtended
  | RequestStarted
  | RequestCompleted
  | RequestRejected
  | RequestCommented;

export const REQUEST_EVENT_TYPES: readonly RequestEvent['type'][] = [
  'DataSubjectRequestReceived.v1',
  'RequesterVerificationCodeSent.v1',
  'RequesterVerificationFailed.v1',
  'RequesterIdentityVerified.v1',
  'DataSubjectRequestAssigned.v1',
  'DataSubjectRequestEscalated.v1',
  'DataSubjectRequestExtended.v1',
  'DataSubjectRequestStarted.v1',
  'DataSubjectRequestCompleted.v1',
  'DataSubjectRequestRejected.v1',
  'DataSubjectRequestCommented.v1',
];

/** One-time codes: this many wrong answers end a challenge; this many challenges per request. */
export const MAX_CODE_ATTEMPTS = 5;
export const MAX_CHALLENGES = 3;

export interface RequestState {
  readonly exists: boolean;
  readonly tenantId: string;
  readonly customerId: string;
  readonly requestType: RequestType | null;
  readonly status: RequestStatus;
  readonly verified: boolean;
  readonly challenge: { readonly id: string; readonly expiresAt: string; readonly failures: number } | null;
  readonly challenges: number;
  readonly dueOn: string;
  readonly maxExtendedDueOn: string | null;
  readonly extensionNoticeBy: string | null;
  readonly extended: boolean;
  readonly handler: string | null;
}

interface Base {
  readonly requestId: string;
  readonly tenantId: string;
  readonly actor: string;
  /** ISO instant. */
  readonly now: string;
}
/** A comment between handlers holds at most this many characters. */
export const MAX_COMMENT_LENGTH = 2000;
/** Manual intake: a request is entered at most this many days after it arrived. */
export const MAX_INTAKE_DELAY_DAYS = 60;

export type RequestCommand =
  | (Base & {
      readonly kind: 'ReceiveRequest';
      readonly customerId: string;
      readonly requestType: RequestType;
      readonly channel: RequestChannel;
      readonly requester: Requester;
      readonly scope: RequestScope;
      readonly policy: DeadlinePolicy;
      readonly calendar: WorkingCalendar;
      /** Manual intake (phone, letter, e-mail, in person): when it actually arrived; the deadline counts from that day. */
      readonly receivedAt?: string;
    })
  | (Base & { readonly kind: 'SendVerificationCode'; readonly challengeId: string; readonly expiresAt: string })
  | (Base & { readonly kind: 'AnswerVerificationCode'; readonly challengeId: string; readonly matches: boolean })
  | (Base & { readonly kind: 'VerifyByHandler'; readonly note: string })
  | (Base & { readonly kind: 'AssignRequest'; readonly handler: string })
  | (Base & { readonly kind: 'EscalateRequest'; readonly reason: string })
  | (Base & { readonly kind: 'ExtendRequest'; readonly reason: string; readonly dueOn: string; readonly requesterToldAt: string })
  | (Base & { readonly kind: 'StartRequest' })
  | (Base & { readonly kind: 'CompleteRequest'; readonly outcome: RequestOutcome })
  | (Base & { readonly kind: 'RejectRequest'; readonly reasons: readonly string[]; readonly complaint: string })
  /** Allowed on a closed request too: handlers may still note what happened after it closed. */
  | (Base & { readonly kind: 'CommentOnRequest'; readonly commentId: string; readonly text: string });

export const requestStreamId = (requestId: string): string => `dsr-${requestId}`;

const refuse = (code: string, message: string, kind: 'invalid' | 'not_found' | 'conflict' | 'rate_limited' = 'conflict'): never => {
  throw new DomainError(code, message, kind);
};

const isOpen = (s: RequestState): boolean => OPEN_STATUSES.includes(s.status);

/**
 * Why a request cannot be carried out now: closed (completed or rejected:
 * DSR.CLOSED, as every other step answers) or not started; null when it is in progress.
 */
export function notCarriable(state: RequestState): { readonly code: 'DSR.CLOSED' | 'DSR.NOT_IN_PROGRESS'; readonly message: string } | null {
  if (state.status === 'in-progress') return null;
  if (!isOpen(state)) return { code: 'DSR.CLOSED', message: `the request is ${state.status}` };
  return { code: 'DSR.NOT_IN_PROGRESS', message: 'start the request before carrying it out' };
}

export const requestDecider: Decider<RequestCommand, RequestEvent, RequestState> = {
  initialState: {
    exists: false,
    tenantId: '',
    customerId: '',
    requestType: null,
    status: 'received',
    verified: false,
    challenge: null,
    challenges: 0,
    dueOn: '',
    maxExtendedDueOn: null,
    extensionNoticeBy: null,
    extended: false,
    handler: null,
  },

  decide(command, state) {
    const ids = { requestId: command.requestId, tenantId: command.tenantId };
    if (command.kind === 'ReceiveRequest') {
      if (state.exists) refuse('DSR.ALREADY_EXISTS', 'this request already exists');
      if (!command.requester.contact.email && !command.requester.contact.phone)
        refuse('DSR.NO_CONTACT', 'the requester needs an e-mail address or a phone number for the answer', 'invalid');
      if (command.requestType === 'correction' && command.scope.fields.length === 0)
        refuse('DSR.NO_FIELDS', 'a correction names the fields to correct', 'invalid');
      const receivedAt = command.receivedAt ?? command.now;
      if (command.receivedAt !== undefined) {
        if (command.channel === 'web' || command.channel === 'api')
          refuse('DSR.RECEIVED_AT_NOT_MANUAL', 'only a request received by phone, letter, e-mail or in person has an earlier arrival', 'invalid');
        const back = Date.parse(command.now) - Date.parse(command.receivedAt);
        if (!(back >= 0 && back <= MAX_INTAKE_DELAY_DAYS * 86_400_000))
          refuse('DSR.RECEIVED_AT_INVALID', `the arrival must be now or at most ${String(MAX_INTAKE_DELAY_DAYS)} days back`, 'invalid');
      }
      const deadline = deadlineOf(command.policy, receivedAt.slice(0, 10), command.calendar);
      return [
        {
          type: 'DataSubjectRequestReceived.v1',
          data: {
            ...ids,
            customerId: command.customerId,
            requestType: command.requestType,
            channel: command.channel,
            requester: command.requester,
            scope: { fields: [...new Set(command.scope.fields)].sort(), purposes: [...new Set(command.scope.purposes)].sort() },
            receivedAt,
            policy: command.policy,
            ...deadline,
            receivedBy: command.actor,
          },
        },
      ];
    }
    if (!state.exists || state.tenantId !== command.tenantId) return refuse('DSR.NOT_FOUND', 'no such request', 'not_found');
    if (command.kind === 'CommentOnRequest') {
      const text = command.text.trim();
      if (text === '' || text.length > MAX_COMMENT_LENGTH)
        refuse('DSR.COMMENT_INVALID', `a comment has 1 to ${String(MAX_COMMENT_LENGTH)} characters`, 'invalid');
      return [
        { type: 'DataSubjectRequestCommented.v1', data: { ...ids, commentId: command.commentId, text, commentedBy: command.actor, commentedAt: command.now } },
      ];
    }
    if (!isOpen(state)) refuse('DSR.CLOSED', `the request is ${state.status}`);
    switch (command.kind) {
      case 'SendVerificationCode':
        if (state.verified) refuse('DSR.ALREADY_VERIFIED', "the requester's identity is already verified");
        if (state.challenges >= MAX_CHALLENGES)
          refuse('DSR.TOO_MANY_CODES', `at most ${MAX_CHALLENGES} codes per request; verify the identity another way or reject the request`, 'rate_limited');
        return [
          { type: 'RequesterVerificationCodeSent.v1', data: { ...ids, challengeId: command.challengeId, sentAt: command.now, expiresAt: command.expiresAt } },
        ];
      case 'AnswerVerificationCode': {
        if (state.verified) refuse('DSR.ALREADY_VERIFIED', "the requester's identity is already verified");
        const c = state.challenge;
        if (!c || c.id !== command.challengeId) return refuse('DSR.CODE_INVALID', 'the code is not valid', 'invalid');
        if (c.failures >= MAX_CODE_ATTEMPTS) refuse('DSR.CODE_ATTEMPTS_EXHAUSTED', 'too many wrong codes; ask for a new one', 'invalid');
        if (Date.parse(command.now) > Date.parse(c.expiresAt)) refuse('DSR.CODE_EXPIRED', 'the code has expired; ask for a new one', 'invalid');
        if (!command.matches) return [{ type: 'RequesterVerificationFailed.v1', data: { ...ids, challengeId: c.id, failedAt: command.now } }];
        return [
          { type: 'RequesterIdentityVerified.v1', data: { ...ids, method: 'one-time-code', note: null, verifiedAt: command.now, verifiedBy: command.actor } },
        ];
      }
      case 'VerifyByHandler':
        if (state.verified) refuse('DSR.ALREADY_VERIFIED', "the requester's identity is already verified");
        return [
          {
            type: 'RequesterIdentityVerified.v1',
            data: { ...ids, method: 'handler-check', note: command.note, verifiedAt: command.now, verifiedBy: command.actor },
          },
        ];
      case 'AssignRequest':
        if (state.handler === command.handler) return [];
        return [{ type: 'DataSubjectRequestAssigned.v1', data: { ...ids, handler: command.handler, assignedBy: command.actor, assignedAt: command.now } }];
      case 'EscalateRequest':
        return [{ type: 'DataSubjectRequestEscalated.v1', data: { ...ids, reason: command.reason, escalatedBy: command.actor, escalatedAt: command.now } }];
      case 'ExtendRequest': {
        if (state.extended) refuse('DSR.ALREADY_EXTENDED', 'the request was already extended once');
        if (!state.maxExtendedDueOn || !state.extensionNoticeBy) return refuse('DSR.NOT_EXTENDABLE', "the tenant's deadline policy allows no extension");
        if (command.dueOn <= state.dueOn) refuse('DSR.EXTENSION_NOT_LATER', `the new due date must be after ${state.dueOn}`, 'invalid');
        if (command.dueOn > state.maxExtendedDueOn)
          refuse('DSR.EXTENSION_TOO_LONG', `the policy allows an extension up to ${state.maxExtendedDueOn}`, 'invalid');
        if (command.requesterToldAt > command.now) refuse('DSR.NOTICE_IN_FUTURE', 'the requester cannot have been told in the future', 'invalid');
        if (command.requesterToldAt.slice(0, 10) > state.extensionNoticeBy) {
          refuse('DSR.EXTENSION_NOTICE_LATE', `the requester had to be told of an extension by ${state.extensionNoticeBy}`);
        }
        return [
          {
            type: 'DataSubjectRequestExtended.v1',
            data: { ...ids, reason: command.reason, dueOn: command.dueOn, requesterToldAt: command.requesterToldAt, extendedBy: command.actor },
          },
        ];
      }
      case 'StartRequest':
        if (!state.verified) refuse('DSR.NOT_VERIFIED', "the requester's identity is not verified yet");
        if (state.status === 'in-progress') return [];
        return [{ type: 'DataSubjectRequestStarted.v1', data: { ...ids, startedBy: command.actor, startedAt: command.now } }];
      case 'CompleteRequest':
        if (state.status !== 'in-progress') refuse('DSR.NOT_IN_PROGRESS', 'start the request before completing it');
        return [{ type: 'DataSubjectRequestCompleted.v1', data: { ...ids, outcome: command.outcome, completedBy: command.actor, completedAt: command.now } }];
      case 'RejectRequest':
        if (command.reasons.length === 0) refuse('DSR.NO_REASONS', 'a rejection states its reasons', 'invalid');
        if (command.complaint.trim() === '') refuse('DSR.NO_COMPLAINT_ROUTE', 'a rejection tells the requester how to complain (PIPL 50)', 'invalid');
        return [
          {
            type: 'DataSubjectRequestRejected.v1',
            data: { ...ids, reasons: [...command.reasons], complaint: command.complaint, rejectedBy: command.actor, rejectedAt: command.now },
          },
        ];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'DataSubjectRequestReceived.v1':
        return {
          ...state,
          exists: true,
          tenantId: event.data.tenantId,
          customerId: event.data.customerId,
          requestType: event.data.requestType,
          status: 'received',
          dueOn: event.data.dueOn,
          maxExtendedDueOn: event.data.maxExtendedDueOn,
          extensionNoticeBy: event.data.extensionNoticeBy,
        };
      case 'RequesterVerificationCodeSent.v1':
        return {
          ...state,
          status: 'verifying',
          challenge: { id: event.data.challengeId, expiresAt: event.data.expiresAt, failures: 0 },
          challenges: state.challenges + 1,
        };
      case 'RequesterVerificationFailed.v1':
        return state.challenge ? { ...state, challenge: { ...state.challenge, failures: state.challenge.failures + 1 } } : state;
      case 'RequesterIdentityVerified.v1':
        return { ...state, verified: true, status: 'verified', challenge: null };
      case 'DataSubjectRequestAssigned.v1':
        return { ...state, handler: event.data.handler };
      case 'DataSubjectRequestEscalated.v1':
        return state;
      case 'DataSubjectRequestExtended.v1':
        return { ...state, extended: true, dueOn: event.data.dueOn };
      case 'DataSubjectRequestStarted.v1':
        return { ...state, status: 'in-progress' };
      case 'DataSubjectRequestCompleted.v1':
        return { ...state, status: 'completed' };
      case 'DataSubjectRequestRejected.v1':
        return { ...state, status: 'rejected' };
      case 'DataSubjectRequestCommented.v1':
        return state;
    }
  },
};
