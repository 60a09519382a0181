/**
 * The account aggregate: one stream `account-<accountId>` per enterprise,
 * personal user or invited end user, from registration (or invitation) to
 * cancellation. Events, state and `evolve` live here; commands and `decide`
 * in account.decider.ts. Personal fields are declared in the application's
 * classifications and encrypted under the account id (the data subject).
 */

export type AccountKind = 'enterprise' | 'personal' | 'member';
export type AccountStatus = 'invited' | 'active' | 'restricted' | 'suspended' | 'revoked' | 'cancelled' | 'unbound' | 'invitation-closed';
export type Verification = 'pending' | 'verified' | 'rejected';
/** Why an account's state was changed (A6, A7, A8). */
export const STATUS_REASONS = ['violation', 'dispute', 'authority-request', 'inactivity', 'stolen-report', 'security', 'resolved', 'other'] as const;
export type StatusReason = (typeof STATUS_REASONS)[number];
/** Recorded facts that block a cancellation (A9). */
export const HOLD_KINDS = ['dispute', 'complaint', 'authority-restriction', 'unfinished-transaction', 'outstanding-obligation'] as const;
export type HoldKind = (typeof HOLD_KINDS)[number];
export const REJECTION_REASONS = [
  'licence-illegible',
  'licence-expired',
  'licence-mismatch',
  'registration-number-invalid',
  'data-incomplete',
  'data-untrue',
  'other',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type Contact = {
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
};

export type LicenceEvidence = {
  /** Where the licence scan is kept (document-store reference), and its SHA-256. */
  readonly documentRef: string;
  readonly sha256: string;
};

export type MinorInvitation = {
  readonly birthDate: string;
  readonly guardian: { readonly name: string; readonly relationship: 'parent' | 'legal-guardian' };
  /** Evidence references; the documents stay in the tenant's document store. */
  readonly guardianConsentRef: string;
  readonly minorIdentityRef: string;
  readonly guardianIdentityRef: string;
};

type E<T extends string, D> = { readonly type: T; readonly data: D & { readonly accountId: string; readonly tenantId: string } };

export type EnterpriseRegistered = E<
  'EnterpriseRegistered.v1',
  { readonly legalName: string; readonly registrationNumber: string; readonly contact: Contact; readonly evidence: LicenceEvidence }
>;
export type LicenceEvidenceSubmitted = E<'LicenceEvidenceSubmitted.v1', { readonly evidence: LicenceEvidence }>;
export type EnterpriseVerified = E<'EnterpriseVerified.v1', { readonly verifiedBy: string }>;
export type EnterpriseRejected = E<'EnterpriseRejected.v1', { readonly reasons: readonly RejectionReason[]; readonly rejectedBy: string }>;
export type PersonalUserRegistered = E<'PersonalUserRegistered.v1', { readonly phone: string; readonly birthDate: string }>;
export type EndUserInvited = E<
  'EndUserInvited.v1',
  {
    readonly departmentId: string | null;
    readonly contact: Contact;
    readonly minor: MinorInvitation | null;
    /** The invitation secret, encrypted like personal data; the outbox sends it once. */
    readonly token: string;
    readonly tokenHash: string;
    readonly expiresAt: string;
    readonly invitedBy: string;
  }
>;
export type InvitationAccepted = E<'InvitationAccepted.v1', unknown>;
export type InvitationDeclined = E<'InvitationDeclined.v1', unknown>;
export type InvitationExpired = E<'InvitationExpired.v1', unknown>;
export type MemberMovedToDepartment = E<'MemberMovedToDepartment.v1', { readonly departmentId: string | null; readonly movedBy: string }>;

type StatusChange = { readonly reason: StatusReason; readonly note: string | null; readonly decidedBy: string };
export type AccountRestricted = E<'AccountRestricted.v1', StatusChange & { readonly lastActivityAt: string | null }>;
export type AccountSuspended = E<'AccountSuspended.v1', StatusChange>;
export type AccountRevoked = E<'AccountRevoked.v1', StatusChange>;
export type AccountReactivated = E<'AccountReactivated.v1', StatusChange & { readonly method: 'one-time-code' | 'operator' }>;
export type AccountReportedStolen = E<'AccountReportedStolen.v1', { readonly reportedBy: string; readonly note: string | null }>;
export type OwnerChangeRefused = E<'OwnerChangeRefused.v1', { readonly attemptedBy: string }>;

export type HoldPlaced = E<'HoldPlaced.v1', { readonly holdId: string; readonly kind: HoldKind; readonly reference: string; readonly placedBy: string }>;
export type HoldReleased = E<'HoldReleased.v1', { readonly holdId: string; readonly kind: HoldKind; readonly releasedBy: string }>;
export type CancellationRequested = E<'CancellationRequested.v1', { readonly requestedBy: string }>;
export type CancellationRejected = E<'CancellationRejected.v1', { readonly blockers: readonly string[]; readonly decidedBy: string }>;
export type AccountCancelled = E<
  'AccountCancelled.v1',
  { readonly reason: 'requested' | 'inactivity' | 'tenant-cancelled'; readonly decidedBy: string; readonly lastActivityAt: string | null }
>;
export type UnbindingRequested = E<'UnbindingRequested.v1', { readonly requestedBy: string }>;
export type UnbindingRejected = E<'UnbindingRejected.v1', { readonly decidedBy: string }>;
export type MemberUnbound = E<'MemberUnbound.v1', { readonly requestedBy: string; readonly approvedBy: string | null }>;

export type AgreementStarted = E<
  'AgreementStarted.v1',
  { readonly agreementId: string; readonly startsOn: string; readonly endsOn: string; readonly decidedBy: string }
>;
export type AgreementRenewed = E<'AgreementRenewed.v1', { readonly agreementId: string; readonly endsOn: string; readonly decidedBy: string }>;
export type AgreementEnded = E<
  'AgreementEnded.v1',
  {
    readonly agreementId: string;
    readonly endedOn: string;
    readonly how: 'terminated' | 'expired';
    /** A10: personal data is deleted on this day unless the agreement is renewed first. */
    readonly personalDataDeletionDueOn: string;
    readonly decidedBy: string;
  }
>;
export type FunctionDataDeletionRequested = E<
  'FunctionDataDeletionRequested.v1',
  { readonly requestId: string; readonly function: string; readonly requestedOn: string; readonly dueOn: string; readonly requestedBy: string }
>;
export type FunctionDataDeletionCompleted = E<
  'FunctionDataDeletionCompleted.v1',
  { readonly requestId: string; readonly completedOn: string; readonly completedBy: string }
>;

export type AccountEvent =
  | EnterpriseRegistered
  | LicenceEvidenceSubmitted
  | EnterpriseVerified
  | EnterpriseRejected
  | PersonalUserRegistered
  | EndUserInvited
  | InvitationAccepted
  | InvitationDeclined
  | InvitationExpired
  | MemberMovedToDepartment
  | AccountRestricted
  | AccountSuspended
  | AccountRevoked
  | AccountReactivated
  | AccountReportedStolen
  | OwnerChangeRefused
  | HoldPlaced
  | HoldReleased
  | CancellationRequested
  | CancellationRejected
  | AccountCancelled
  | UnbindingRequested
  | UnbindingRejected
  | MemberUnbound
  | AgreementStarted
  | AgreementRenewed
  | AgreementEnded
  | FunctionDataDeletionRequested
  | FunctionDataDeletionCompleted;

export const ACCOUNT_EVENT_TYPES: readonly AccountEvent['type'][] = [
  'EnterpriseRegistered.v1',
  'LicenceEvidenceSubmitted.v1',
  'EnterpriseVerified.v1',
  'EnterpriseRejected.v1',
  'PersonalUserRegistered.v1',
  'EndUserInvited.v1',
  'InvitationAccepted.v1',
  'InvitationDeclined.v1',
  'InvitationExpired.v1',
  'MemberMovedToDepartment.v1',
  'AccountRestricted.v1',
  'AccountSuspended.v1',
  'AccountRevoked.v1',
  'AccountReactivated.v1',
  'AccountReportedStolen.v1',
  'OwnerChangeRefused.v1',
  'HoldPlaced.v1',
  'HoldReleased.v1',
  'CancellationRequested.v1',
  'CancellationRejected.v1',
  'AccountCancelled.v1',
  'UnbindingRequested.v1',
  'UnbindingRejected.v1',
  'MemberUnbound.v1',
  'AgreementStarted.v1',
  'AgreementRenewed.v1',
  'AgreementEnded.v1',
  'FunctionDataDeletionRequested.v1',
  'FunctionDataDeletionCompleted.v1',
];

export interface Agreement {
  readonly agreementId: string;
  readonly status: 'active' | 'ended';
  readonly endsOn: string;
  readonly personalDataDeletionDueOn: string | null;
}

export interface AccountState {
  readonly exists: boolean;
  readonly accountId: string;
  readonly tenantId: string;
  readonly kind: AccountKind | null;
  readonly status: AccountStatus | null;
  readonly verification: Verification | null;
  readonly invitation: { readonly tokenHash: string; readonly expiresAt: string } | null;
  readonly holds: ReadonlyMap<string, HoldKind>;
  readonly cancellationRequested: boolean;
  readonly unbindingRequested: boolean;
  readonly agreement: Agreement | null;
  readonly functionDeletions: ReadonlyMap<string, 'open' | 'completed'>;
}

export const initialAccountState: AccountState = {
  exists: false,
  accountId: '',
  tenantId: '',
  kind: null,
  status: null,
  verification: null,
  invitation: null,
  holds: new Map(),
  cancellationRequested: false,
  unbindingRequested: false,
  agreement: null,
  functionDeletions: new Map(),
};

/** Stream ids are opaque: the account id is a UUID, never a name or number. */
export const accountStreamId = (accountId: string): string => `account-${accountId}`;

/** Accounts whose login is allowed: "normal status" of A9. */
export const LOGIN_ALLOWED: ReadonlySet<AccountStatus> = new Set(['active']);

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  const base = { ...state, accountId: event.data.accountId, tenantId: event.data.tenantId };
  switch (event.type) {
    case 'EnterpriseRegistered.v1':
      return { ...base, exists: true, kind: 'enterprise', status: 'active', verification: 'pending' };
    case 'LicenceEvidenceSubmitted.v1':
      return { ...base, verification: 'pending' };
    case 'EnterpriseVerified.v1':
      return { ...base, verification: 'verified' };
    case 'EnterpriseRejected.v1':
      return { ...base, verification: 'rejected' };
    case 'PersonalUserRegistered.v1':
      return { ...base, exists: true, kind: 'personal', status: 'active' };
    case 'EndUserInvited.v1':
      return { ...base, exists: true, kind: 'member', status: 'invited', invitation: { tokenHash: event.data.tokenHash, expiresAt: event.data.expiresAt } };
    case 'InvitationAccepted.v1':
      return { ...base, status: 'active', invitation: null };
    case 'InvitationDeclined.v1':
    case 'InvitationExpired.v1':
      return { ...base, status: 'invitation-closed', invitation: null };
    case 'MemberMovedToDepartment.v1':
    case 'OwnerChangeRefused.v1':
      return base;
    case 'AccountRestricted.v1':
      return { ...base, status: 'restricted' };
    case 'AccountSuspended.v1':
    case 'AccountReportedStolen.v1':
      return { ...base, status: 'suspended' };
    case 'AccountRevoked.v1':
      return { ...base, status: 'revoked' };
    case 'AccountReactivated.v1':
      return { ...base, status: 'active' };
    case 'HoldPlaced.v1': {
      const holds = new Map(state.holds);
      holds.set(event.data.holdId, event.data.kind);
      return { ...base, holds };
    }
    case 'HoldReleased.v1': {
      const holds = new Map(state.holds);
      holds.delete(event.data.holdId);
      return { ...base, holds };
    }
    case 'CancellationRequested.v1':
      return { ...base, cancellationRequested: true };
    case 'CancellationRejected.v1':
      return { ...base, cancellationRequested: false };
    case 'AccountCancelled.v1':
      return { ...base, status: 'cancelled', cancellationRequested: false };
    case 'UnbindingRequested.v1':
      return { ...base, unbindingRequested: true };
    case 'UnbindingRejected.v1':
      return { ...base, unbindingRequested: false };
    case 'MemberUnbound.v1':
      return { ...base, status: 'unbound', unbindingRequested: false };
    case 'AgreementStarted.v1':
      return { ...base, agreement: { agreementId: event.data.agreementId, status: 'active', endsOn: event.data.endsOn, personalDataDeletionDueOn: null } };
    case 'AgreementRenewed.v1':
      return { ...base, agreement: { agreementId: event.data.agreementId, status: 'active', endsOn: event.data.endsOn, personalDataDeletionDueOn: null } };
    case 'AgreementEnded.v1':
      return {
        ...base,
        agreement: {
          agreementId: event.data.agreementId,
          status: 'ended',
          endsOn: event.data.endedOn,
          personalDataDeletionDueOn: event.data.personalDataDeletionDueOn,
        },
      };
    case 'FunctionDataDeletionRequested.v1': {
      const functionDeletions = new Map(state.functionDeletions);
      functionDeletions.set(event.data.requestId, 'open');
      return { ...base, functionDeletions };
    }
    case 'FunctionDataDeletionCompleted.v1': {
      const functionDeletions = new Map(state.functionDeletions);
      functionDeletions.set(event.data.requestId, 'completed');
      return { ...base, functionDeletions };
    }
  }
}
