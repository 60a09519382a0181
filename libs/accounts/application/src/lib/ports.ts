import type { AccountKind, AccountStatus, Channel, HoldKind, Verification } from '@attest/accounts-domain';
import type { JsonValue } from '@attest/kernel';
import type { IssuerChange } from '@attest/access-application';
import type { CommandContext } from '@attest/security';

export interface AccountView {
  readonly accountId: string;
  readonly tenantId: string;
  readonly kind: AccountKind;
  readonly status: AccountStatus;
  readonly verification: Verification | null;
  readonly legalName: string | null;
  /** A1: the licence evidence an enterprise registered or last resubmitted (a reference and its SHA-256); null for other accounts. */
  readonly licenceEvidence: { readonly documentRef: string; readonly sha256: string } | null;
  readonly departmentId: string | null;
  readonly minor: boolean;
  readonly holds: readonly { readonly holdId: string; readonly kind: HoldKind; readonly reference: string }[];
  readonly cancellationRequested: boolean;
  readonly unbindingRequested: boolean;
  readonly invitationExpiresAt: Date | null;
  readonly agreement: {
    readonly agreementId: string;
    readonly status: 'active' | 'ended';
    readonly endsOn: string;
    readonly personalDataDeletionDueOn: string | null;
  } | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Personal fields of an account, decrypted in memory for one authorized read; `null` fields are absent or erased. */
export interface AccountPersonalData {
  readonly accountId: string;
  readonly erased: boolean;
  readonly name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly birthDate: string | null;
}

export interface StatusChangeView {
  readonly accountId: string;
  readonly status: AccountStatus;
  readonly event: string;
  readonly reason: string | null;
  readonly decidedBy: string;
  readonly at: Date;
}

export interface DepartmentView {
  readonly departmentId: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly memberCount: number;
}

export interface ChannelBindingView {
  readonly bindingId: string;
  readonly channel: Channel;
  readonly boundAt: Date;
  readonly boundBy: string;
}

export interface FunctionDeletionView {
  readonly requestId: string;
  readonly accountId: string;
  readonly function: string;
  readonly requestedOn: string;
  readonly dueOn: string;
  readonly completedOn: string | null;
}

export interface AccountFilter {
  readonly kind?: AccountKind;
  readonly status?: AccountStatus;
  readonly verification?: Verification;
  readonly departmentId?: string;
  readonly cancellationRequested?: boolean;
  readonly unbindingRequested?: boolean;
  /** Keyset paging: accounts whose id sorts after this one. */
  readonly after?: string;
  readonly limit: number;
}

/** Reads of the accounts read models. Tenant-scoped reads run under row-level security. */
export interface AccountsReadModel {
  get(tenantId: string, accountId: string): Promise<AccountView | null>;
  /** Across tenants: platform operators and public flows (one-time codes, invitations). */
  find(accountId: string): Promise<AccountView | null>;
  /** The enterprise or personal account that is the tenant itself. */
  tenantAccount(tenantId: string): Promise<AccountView | null>;
  list(tenantId: string | null, filter: AccountFilter): Promise<AccountView[]>;
  statusHistory(tenantId: string, accountId: string): Promise<StatusChangeView[]>;
  departments(tenantId: string): Promise<DepartmentView[]>;
  channelBindings(tenantId: string): Promise<ChannelBindingView[]>;
  functionDeletions(tenantId: string): Promise<FunctionDeletionView[]>;
  unbindingApprovalRequired(tenantId: string): Promise<boolean>;
  personalData(tenantId: string, accountId: string): Promise<AccountPersonalData | null>;
  lastActivity(accountId: string): Promise<Date | null>;
  /**
   * Members of the tenant still invited or in the organization whose e-mail or
   * phone equals the given one (by blind index: the values are never compared in clear).
   */
  openMembersWithContact(tenantId: string, contact: { readonly email: string | null; readonly phone: string | null }): Promise<AccountView[]>;
}

/** Applies a stream's new events to the accounts read models now (read-your-writes for the UI). */
export interface AccountsProjector {
  projectStream(streamId: string): Promise<unknown>;
}

export type ClaimKind = 'tenant-id' | 'registration-number' | 'phone' | 'channel-account';

/**
 * Uniqueness of registration identifiers across the platform (A2, A5),
 * stored as keyed hashes. A claim is released when its account is erased.
 */
export interface IdentifierClaims {
  /** True when the identifier is now (or already was) claimed by this account. */
  claim(kind: ClaimKind, value: string, accountId: string): Promise<boolean>;
  release(accountId: string): Promise<void>;
}

export type CodePurpose = 'registration' | 'reactivation' | 'evidence';

export interface IssuedCode {
  readonly challengeId: string;
  readonly expiresAt: Date;
}

export interface VerifiedCode {
  readonly accountId: string;
  readonly tenantId: string;
  /** The address the code went to (decrypted in memory). */
  readonly target: { readonly phone: string | null; readonly email: string | null };
}

/** One-time codes (A2, A7): random, stored as keyed hashes, short-lived, few attempts, rate limited per address. */
export interface OneTimeCodes {
  issue(request: {
    readonly purpose: CodePurpose;
    readonly accountId: string;
    readonly tenantId: string;
    readonly target: { readonly phone: string | null; readonly email: string | null };
    readonly now: Date;
  }): Promise<IssuedCode>;
  verify(request: { readonly purpose: CodePurpose; readonly challengeId: string; readonly code: string; readonly now: Date }): Promise<VerifiedCode>;
}

/** Crypto-shredding of a data subject: key destroyed, blind indexes and claims dropped. */
export interface SubjectEraser {
  erase(subjectId: string, reason: string): Promise<void>;
}

/** The contact of an account as registered (decrypted in memory), to send it a code. */
export interface AccountContacts {
  contactOf(accountId: string): Promise<{ readonly phone: string | null; readonly email: string | null } | null>;
}

/** Public holidays (ISO dates) that do not count as working days (A11). */
export interface WorkingCalendar {
  readonly holidays: ReadonlySet<string>;
}

export const WORKING_CALENDAR = Symbol.for('attest.accounts.WorkingCalendar');
export const ACCOUNTS_READ_MODEL = Symbol.for('attest.accounts.ReadModel');
export const ACCOUNTS_PROJECTOR = Symbol.for('attest.accounts.Projector');
export const IDENTIFIER_CLAIMS = Symbol.for('attest.accounts.IdentifierClaims');
export const ONE_TIME_CODES = Symbol.for('attest.accounts.OneTimeCodes');
export const SUBJECT_ERASER = Symbol.for('attest.accounts.SubjectEraser');
export const ACCOUNT_CONTACTS = Symbol.for('attest.accounts.Contacts');

export type { JsonValue };

/**
 * The API keys an account holder issued (owned by the access context): when
 * the holder stops being able to act for the tenant, each is revoked with the
 * reason (A3, A6).
 */
export interface IssuedKeys {
  revokeIssuedBy(context: CommandContext, accountId: string, reason: IssuerChange): Promise<void>;
}
export const ISSUED_KEYS = Symbol.for('attest.accounts.IssuedKeys');
