import type { CommandContext } from '@attest/security';
import type {
  DeadlinePolicy,
  RetentionDuty,
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
  /** Other open requests of the same subject and type (duplicates to merge or reject); empty once this one is closed. */
  readonly duplicates: readonly string[];
}

export interface RequestQueueFilter {
  /** `open` (default): every status before completion or rejection. */
  readonly status?: RequestStatus | 'open' | 'all';
  readonly urgency?: Urgency;
  readonly handler?: string;
  readonly escalated?: boolean;
  readonly requestType?: RequestType;
  readonly verified?: boolean;
  readonly channel?: RequestChannel;
  /** Due on or after / on or before these days (YYYY-MM-DD). */
  readonly dueFrom?: string;
  readonly dueTo?: string;
  /**
   * Unverified requests received before `receivedBefore` (the tenant's `unverifiedAfterDays` ago):
   * `only` lists just those (their own tab), otherwise they are left out of the queue.
   */
  readonly stale?: { readonly only: boolean; readonly receivedBefore: Date };
  /** The last request of the previous page: the queue goes on after it (due date, then id). */
  readonly after?: string;
  readonly limit: number;
}

export interface RequestsReadModel {
  get(tenantId: string, requestId: string, now: Date): Promise<RequestView | null>;
  /** Every request about one customer, oldest first (for the access export). */
  forCustomer(tenantId: string, customerId: string, now: Date): Promise<RequestView[]>;
  /** Oldest due first. */
  queue(tenantId: string, filter: RequestQueueFilter, now: Date): Promise<RequestView[]>;
  /** The ids of every request the queue's filter matches (due date order), at most `limit`: what a bulk action reaches. */
  matching(tenantId: string, filter: Omit<RequestQueueFilter, 'limit' | 'after'>, now: Date, limit: number): Promise<string[]>;
  /** D2: escalated open requests of every tenant, for the platform operator. */
  escalated(now: Date, limit: number): Promise<RequestView[]>;
}

export interface TenantRequestPolicy {
  readonly policy: DeadlinePolicy;
  readonly calendar: WorkingCalendar;
  /** D5: profile fields kept after a deletion, with the reason. */
  readonly retentionDuties: readonly RetentionDuty[];
  /** Unverified requests older than this many days leave the queue for their own tab (default 14). */
  readonly unverifiedAfterDays: number;
  readonly updatedBy: string | null;
  readonly updatedAt: string | null;
}

/** D3: each tenant's deadline policy and working-day calendar (default: GDPR month, no holidays). */
export interface RequestPolicies {
  get(tenantId: string): Promise<TenantRequestPolicy>;
  set(
    tenantId: string,
    policy: DeadlinePolicy,
    calendar: WorkingCalendar,
    duties: readonly RetentionDuty[],
    /** Unchanged when absent. */
    unverifiedAfterDays: number | undefined,
    actor: string,
    now: Date,
  ): Promise<TenantRequestPolicy>;
}

/** D2: one-time codes to the requester's contact, through the notification outbox; only a keyed hash is stored. */
export interface VerificationCodes {
  issue(request: {
    tenantId: string;
    requestId: string;
    contact: { email: string | null; phone: string | null };
    now: Date;
  }): Promise<{ challengeId: string; expiresAt: Date }>;
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
  /**
   * D4: records the erasure (event, read models, lookup entries, and the
   * processing record's delete entry while the pseudonym still links), then
   * destroys the subject's key. Idempotent: a second call finds it done.
   */
  erase(context: CommandContext, customerId: string, requestId: string, keep: readonly KeptField[], now: Date): Promise<Erasure>;
  /** D5: the values kept under retention duties for a deletion request, decrypted for one authorized read. */
  retained(context: CommandContext, requestId: string): Promise<RetainedValue[]>;
}

/** D5: a profile field a deletion keeps, why (a retention duty or a legal hold), and until when (ISO date). */
export interface KeptField {
  readonly field: string;
  readonly reason: string;
  readonly until: string;
}

export interface RetainedValue {
  readonly field: string;
  readonly reason: string;
  readonly retainUntil: string;
  /** Null once the duty ended and its key was destroyed. */
  readonly value: string | null;
}

export interface Erasure {
  /** The `CustomerErased.v1` event: the processing record's delete entry has it as its source. */
  readonly eventId: string;
  readonly erasedAt: string;
  /** What was made unreadable or removed. */
  readonly covered: readonly string[];
  /** D5: what was kept, why, and until when. */
  readonly retained: readonly { readonly category: string; readonly reason: string; readonly until: string }[];
}

/** A deletion certificate (D4): no personal data; signed with the processing record's key. */
export interface DeletionCertificate {
  readonly format: 'attest-deletion-certificate/v1';
  readonly certificateId: string;
  readonly tenantId: string;
  readonly requestId: string;
  /** The opaque customer id (unlinkable to a person once the key is gone). */
  readonly subjectRef: string;
  readonly receivedAt: string;
  readonly erasedAt: string;
  readonly issuedAt: string;
  readonly covered: readonly string[];
  readonly retained: readonly { readonly category: string; readonly reason: string; readonly until: string }[];
  /** The delete entry in the tenant's processing record, with its inclusion proof against a signed checkpoint. */
  readonly processingRecord: {
    readonly origin: string;
    readonly index: number;
    readonly leafHash: string;
    readonly checkpoint: string;
    readonly inclusionProof: readonly string[];
  };
  readonly verifierKey: string;
}

export interface SignedCertificate {
  readonly certificate: DeletionCertificate;
  /** The certificate's canonical JSON as a C2SP signed note (verify with `verifierKey`). */
  readonly signedNote: string;
}

/** Builds and signs the certificate from the processing record. */
export interface DeletionEvidence {
  certify(input: { tenantId: string; requestId: string; customerId: string; receivedAt: string; erasure: Erasure; now: Date }): Promise<SignedCertificate>;
}

export type DeletionStep = 'erase' | 'certify' | 'notify' | 'complete' | 'done';

export interface DeletionState {
  readonly requestId: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly step: DeletionStep;
  /** Legal holds the handler named when starting the deletion. */
  readonly holds: readonly KeptField[];
  readonly erasure: Erasure | null;
  readonly certificate: SignedCertificate | null;
  /** The last run stopped at this step (cleared when a run moves on): what a handler sees, and retries. */
  readonly failure: DeletionFailure | null;
}

/** Why a deletion's step did not finish: the step, the error's code (never its message, which could hold data), when. */
export interface DeletionFailure {
  readonly step: DeletionStep;
  readonly code: string;
  readonly at: string;
}

/** D4/D7: where a deletion stands, so that a killed process resumes at its step. */
export interface DeletionLedger {
  begin(tenantId: string, requestId: string, customerId: string, holds: readonly KeptField[], now: Date): Promise<DeletionState>;
  get(tenantId: string, requestId: string): Promise<DeletionState | null>;
  erased(requestId: string, erasure: Erasure, now: Date): Promise<void>;
  certified(requestId: string, certificate: SignedCertificate, now: Date): Promise<void>;
  /** Tells downstream systems through the outbox and moves on, in one transaction (at most one notice per request). */
  notifyDownstream(state: DeletionState, now: Date): Promise<void>;
  completed(requestId: string, now: Date): Promise<void>;
  /** Records that a run stopped at the step it stood at (the step stays; the next run continues from it). */
  failed(requestId: string, failure: DeletionFailure): Promise<void>;
  unfinished(): Promise<DeletionState[]>;
}

/**
 * D1/access: everything held about a subject, decrypted in memory for this
 * answer only. Sections are plain JSON so the requester can take them
 * elsewhere (portability).
 */
export interface AccessExport {
  readonly format: 'attest-access-export/v1';
  readonly tenantId: string;
  readonly requestId: string;
  readonly generatedAt: string;
  readonly subject: {
    readonly customerId: string;
    readonly profile: Readonly<Record<string, unknown>>;
    readonly tags: readonly string[];
    readonly under14: boolean;
    readonly restricted: boolean;
    readonly createdAt: string;
  };
  readonly followUps: readonly Readonly<Record<string, unknown>>[];
  readonly consents: readonly Readonly<Record<string, unknown>>[];
  /** The processing record's entries about the subject (by its pseudonym), newest first. */
  readonly processing: readonly Readonly<Record<string, unknown>>[];
  readonly requests: readonly RequestView[];
}

/** Builds the access export and records it as processing (an export of the subject's data). */
export interface SubjectExport {
  build(context: CommandContext, customerId: string, requestId: string): Promise<AccessExport>;
  /**
   * The same document as JSON text in pieces, for a download: the processing records go out a page
   * at a time as they are read, so memory stays bounded by a few pages, not by the subject's history.
   * Every check, and the export's own record, is done before the first piece; a read that fails
   * later makes the iteration throw (the download must then be cut, never ended as if whole).
   */
  open(context: CommandContext, customerId: string, requestId: string): Promise<AsyncIterable<string>>;
}

export interface RequestsProjector {
  projectStream(streamId: string): Promise<unknown>;
  /** The same for many streams in one transaction (a bulk job's items). */
  projectStreams(streamIds: readonly string[]): Promise<unknown>;
}

export const REQUESTS_READ_MODEL = Symbol.for('attest.requests.ReadModel');
export const REQUEST_POLICIES = Symbol.for('attest.requests.Policies');
export const VERIFICATION_CODES = Symbol.for('attest.requests.VerificationCodes');
export const SUBJECT_RIGHTS = Symbol.for('attest.requests.SubjectRights');
export const REQUESTS_PROJECTOR = Symbol.for('attest.requests.Projector');
export const SUBJECT_EXPORT = Symbol.for('attest.requests.SubjectExport');
export const DELETION_EVIDENCE = Symbol.for('attest.requests.DeletionEvidence');
export const DELETION_LEDGER = Symbol.for('attest.requests.DeletionLedger');
export const BULK_JOBS = Symbol.for('attest.requests.BulkJobs');

/** What a bulk action does to each request it reaches. */
export type BulkAction =
  | { readonly kind: 'assign'; readonly handler: string }
  | { readonly kind: 'send-codes' }
  | { readonly kind: 'reject'; readonly reasons: readonly string[]; readonly complaint: string };

/** One request of a bulk job, claimed to be carried out. */
export interface BulkJobItem {
  readonly jobId: string;
  readonly tenantId: string;
  readonly requestId: string;
  readonly action: BulkAction;
  readonly createdBy: string;
  /** Claimed before and not finished (the process that claimed it stopped): it may have taken effect already. */
  readonly retried: boolean;
}

/** What became of one item. */
export interface BulkItemResult {
  readonly item: Pick<BulkJobItem, 'jobId' | 'requestId'>;
  readonly result: { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };
}

/** A bulk job as the handler opens it: counts, and why each failed request failed. */
export interface BulkJobView {
  readonly jobId: string;
  readonly action: BulkAction;
  readonly filter: Readonly<Record<string, unknown>>;
  readonly excluded: readonly string[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly pending: number;
  readonly failures: readonly { readonly requestId: string; readonly code: string; readonly message: string }[];
}

/** D2 bulk actions: durable jobs with one item per request reached, each carried out at most once to a result. */
export interface BulkJobs {
  create(job: {
    readonly jobId: string;
    readonly tenantId: string;
    readonly action: BulkAction;
    readonly filter: Readonly<Record<string, unknown>>;
    readonly excluded: readonly string[];
    readonly createdBy: string;
    readonly createdAt: Date;
    readonly requestIds: readonly string[];
  }): Promise<void>;
  /** Pending items, and items claimed before `staleBefore` and never finished; each is claimed by one caller. */
  claim(limit: number, now: Date, staleBefore: Date): Promise<BulkJobItem[]>;
  /**
   * Records the results of items carried out, in one statement. Not waiting for the disk: a
   * result lost to a crash leaves its item claimed, claimed again later and found done.
   */
  finish(results: readonly BulkItemResult[], now: Date): Promise<void>;
  get(tenantId: string, jobId: string): Promise<BulkJobView | null>;
  /** The tenant's latest jobs, newest first. */
  list(tenantId: string, limit: number): Promise<BulkJobView[]>;
}
