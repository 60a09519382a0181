import { DomainError, type Decider } from '@attest/kernel';
import {
  evolveAccount,
  initialAccountState,
  type AccountEvent,
  type AccountState,
  type AccountStatus,
  type Contact,
  type HoldKind,
  type LicenceEvidence,
  type MinorInvitation,
  type RejectionReason,
  type StatusReason,
} from './account';
import { addMonths, addWorkingDays, ageOn, isoDate } from './calendar';

/** The policies of section A, in one place. */
export const ACCOUNT_POLICY = {
  /** A2: individuals must be adults to register. */
  minimumAge: 18,
  /** A8: no login for more than this many months cancels the account. */
  inactivityCancellationMonths: 6,
  /** A10: personal data is kept this long after an agreement ends, for renewal. */
  agreementRetentionMonths: 6,
  /** A11: specific-function data is deleted within this many working days. */
  functionDeletionWorkingDays: 15,
  /** A11: a deletion due within this many days is flagged to the operator. */
  functionDeletionAtRiskDays: 3,
  /** A8: a user is warned this many days before the cancellation for inactivity. */
  inactivityWarningDays: 14,
  /** A10: a tenant is warned this many days before its customers' personal data is erased. */
  tenantDeletionWarningDays: 30,
} as const;

const DAY_MS = 86_400_000;
const startOf = (date: string): Date => new Date(`${date}T00:00:00.000Z`);

/**
 * A8: users idle since before this instant may be cancelled at `now` — the
 * start of the first day whose six months do not end before today (so a job
 * selecting by it picks exactly the accounts the decider cancels, month ends
 * included).
 */
export function inactiveForCancellationBefore(now: Date): Date {
  const today = isoDate(now);
  let day = addMonths(today, -ACCOUNT_POLICY.inactivityCancellationMonths);
  while (addMonths(day, ACCOUNT_POLICY.inactivityCancellationMonths) < today) day = isoDate(new Date(startOf(day).getTime() + DAY_MS));
  return startOf(day);
}

/** A8: the first day on which an account idle since `lastActivity` may be cancelled. */
export function inactivityCancellationOn(lastActivity: Date): string {
  return isoDate(new Date(startOf(addMonths(isoDate(lastActivity), ACCOUNT_POLICY.inactivityCancellationMonths)).getTime() + DAY_MS));
}

interface Base {
  readonly accountId: string;
  readonly tenantId: string;
  /** Who decides: `user:<sub>`, `apiKey:<id>` or `system:<job>`; never personal data. */
  readonly actor: string;
  /** The command's time; deciders never read a clock. */
  readonly now: Date;
}

export type AccountCommand =
  | (Base & {
      readonly kind: 'RegisterEnterprise';
      readonly legalName: string;
      readonly registrationNumber: string;
      readonly contact: Contact;
      readonly evidence: LicenceEvidence;
    })
  | (Base & { readonly kind: 'SubmitLicenceEvidence'; readonly evidence: LicenceEvidence })
  | (Base & { readonly kind: 'VerifyEnterprise' })
  | (Base & { readonly kind: 'RejectEnterprise'; readonly reasons: readonly RejectionReason[] })
  | (Base & { readonly kind: 'RegisterPersonalUser'; readonly phone: string; readonly birthDate: string })
  | (Base & {
      readonly kind: 'InviteEndUser';
      readonly departmentId: string | null;
      readonly contact: Contact;
      readonly birthDate: string | null;
      /** What the inviter gave for a minor; a missing reference refuses this invitation alone (A12). */
      readonly minor: {
        readonly guardian: MinorInvitation['guardian'];
        readonly guardianConsentRef: string | null;
        readonly minorIdentityRef: string | null;
        readonly guardianIdentityRef: string | null;
      } | null;
      readonly token: string;
      readonly tokenHash: string;
      readonly expiresAt: Date;
    })
  | (Base & { readonly kind: 'AcceptInvitation'; readonly tokenHash: string })
  | (Base & { readonly kind: 'DeclineInvitation'; readonly tokenHash: string })
  | (Base & { readonly kind: 'ExpireInvitation' })
  | (Base & { readonly kind: 'MoveToDepartment'; readonly departmentId: string | null })
  | (Base & { readonly kind: 'Restrict'; readonly reason: StatusReason; readonly note: string | null })
  | (Base & { readonly kind: 'RestrictForInactivity'; readonly lastActivityAt: Date; readonly inactivityDays: number })
  | (Base & { readonly kind: 'Suspend'; readonly reason: StatusReason; readonly note: string | null })
  | (Base & { readonly kind: 'Revoke'; readonly reason: StatusReason; readonly note: string | null })
  | (Base & { readonly kind: 'Reactivate'; readonly method: 'one-time-code' | 'operator'; readonly note: string | null })
  | (Base & { readonly kind: 'ReportStolen'; readonly note: string | null })
  | (Base & { readonly kind: 'ChangeOwner' })
  | (Base & { readonly kind: 'PlaceHold'; readonly holdId: string; readonly holdKind: HoldKind; readonly reference: string })
  | (Base & { readonly kind: 'ReleaseHold'; readonly holdId: string })
  | (Base & { readonly kind: 'RequestCancellation' })
  | (Base & { readonly kind: 'ApproveCancellation' })
  | (Base & { readonly kind: 'CancelForInactivity'; readonly lastActivityAt: Date })
  | (Base & { readonly kind: 'CancelWithTenant' })
  | (Base & { readonly kind: 'RequestUnbinding'; readonly approvalRequired: boolean })
  | (Base & { readonly kind: 'ApproveUnbinding' })
  | (Base & { readonly kind: 'RejectUnbinding' })
  | (Base & { readonly kind: 'StartAgreement'; readonly agreementId: string; readonly startsOn: string; readonly endsOn: string })
  | (Base & { readonly kind: 'RenewAgreement'; readonly endsOn: string })
  | (Base & { readonly kind: 'TerminateAgreement' })
  | (Base & { readonly kind: 'ExpireAgreement' })
  | (Base & { readonly kind: 'RequestFunctionDataDeletion'; readonly requestId: string; readonly function: string; readonly holidays: ReadonlySet<string> })
  | (Base & { readonly kind: 'CompleteFunctionDataDeletion'; readonly requestId: string });

const refuse = (
  code: string,
  message: string,
  kind: 'invalid' | 'not_found' | 'conflict' | 'forbidden' = 'conflict',
  details?: DomainError['details'],
): never => {
  throw new DomainError(code, message, kind, details);
};

function requireStatus(state: AccountState, allowed: readonly AccountStatus[], action: string): void {
  if (!state.status || !allowed.includes(state.status)) {
    refuse('ACCOUNT.INVALID_STATUS', `cannot ${action} an account that is ${state.status ?? 'unknown'}`, 'conflict', { status: state.status ?? 'unknown' });
  }
}

/** A9: what stands in the way of cancelling or unbinding now; empty when nothing does. */
export function cancellationBlockers(state: AccountState): string[] {
  const blockers: string[] = [];
  if (state.status !== 'active') blockers.push('not-in-normal-status');
  const kinds = new Set(state.holds.values());
  for (const kind of ['dispute', 'complaint', 'authority-restriction', 'unfinished-transaction', 'outstanding-obligation'] as const) {
    if (kinds.has(kind)) blockers.push(`open-${kind}`);
  }
  return blockers;
}

/**
 * A2 (EC 2.2): a personal user is at least ACCOUNT_POLICY.minimumAge on `today`.
 * Exported so that registration checks it before it spends the one-time code.
 */
export function refuseUnderage(birthDate: string, today: string): void {
  if (ageOn(birthDate, today) < ACCOUNT_POLICY.minimumAge) {
    refuse('ACCOUNT.UNDERAGE', `individuals must be at least ${String(ACCOUNT_POLICY.minimumAge)} years old to register`, 'invalid');
  }
}

function blocked(state: AccountState): void {
  const blockers = cancellationBlockers(state);
  if (blockers.length > 0) {
    refuse('ACCOUNT.CANCELLATION_BLOCKED', `cancellation is blocked: ${blockers.join(', ')}`, 'conflict', { blockers });
  }
}

function decide(command: AccountCommand, state: AccountState): readonly AccountEvent[] {
  const ids = { accountId: command.accountId, tenantId: command.tenantId };
  const today = isoDate(command.now);
  const registering = command.kind === 'RegisterEnterprise' || command.kind === 'RegisterPersonalUser' || command.kind === 'InviteEndUser';
  if (registering && state.exists) refuse('ACCOUNT.ALREADY_EXISTS', 'this account already exists');
  if (!registering && !state.exists) refuse('ACCOUNT.NOT_FOUND', 'no such account', 'not_found');
  if (!registering && state.tenantId !== command.tenantId) refuse('ACCOUNT.NOT_FOUND', 'no such account', 'not_found');

  switch (command.kind) {
    case 'RegisterEnterprise':
      if (!command.contact.email && !command.contact.phone)
        refuse('ACCOUNT.CONTACT_REQUIRED', 'give the contact person an e-mail address or phone number', 'invalid');
      return [
        {
          type: 'EnterpriseRegistered.v1',
          data: { ...ids, legalName: command.legalName, registrationNumber: command.registrationNumber, contact: command.contact, evidence: command.evidence },
        },
      ];
    case 'SubmitLicenceEvidence':
      if (state.kind !== 'enterprise') refuse('ACCOUNT.NOT_AN_ENTERPRISE', 'only enterprise accounts are verified by licence');
      if (state.verification === 'verified') refuse('ACCOUNT.ALREADY_VERIFIED', 'the enterprise is already verified');
      return [{ type: 'LicenceEvidenceSubmitted.v1', data: { ...ids, evidence: command.evidence } }];
    case 'VerifyEnterprise':
    case 'RejectEnterprise':
      if (state.kind !== 'enterprise') refuse('ACCOUNT.NOT_AN_ENTERPRISE', 'only enterprise accounts are verified by licence');
      if (state.verification !== 'pending') refuse('ACCOUNT.NOT_PENDING_VERIFICATION', `the enterprise is ${state.verification ?? 'unknown'}, not pending`);
      if (command.kind === 'VerifyEnterprise') return [{ type: 'EnterpriseVerified.v1', data: { ...ids, verifiedBy: command.actor } }];
      if (command.reasons.length === 0) refuse('ACCOUNT.REJECTION_REASON_REQUIRED', 'a rejection names at least one reason', 'invalid');
      return [{ type: 'EnterpriseRejected.v1', data: { ...ids, reasons: [...new Set(command.reasons)], rejectedBy: command.actor } }];
    case 'RegisterPersonalUser':
      refuseUnderage(command.birthDate, today);
      return [{ type: 'PersonalUserRegistered.v1', data: { ...ids, phone: command.phone, birthDate: command.birthDate } }];
    case 'InviteEndUser': {
      if (!command.contact.email && !command.contact.phone)
        refuse('INVITATION.CONTACT_REQUIRED', 'an invitation needs an e-mail address or phone number', 'invalid');
      if (command.expiresAt.getTime() <= command.now.getTime()) refuse('INVITATION.EXPIRY_IN_PAST', 'the invitation must expire in the future', 'invalid');
      let minor: MinorInvitation | null = null;
      if (command.birthDate !== null && ageOn(command.birthDate, today) < ACCOUNT_POLICY.minimumAge) {
        // A12: a minor is invited only with the guardian's recorded consent and both identities verified.
        const given = command.minor;
        if (!given?.guardianConsentRef) return refuse('INVITATION.GUARDIAN_CONSENT_REQUIRED', 'inviting a minor needs recorded guardian consent', 'invalid');
        if (!given.minorIdentityRef || !given.guardianIdentityRef) {
          return refuse('INVITATION.IDENTITY_VERIFICATION_REQUIRED', 'inviting a minor needs verified identities of the minor and the guardian', 'invalid');
        }
        minor = {
          birthDate: command.birthDate,
          guardian: given.guardian,
          guardianConsentRef: given.guardianConsentRef,
          minorIdentityRef: given.minorIdentityRef,
          guardianIdentityRef: given.guardianIdentityRef,
        };
      }
      return [
        {
          type: 'EndUserInvited.v1',
          data: {
            ...ids,
            departmentId: command.departmentId,
            contact: command.contact,
            minor,
            token: command.token,
            tokenHash: command.tokenHash,
            expiresAt: command.expiresAt.toISOString(),
            invitedBy: command.actor,
          },
        },
      ];
    }
    case 'AcceptInvitation':
    case 'DeclineInvitation': {
      const invitation = state.invitation;
      if (state.status !== 'invited' || !invitation) return refuse('INVITATION.CLOSED', 'this invitation is no longer open');
      if (invitation.tokenHash !== command.tokenHash) refuse('INVITATION.INVALID_TOKEN', 'the invitation token does not match', 'forbidden');
      if (new Date(invitation.expiresAt).getTime() <= command.now.getTime()) refuse('INVITATION.EXPIRED', 'this invitation has expired');
      return [{ type: command.kind === 'AcceptInvitation' ? 'InvitationAccepted.v1' : 'InvitationDeclined.v1', data: ids }];
    }
    case 'ExpireInvitation': {
      const invitation = state.invitation;
      if (state.status !== 'invited' || !invitation) return refuse('INVITATION.CLOSED', 'this invitation is no longer open');
      if (new Date(invitation.expiresAt).getTime() > command.now.getTime()) refuse('INVITATION.NOT_EXPIRED', 'this invitation has not expired yet');
      return [{ type: 'InvitationExpired.v1', data: ids }];
    }
    case 'MoveToDepartment':
      if (state.kind !== 'member') refuse('ACCOUNT.NOT_A_MEMBER', 'only end users belong to departments');
      requireStatus(state, ['invited', 'active', 'restricted', 'suspended'], 'move');
      return [{ type: 'MemberMovedToDepartment.v1', data: { ...ids, departmentId: command.departmentId, movedBy: command.actor } }];
    case 'Restrict':
      requireStatus(state, ['active'], 'restrict');
      return [{ type: 'AccountRestricted.v1', data: { ...ids, reason: command.reason, note: command.note, decidedBy: command.actor, lastActivityAt: null } }];
    case 'RestrictForInactivity': {
      requireStatus(state, ['active'], 'restrict');
      const idleDays = (command.now.getTime() - command.lastActivityAt.getTime()) / 86_400_000;
      if (idleDays < command.inactivityDays) refuse('ACCOUNT.NOT_INACTIVE', `the account was active within ${String(command.inactivityDays)} days`);
      return [
        {
          type: 'AccountRestricted.v1',
          data: { ...ids, reason: 'inactivity', note: null, decidedBy: command.actor, lastActivityAt: command.lastActivityAt.toISOString() },
        },
      ];
    }
    case 'Suspend':
      requireStatus(state, ['active', 'restricted'], 'suspend');
      return [{ type: 'AccountSuspended.v1', data: { ...ids, reason: command.reason, note: command.note, decidedBy: command.actor } }];
    case 'Revoke':
      requireStatus(state, ['active', 'restricted', 'suspended'], 'revoke');
      return [{ type: 'AccountRevoked.v1', data: { ...ids, reason: command.reason, note: command.note, decidedBy: command.actor } }];
    case 'Reactivate':
      // A7: a user lifts a login restriction with a one-time code; a suspension only an operator lifts.
      requireStatus(state, command.method === 'one-time-code' ? ['restricted'] : ['restricted', 'suspended'], 'reactivate');
      return [{ type: 'AccountReactivated.v1', data: { ...ids, reason: 'resolved', note: command.note, decidedBy: command.actor, method: command.method } }];
    case 'ReportStolen':
      requireStatus(state, ['active', 'restricted'], 'report as stolen');
      return [{ type: 'AccountReportedStolen.v1', data: { ...ids, reportedBy: command.actor, note: command.note } }];
    case 'ChangeOwner':
      // A4: never allowed; the attempt itself is the recorded fact. The handler answers with the refusal.
      return [{ type: 'OwnerChangeRefused.v1', data: { ...ids, attemptedBy: command.actor } }];
    case 'PlaceHold':
      requireStatus(state, ['invited', 'active', 'restricted', 'suspended'], 'place a hold on');
      if (state.holds.has(command.holdId)) refuse('ACCOUNT.HOLD_EXISTS', 'this hold is already placed');
      return [
        { type: 'HoldPlaced.v1', data: { ...ids, holdId: command.holdId, kind: command.holdKind, reference: command.reference, placedBy: command.actor } },
      ];
    case 'ReleaseHold': {
      const kind = state.holds.get(command.holdId);
      if (!kind) return refuse('ACCOUNT.HOLD_NOT_FOUND', 'no such open hold', 'not_found');
      return [{ type: 'HoldReleased.v1', data: { ...ids, holdId: command.holdId, kind, releasedBy: command.actor } }];
    }
    case 'RequestCancellation':
      if (state.kind === 'member') refuse('ACCOUNT.USE_UNBINDING', 'end users leave an enterprise by unbinding, not by cancellation');
      if (state.cancellationRequested) refuse('ACCOUNT.CANCELLATION_PENDING', 'a cancellation request is already open');
      blocked(state);
      return [{ type: 'CancellationRequested.v1', data: { ...ids, requestedBy: command.actor } }];
    case 'ApproveCancellation': {
      if (!state.cancellationRequested) refuse('ACCOUNT.NO_CANCELLATION_REQUEST', 'there is no open cancellation request');
      const blockers = cancellationBlockers(state);
      // Something opened since the request (a dispute, say): the request is rejected with the reasons.
      if (blockers.length > 0) return [{ type: 'CancellationRejected.v1', data: { ...ids, blockers, decidedBy: command.actor } }];
      return [{ type: 'AccountCancelled.v1', data: { ...ids, reason: 'requested', decidedBy: command.actor, lastActivityAt: null } }];
    }
    case 'CancelForInactivity': {
      requireStatus(state, ['active', 'restricted'], 'cancel');
      const limit = addMonths(isoDate(command.lastActivityAt), ACCOUNT_POLICY.inactivityCancellationMonths);
      if (today <= limit) refuse('ACCOUNT.NOT_INACTIVE', `the account had a login within ${String(ACCOUNT_POLICY.inactivityCancellationMonths)} months`);
      return [
        { type: 'AccountCancelled.v1', data: { ...ids, reason: 'inactivity', decidedBy: command.actor, lastActivityAt: command.lastActivityAt.toISOString() } },
      ];
    }
    case 'CancelWithTenant':
      // The enterprise itself was cancelled: its members go with it, whatever their state.
      if (state.kind !== 'member') refuse('ACCOUNT.NOT_A_MEMBER', 'only end users are cancelled with their enterprise');
      // Already closed and erased: nothing left to do (a retry of the cascade).
      if (state.status === 'cancelled' || state.status === 'unbound' || state.status === 'invitation-closed') return [];
      return [{ type: 'AccountCancelled.v1', data: { ...ids, reason: 'tenant-cancelled', decidedBy: command.actor, lastActivityAt: null } }];
    case 'RequestUnbinding':
      if (state.kind !== 'member') refuse('ACCOUNT.NOT_A_MEMBER', 'only end users unbind from an enterprise');
      if (state.unbindingRequested) refuse('ACCOUNT.UNBINDING_PENDING', 'an unbinding request is already open');
      blocked(state);
      if (command.approvalRequired) return [{ type: 'UnbindingRequested.v1', data: { ...ids, requestedBy: command.actor } }];
      return [{ type: 'MemberUnbound.v1', data: { ...ids, requestedBy: command.actor, approvedBy: null } }];
    case 'ApproveUnbinding':
    case 'RejectUnbinding':
      if (!state.unbindingRequested) refuse('ACCOUNT.NO_UNBINDING_REQUEST', 'there is no open unbinding request');
      if (command.kind === 'RejectUnbinding') return [{ type: 'UnbindingRejected.v1', data: { ...ids, decidedBy: command.actor } }];
      blocked(state);
      return [{ type: 'MemberUnbound.v1', data: { ...ids, requestedBy: command.accountId, approvedBy: command.actor } }];
    case 'StartAgreement':
      if (state.kind === 'member') refuse('ACCOUNT.NOT_A_TENANT', 'agreements are made with enterprises and personal users');
      if (state.kind === 'enterprise' && state.verification !== 'verified') refuse('ACCOUNT.NOT_VERIFIED', 'the enterprise must be verified first');
      requireStatus(state, ['active', 'restricted'], 'start an agreement for');
      if (state.agreement?.status === 'active') refuse('AGREEMENT.ALREADY_ACTIVE', 'an agreement is already in force; renew it instead');
      if (command.endsOn <= command.startsOn) refuse('AGREEMENT.INVALID_TERM', 'the agreement must end after it starts', 'invalid');
      return [
        {
          type: 'AgreementStarted.v1',
          data: { ...ids, agreementId: command.agreementId, startsOn: command.startsOn, endsOn: command.endsOn, decidedBy: command.actor },
        },
      ];
    case 'RenewAgreement': {
      const agreement = state.agreement;
      if (!agreement) return refuse('AGREEMENT.NONE', 'there is no agreement to renew');
      // A10: data is kept six months after the end precisely so that a renewal can still happen.
      if (agreement.status === 'ended' && agreement.personalDataDeletionDueOn !== null && today >= agreement.personalDataDeletionDueOn) {
        refuse('AGREEMENT.RETENTION_OVER', 'the six months for renewal are over');
      }
      if (command.endsOn <= today || (agreement.status === 'active' && command.endsOn <= agreement.endsOn)) {
        refuse('AGREEMENT.INVALID_TERM', 'a renewal must extend the agreement', 'invalid');
      }
      return [{ type: 'AgreementRenewed.v1', data: { ...ids, agreementId: agreement.agreementId, endsOn: command.endsOn, decidedBy: command.actor } }];
    }
    case 'TerminateAgreement':
    case 'ExpireAgreement': {
      const agreement = state.agreement;
      if (agreement?.status !== 'active') return refuse('AGREEMENT.NOT_ACTIVE', 'there is no agreement in force');
      if (command.kind === 'ExpireAgreement' && today < agreement.endsOn) refuse('AGREEMENT.NOT_DUE', 'the agreement has not reached its end date');
      const endedOn = command.kind === 'ExpireAgreement' ? agreement.endsOn : today;
      return [
        {
          type: 'AgreementEnded.v1',
          data: {
            ...ids,
            agreementId: agreement.agreementId,
            endedOn,
            how: command.kind === 'ExpireAgreement' ? 'expired' : 'terminated',
            personalDataDeletionDueOn: addMonths(endedOn, ACCOUNT_POLICY.agreementRetentionMonths),
            decidedBy: command.actor,
          },
        },
      ];
    }
    case 'RequestFunctionDataDeletion':
      if (state.kind === 'member') refuse('ACCOUNT.NOT_A_TENANT', 'function data belongs to a tenant');
      if (state.functionDeletions.has(command.requestId)) refuse('FUNCTION_DELETION.EXISTS', 'this request id is already used');
      return [
        {
          type: 'FunctionDataDeletionRequested.v1',
          data: {
            ...ids,
            requestId: command.requestId,
            function: command.function,
            requestedOn: today,
            dueOn: addWorkingDays(today, ACCOUNT_POLICY.functionDeletionWorkingDays, command.holidays),
            requestedBy: command.actor,
          },
        },
      ];
    case 'CompleteFunctionDataDeletion': {
      const status = state.functionDeletions.get(command.requestId);
      if (!status) return refuse('FUNCTION_DELETION.NOT_FOUND', 'no such deletion request', 'not_found');
      if (status === 'completed') refuse('FUNCTION_DELETION.ALREADY_COMPLETED', 'this deletion is already completed');
      return [{ type: 'FunctionDataDeletionCompleted.v1', data: { ...ids, requestId: command.requestId, completedOn: today, completedBy: command.actor } }];
    }
  }
}

/** Terminal states: nothing but reads is left to do with these accounts. */
const TERMINAL: ReadonlySet<AccountStatus> = new Set(['cancelled', 'unbound', 'revoked', 'invitation-closed']);
const ALLOWED_WHEN_TERMINAL: ReadonlySet<AccountCommand['kind']> = new Set([
  'ChangeOwner',
  'CancelWithTenant',
  'ReleaseHold',
  'TerminateAgreement',
  'ExpireAgreement',
  'CompleteFunctionDataDeletion',
]);

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState: initialAccountState,
  decide(command, state) {
    if (state.status && TERMINAL.has(state.status) && !ALLOWED_WHEN_TERMINAL.has(command.kind)) {
      refuse('ACCOUNT.CLOSED', `the account is ${state.status}`, 'conflict', { status: state.status });
    }
    return decide(command, state);
  },
  evolve: evolveAccount,
};
