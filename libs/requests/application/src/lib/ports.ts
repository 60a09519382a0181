import type { CommandContext } from '@attest/security';
import type {
  DeadlinePolicy,
  RequestChannel,
  RequesterRelation,
  RequestOutcome,
  RequestScope,
  RequestStatus,
  RequestType,
  Urgency,
  WorkingCalendar,
} from '@attest/requests-domain';

/** One request as the handlers' queue shows it (no personal data: the requester's contact is not in the read model). */
export interface RequestView {
  readonly requestId: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly requestType: RequestType;
  readonly channel: RequestChannel;
  readonly relation: RequesterRelation;
  readonly scope: RequestScope;
  readonly status: RequestStatus;
  readonly verified: boolean;
  readonly verificationMethod: string | null;
  readonly handler: string | null;
  readonly escalations: readonly { readonly reason: string; readonly at: string; readonly by: string }[];
  readonly receivedAt: string;
  readonly dueOn: string;
  readonly maxExtendedDueOn: string | null;
  readonly extensionNoticeBy: string | null;
  readonly extension: { readonly reason: string; readonly requesterToldAt: string } | null;
  /** Open requests only; null once completed or rejected. */
  readonly urgency: Urgency | null;
  readonly outcome: RequestOutcome | null;
  readonly rejection: { readonly reasons: readonly string[]; readonly complaint: string } | null;
  readonly closedAt: string | null;
}

export interface RequestQueueFilter {
  /** `open` (default): every status before completion or rejection. */
  readonly status?: RequestStatus | 'open' | 'all';
  readonly urgency?: Urgency;
  readonly handler?: string;
  readonly escalated?: boolean;
  readonly requestType?: RequestType;
  readonly limit: number;
}

export interface RequestsReadModel {
  get(tenantId: string, requestId: string, now: Date): Promise<RequestView | null>;
  /** Oldest due first. */
  queue(tenantId: string, filter: RequestQueueFilter, now: Date): Promise<RequestView[]>;
  /** D2: escalated open requests of every tenant, for the platform operator. */
  escalated(now: Date, limit: number): Promise<RequestView[]>;
}

export interface TenantRequestPolicy {
  readonly policy: DeadlinePolicy;
  readonly calendar: WorkingCalendar;
  readonly updatedBy: string | null;
  readonly updatedAt: string | null;
}

/** D3: each tenant's deadline policy and working-day calendar (default: GDPR month, no holidays). */
export interface RequestPolicies {
  get(tenantId: string): Promise<TenantRequestPolicy>;
  set(tenantId: string, policy: DeadlinePolicy, calendar: WorkingCalendar, actor: string, now: Date): Promise<TenantRequestPolicy>;
}

/** D2: one-time codes to the requester's contact, through the notification outbox; only a keyed hash is stored. */
export interface VerificationCodes {
  issue(request: { tenantId: string; requestId: string; contact: { email: string | null; phone: string | null }; now: Date }): Promise<{ challengeId: string; expiresAt: Date }>;
  matches(tenantId: string, requestId: string, challengeId: string, code: string): Promise<boolean>;
}

/**
 * What a request does to the subject's data, carried out by the contexts
 * that own it (customers, consent). Implemented where they are composed.
 */
export interface SubjectRights {
  /** The profile fields a correction may name. */
  readonly correctableFields: readonly string[];
  exists(tenantId: string, customerId: string): Promise<boolean>;
  /** D1/PIPL 47: restricts processing (decisions then deny); false when it already was. */
  restrict(context: CommandContext, customerId: string, requestId: string): Promise<boolean>;
  /** K2: withdraws every consent in force for these purposes (all when empty); the purposes withdrawn. */
  withdrawConsents(context: CommandContext, customerId: string, purposes: readonly string[], requestId: string): Promise<string[]>;
  /** Replaces profile fields with the corrected values; the fields changed. */
  correct(context: CommandContext, customerId: string, changes: Readonly<Record<string, string | null>>): Promise<string[]>;
}

export interface RequestsProjector {
  projectStream(streamId: string, fromRevision: number): Promise<void>;
}

export const REQUESTS_READ_MODEL = Symbol.for('attest.requests.ReadModel');
export const REQUEST_POLICIES = Symbol.for('attest.requests.Policies');
export const VERIFICATION_CODES = Symbol.for('attest.requests.VerificationCodes');
export const SUBJECT_RIGHTS = Symbol.for('attest.requests.SubjectRights');
export const REQUESTS_PROJECTOR = Symbol.for('attest.requests.Projector');
