import { deciderSpec } from '@attest/testing';
import type { AccountEvent } from './account';
import { accountDecider, type AccountCommand } from './account.decider';

const spec = deciderSpec(accountDecider);
const now = new Date('2026-11-22T10:00:00.000Z');
const ids = { accountId: 'a-1', tenantId: 'acme' };
const base = { ...ids, actor: 'user:admin', now };
const contact = { name: 'Li Wei', email: 'li@example.com', phone: '+8613800000000' };
const evidence = { documentRef: 'doc-1', sha256: 'a'.repeat(64) };

const enterprise: AccountEvent = {
  type: 'EnterpriseRegistered.v1',
  data: { ...ids, legalName: 'Acme Ltd', registrationNumber: '91310000MA1K', contact, evidence },
};
const verified: AccountEvent = { type: 'EnterpriseVerified.v1', data: { ...ids, verifiedBy: 'apiKey:op' } };
const personal: AccountEvent = { type: 'PersonalUserRegistered.v1', data: { ...ids, phone: '+8613800000001', birthDate: '1990-01-01' } };
const invited: AccountEvent = {
  type: 'EndUserInvited.v1',
  data: { ...ids, departmentId: null, contact, minor: null, token: 't', tokenHash: 'h', expiresAt: '2026-11-29T10:00:00.000Z', invitedBy: 'user:admin' },
};
const accepted: AccountEvent = { type: 'InvitationAccepted.v1', data: ids };
const restricted: AccountEvent = {
  type: 'AccountRestricted.v1',
  data: { ...ids, reason: 'violation', note: null, decidedBy: 'apiKey:op', lastActivityAt: null },
};
const suspended: AccountEvent = { type: 'AccountSuspended.v1', data: { ...ids, reason: 'dispute', note: null, decidedBy: 'apiKey:op' } };
const revoked: AccountEvent = { type: 'AccountRevoked.v1', data: { ...ids, reason: 'violation', note: null, decidedBy: 'apiKey:op' } };
const dispute: AccountEvent = { type: 'HoldPlaced.v1', data: { ...ids, holdId: 'h-1', kind: 'dispute', reference: 'case-7', placedBy: 'apiKey:op' } };
const cancellationRequested: AccountEvent = { type: 'CancellationRequested.v1', data: { ...ids, requestedBy: 'user:admin' } };
const agreement: AccountEvent = {
  type: 'AgreementStarted.v1',
  data: { ...ids, agreementId: 'ag-1', startsOn: '2025-01-01', endsOn: '2026-12-31', decidedBy: 'apiKey:op' },
};
const ended: AccountEvent = {
  type: 'AgreementEnded.v1',
  data: { ...ids, agreementId: 'ag-1', endedOn: '2026-06-01', how: 'terminated', personalDataDeletionDueOn: '2026-12-01', decidedBy: 'apiKey:op' },
};

const cmd = <K extends AccountCommand['kind']>(kind: K, extra: Omit<Extract<AccountCommand, { kind: K }>, 'kind' | keyof typeof base>): AccountCommand =>
  ({ ...base, kind, ...extra }) as AccountCommand;

describe('account decider', () => {
  describe('A1 enterprise registration and verification', () => {
    it('registers an enterprise pending verification', () => {
      spec
        .given([])
        .when(cmd('RegisterEnterprise', { legalName: 'Acme Ltd', registrationNumber: '91310000MA1K', contact, evidence }))
        .then([enterprise]);
    });
    it('refuses an account that exists, and a contact without e-mail or phone', () => {
      spec
        .given([enterprise])
        .when(cmd('RegisterEnterprise', { legalName: 'x', registrationNumber: 'y', contact, evidence }))
        .thenRefuses('ACCOUNT.ALREADY_EXISTS');
      spec
        .given([])
        .when(cmd('RegisterEnterprise', { legalName: 'x', registrationNumber: 'y', contact: { name: 'n', email: null, phone: null }, evidence }))
        .thenRefuses('ACCOUNT.CONTACT_REQUIRED');
    });
    it('verifies or rejects with reasons; rejected enterprises resubmit evidence', () => {
      spec
        .given([enterprise])
        .when(cmd('VerifyEnterprise', {}))
        .then([{ type: 'EnterpriseVerified.v1', data: { ...ids, verifiedBy: 'user:admin' } }]);
      spec
        .given([enterprise])
        .when(cmd('RejectEnterprise', { reasons: ['licence-expired', 'licence-expired'] }))
        .then([{ type: 'EnterpriseRejected.v1', data: { ...ids, reasons: ['licence-expired'], rejectedBy: 'user:admin' } }]);
      const rejected: AccountEvent = { type: 'EnterpriseRejected.v1', data: { ...ids, reasons: ['licence-expired'], rejectedBy: 'x' } };
      spec
        .given([enterprise, rejected])
        .when(cmd('SubmitLicenceEvidence', { evidence }))
        .then([{ type: 'LicenceEvidenceSubmitted.v1', data: { ...ids, evidence } }]);
    });
    it('refuses verification out of order', () => {
      spec
        .given([enterprise])
        .when(cmd('RejectEnterprise', { reasons: [] }))
        .thenRefuses('ACCOUNT.REJECTION_REASON_REQUIRED');
      spec.given([enterprise, verified]).when(cmd('VerifyEnterprise', {})).thenRefuses('ACCOUNT.NOT_PENDING_VERIFICATION');
      spec.given([enterprise, verified]).when(cmd('SubmitLicenceEvidence', { evidence })).thenRefuses('ACCOUNT.ALREADY_VERIFIED');
      spec.given([personal]).when(cmd('VerifyEnterprise', {})).thenRefuses('ACCOUNT.NOT_AN_ENTERPRISE');
      spec.given([personal]).when(cmd('SubmitLicenceEvidence', { evidence })).thenRefuses('ACCOUNT.NOT_AN_ENTERPRISE');
      spec.given([]).when(cmd('VerifyEnterprise', {})).thenRefuses('ACCOUNT.NOT_FOUND');
      spec
        .given([enterprise])
        .when({ ...cmd('VerifyEnterprise', {}), tenantId: 'other' })
        .thenRefuses('ACCOUNT.NOT_FOUND');
    });
  });

  describe('A2 personal users', () => {
    it('registers an adult', () => {
      spec
        .given([])
        .when(cmd('RegisterPersonalUser', { phone: '+8613800000001', birthDate: '1990-01-01' }))
        .then([personal]);
      spec
        .given([])
        .when(cmd('RegisterPersonalUser', { phone: '+1', birthDate: '2008-11-22' }))
        .then([{ type: 'PersonalUserRegistered.v1', data: { ...ids, phone: '+1', birthDate: '2008-11-22' } }]);
    });
    it('refuses anyone under 18', () => {
      spec
        .given([])
        .when(cmd('RegisterPersonalUser', { phone: '+1', birthDate: '2008-11-23' }))
        .thenRefuses('ACCOUNT.UNDERAGE');
    });
  });

  describe('A3/A12 invitations', () => {
    const invite = (extra: Partial<Extract<AccountCommand, { kind: 'InviteEndUser' }>> = {}): AccountCommand =>
      cmd('InviteEndUser', {
        departmentId: null,
        contact,
        birthDate: null,
        minor: null,
        token: 't',
        tokenHash: 'h',
        expiresAt: new Date('2026-11-29T10:00:00.000Z'),
        ...extra,
      });
    const guardian = {
      guardian: { name: 'Li Na', relationship: 'parent' as const },
      guardianConsentRef: 'gc-1',
      minorIdentityRef: 'id-1',
      guardianIdentityRef: 'id-2',
    };

    it('invites an adult; accept, decline and expire close it', () => {
      spec.given([]).when(invite()).then([invited]);
      spec
        .given([invited])
        .when(cmd('AcceptInvitation', { tokenHash: 'h' }))
        .then([accepted]);
      spec
        .given([invited])
        .when(cmd('DeclineInvitation', { tokenHash: 'h' }))
        .then([{ type: 'InvitationDeclined.v1', data: ids }]);
      spec
        .given([invited])
        .when({ ...cmd('ExpireInvitation', {}), now: new Date('2026-11-29T10:00:00.000Z') })
        .then([{ type: 'InvitationExpired.v1', data: ids }]);
    });
    it('refuses bad invitations', () => {
      spec
        .given([])
        .when(invite({ contact: { name: 'n', email: null, phone: null } }))
        .thenRefuses('INVITATION.CONTACT_REQUIRED');
      spec
        .given([])
        .when(invite({ expiresAt: now }))
        .thenRefuses('INVITATION.EXPIRY_IN_PAST');
      spec
        .given([invited])
        .when(cmd('AcceptInvitation', { tokenHash: 'wrong' }))
        .thenRefuses('INVITATION.INVALID_TOKEN');
      spec
        .given([invited])
        .when({ ...cmd('AcceptInvitation', { tokenHash: 'h' }), now: new Date('2026-11-30T00:00:00.000Z') })
        .thenRefuses('INVITATION.EXPIRED');
      spec
        .given([invited, accepted])
        .when(cmd('DeclineInvitation', { tokenHash: 'h' }))
        .thenRefuses('INVITATION.CLOSED');
      spec.given([invited, accepted]).when(cmd('ExpireInvitation', {})).thenRefuses('INVITATION.CLOSED');
      spec.given([invited]).when(cmd('ExpireInvitation', {})).thenRefuses('INVITATION.NOT_EXPIRED');
    });
    it('A12: a minor needs guardian consent and both identities verified', () => {
      spec
        .given([])
        .when(invite({ birthDate: '2012-05-01' }))
        .thenRefuses('INVITATION.GUARDIAN_CONSENT_REQUIRED');
      spec
        .given([])
        .when(invite({ birthDate: '2012-05-01', minor: { ...guardian, guardianIdentityRef: '' } }))
        .thenRefuses('INVITATION.IDENTITY_VERIFICATION_REQUIRED');
      spec
        .given([])
        .when(invite({ birthDate: '2012-05-01', minor: guardian }))
        .then([{ ...invited, data: { ...(invited.data as object), minor: { ...guardian, birthDate: '2012-05-01' } } } as AccountEvent]);
      // An adult's guardian details are not recorded.
      spec
        .given([])
        .when(invite({ birthDate: '1990-05-01', minor: guardian }))
        .then([invited]);
    });
    it('moves members between departments', () => {
      spec
        .given([invited, accepted])
        .when(cmd('MoveToDepartment', { departmentId: 'd-1' }))
        .then([{ type: 'MemberMovedToDepartment.v1', data: { ...ids, departmentId: 'd-1', movedBy: 'user:admin' } }]);
      spec
        .given([personal])
        .when(cmd('MoveToDepartment', { departmentId: 'd-1' }))
        .thenRefuses('ACCOUNT.NOT_A_MEMBER');
    });
  });

  describe('A4 no transfer', () => {
    it('records the attempt as the only outcome', () => {
      spec
        .given([personal])
        .when(cmd('ChangeOwner', {}))
        .then([{ type: 'OwnerChangeRefused.v1', data: { ...ids, attemptedBy: 'user:admin' } }]);
      spec
        .given([personal, revoked])
        .when(cmd('ChangeOwner', {}))
        .then([{ type: 'OwnerChangeRefused.v1', data: { ...ids, attemptedBy: 'user:admin' } }]);
    });
  });

  describe('A6/A7 account states', () => {
    it('restricts, suspends, revokes and reactivates with reasons', () => {
      spec
        .given([personal])
        .when(cmd('Restrict', { reason: 'violation', note: null }))
        .then([{ ...restricted, data: { ...restricted.data, decidedBy: 'user:admin' } }]);
      spec
        .given([personal, restricted])
        .when(cmd('Suspend', { reason: 'dispute', note: null }))
        .then([{ ...suspended, data: { ...suspended.data, decidedBy: 'user:admin' } }]);
      spec
        .given([personal, suspended])
        .when(cmd('Revoke', { reason: 'violation', note: null }))
        .then([{ ...revoked, data: { ...revoked.data, decidedBy: 'user:admin' } }]);
      spec
        .given([personal, restricted])
        .when(cmd('Reactivate', { method: 'one-time-code', note: null }))
        .then([{ type: 'AccountReactivated.v1', data: { ...ids, reason: 'resolved', note: null, decidedBy: 'user:admin', method: 'one-time-code' } }]);
      spec
        .given([personal, suspended])
        .when(cmd('Reactivate', { method: 'operator', note: 'cleared' }))
        .then([{ type: 'AccountReactivated.v1', data: { ...ids, reason: 'resolved', note: 'cleared', decidedBy: 'user:admin', method: 'operator' } }]);
    });
    it('refuses changes that do not fit the state', () => {
      spec
        .given([personal, restricted])
        .when(cmd('Restrict', { reason: 'violation', note: null }))
        .thenRefuses('ACCOUNT.INVALID_STATUS');
      spec
        .given([personal, suspended])
        .when(cmd('Reactivate', { method: 'one-time-code', note: null }))
        .thenRefuses('ACCOUNT.INVALID_STATUS');
      spec
        .given([personal])
        .when(cmd('Reactivate', { method: 'operator', note: null }))
        .thenRefuses('ACCOUNT.INVALID_STATUS');
      spec
        .given([personal, revoked])
        .when(cmd('Suspend', { reason: 'violation', note: null }))
        .thenRefuses('ACCOUNT.CLOSED');
      spec
        .given([personal, suspended])
        .when(cmd('ReportStolen', { note: null }))
        .thenRefuses('ACCOUNT.INVALID_STATUS');
    });
    it('a stolen-account report suspends the account', () => {
      spec
        .given([personal])
        .when(cmd('ReportStolen', { note: null }))
        .then([{ type: 'AccountReportedStolen.v1', data: { ...ids, reportedBy: 'user:admin', note: null } }]);
    });
    it('A7: restricts for inactivity only after the threshold', () => {
      const lastActivityAt = new Date('2026-08-01T00:00:00.000Z');
      spec
        .given([personal])
        .when(cmd('RestrictForInactivity', { lastActivityAt, inactivityDays: 90 }))
        .then([
          {
            type: 'AccountRestricted.v1',
            data: { ...ids, reason: 'inactivity', note: null, decidedBy: 'user:admin', lastActivityAt: lastActivityAt.toISOString() },
          },
        ]);
      spec
        .given([personal])
        .when(cmd('RestrictForInactivity', { lastActivityAt, inactivityDays: 180 }))
        .thenRefuses('ACCOUNT.NOT_INACTIVE');
    });
  });

  describe('A8/A9 cancellation', () => {
    it('requests and approves cancellation when nothing blocks it', () => {
      spec.given([personal]).when(cmd('RequestCancellation', {})).then([cancellationRequested]);
      spec
        .given([personal, cancellationRequested])
        .when(cmd('ApproveCancellation', {}))
        .then([{ type: 'AccountCancelled.v1', data: { ...ids, reason: 'requested', decidedBy: 'user:admin', lastActivityAt: null } }]);
    });
    it('refuses a request while a hold is open or the status is not normal, naming each blocker', () => {
      spec.given([personal, dispute]).when(cmd('RequestCancellation', {})).thenRefuses('ACCOUNT.CANCELLATION_BLOCKED');
      spec.given([personal, restricted]).when(cmd('RequestCancellation', {})).thenRefuses('ACCOUNT.CANCELLATION_BLOCKED');
      let refusal: unknown;
      try {
        accountDecider.decide(cmd('RequestCancellation', {}), [personal, dispute, restricted].reduce(accountDecider.evolve, accountDecider.initialState));
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toMatchObject({ details: { blockers: ['not-in-normal-status', 'open-dispute'] } });
      spec.given([personal, cancellationRequested]).when(cmd('RequestCancellation', {})).thenRefuses('ACCOUNT.CANCELLATION_PENDING');
      spec.given([invited, accepted]).when(cmd('RequestCancellation', {})).thenRefuses('ACCOUNT.USE_UNBINDING');
      spec.given([personal]).when(cmd('ApproveCancellation', {})).thenRefuses('ACCOUNT.NO_CANCELLATION_REQUEST');
    });
    it('rejects an approval when a blocker appeared after the request', () => {
      spec
        .given([personal, cancellationRequested, dispute])
        .when(cmd('ApproveCancellation', {}))
        .then([{ type: 'CancellationRejected.v1', data: { ...ids, blockers: ['open-dispute'], decidedBy: 'user:admin' } }]);
    });
    it('holds are placed and released', () => {
      spec
        .given([personal])
        .when(cmd('PlaceHold', { holdId: 'h-1', holdKind: 'dispute', reference: 'case-7' }))
        .then([{ ...dispute, data: { ...dispute.data, placedBy: 'user:admin' } }]);
      spec
        .given([personal, dispute])
        .when(cmd('PlaceHold', { holdId: 'h-1', holdKind: 'complaint', reference: 'x' }))
        .thenRefuses('ACCOUNT.HOLD_EXISTS');
      spec
        .given([personal, dispute])
        .when(cmd('ReleaseHold', { holdId: 'h-1' }))
        .then([{ type: 'HoldReleased.v1', data: { ...ids, holdId: 'h-1', kind: 'dispute', releasedBy: 'user:admin' } }]);
      spec
        .given([personal])
        .when(cmd('ReleaseHold', { holdId: 'h-1' }))
        .thenRefuses('ACCOUNT.HOLD_NOT_FOUND');
    });
    it('A8: cancels after more than six months without login, not before', () => {
      spec
        .given([personal])
        .when(cmd('CancelForInactivity', { lastActivityAt: new Date('2026-05-21T09:00:00.000Z') }))
        .then([{ type: 'AccountCancelled.v1', data: { ...ids, reason: 'inactivity', decidedBy: 'user:admin', lastActivityAt: '2026-05-21T09:00:00.000Z' } }]);
      spec
        .given([personal])
        .when(cmd('CancelForInactivity', { lastActivityAt: new Date('2026-05-22T09:00:00.000Z') }))
        .thenRefuses('ACCOUNT.NOT_INACTIVE');
    });
    it('A8/A9: members are cancelled with their enterprise, whatever their state', () => {
      const restrictedMember = [invited, accepted, restricted];
      spec
        .given(restrictedMember)
        .when(cmd('CancelWithTenant', {}))
        .then([{ type: 'AccountCancelled.v1', data: { ...ids, reason: 'tenant-cancelled', decidedBy: 'user:admin', lastActivityAt: null } }]);
      spec
        .given([invited])
        .when(cmd('CancelWithTenant', {}))
        .then([{ type: 'AccountCancelled.v1', data: { ...ids, reason: 'tenant-cancelled', decidedBy: 'user:admin', lastActivityAt: null } }]);
      spec
        .given([invited, accepted, revoked])
        .when(cmd('CancelWithTenant', {}))
        .then([{ type: 'AccountCancelled.v1', data: { ...ids, reason: 'tenant-cancelled', decidedBy: 'user:admin', lastActivityAt: null } }]);
      spec
        .given([invited, { type: 'InvitationDeclined.v1', data: ids }])
        .when(cmd('CancelWithTenant', {}))
        .then([]);
      spec.given([enterprise]).when(cmd('CancelWithTenant', {})).thenRefuses('ACCOUNT.NOT_A_MEMBER');
    });
    it('nothing but the closing facts after cancellation', () => {
      const cancelled: AccountEvent = { type: 'AccountCancelled.v1', data: { ...ids, reason: 'requested', decidedBy: 'x', lastActivityAt: null } };
      spec
        .given([personal, cancelled])
        .when(cmd('Restrict', { reason: 'violation', note: null }))
        .thenRefuses('ACCOUNT.CLOSED');
    });
  });

  describe('A9 unbinding', () => {
    const member = [invited, accepted];
    it('unbinds at once, or after approval when the enterprise requires it', () => {
      spec
        .given(member)
        .when(cmd('RequestUnbinding', { approvalRequired: false }))
        .then([{ type: 'MemberUnbound.v1', data: { ...ids, requestedBy: 'user:admin', approvedBy: null } }]);
      const requested: AccountEvent = { type: 'UnbindingRequested.v1', data: { ...ids, requestedBy: 'user:u' } };
      spec
        .given(member)
        .when(cmd('RequestUnbinding', { approvalRequired: true }))
        .then([{ ...requested, data: { ...requested.data, requestedBy: 'user:admin' } }]);
      spec
        .given([...member, requested])
        .when(cmd('ApproveUnbinding', {}))
        .then([{ type: 'MemberUnbound.v1', data: { ...ids, requestedBy: 'a-1', approvedBy: 'user:admin' } }]);
      spec
        .given([...member, requested])
        .when(cmd('RejectUnbinding', {}))
        .then([{ type: 'UnbindingRejected.v1', data: { ...ids, decidedBy: 'user:admin' } }]);
      spec
        .given([...member, requested])
        .when(cmd('RequestUnbinding', { approvalRequired: true }))
        .thenRefuses('ACCOUNT.UNBINDING_PENDING');
    });
    it('refuses unbinding for non-members, without a request, or while blocked', () => {
      spec
        .given([personal])
        .when(cmd('RequestUnbinding', { approvalRequired: false }))
        .thenRefuses('ACCOUNT.NOT_A_MEMBER');
      spec.given(member).when(cmd('ApproveUnbinding', {})).thenRefuses('ACCOUNT.NO_UNBINDING_REQUEST');
      spec
        .given([...member, dispute])
        .when(cmd('RequestUnbinding', { approvalRequired: false }))
        .thenRefuses('ACCOUNT.CANCELLATION_BLOCKED');
    });
  });

  describe('A10 agreements', () => {
    it('starts, renews and ends an agreement with the deletion date six months on', () => {
      spec
        .given([enterprise, verified])
        .when(cmd('StartAgreement', { agreementId: 'ag-1', startsOn: '2025-01-01', endsOn: '2026-12-31' }))
        .then([{ ...agreement, data: { ...agreement.data, decidedBy: 'user:admin' } }]);
      spec
        .given([enterprise, verified, agreement])
        .when(cmd('RenewAgreement', { endsOn: '2027-12-31' }))
        .then([{ type: 'AgreementRenewed.v1', data: { ...ids, agreementId: 'ag-1', endsOn: '2027-12-31', decidedBy: 'user:admin' } }]);
      spec
        .given([enterprise, verified, agreement])
        .when(cmd('TerminateAgreement', {}))
        .then([
          {
            type: 'AgreementEnded.v1',
            data: { ...ids, agreementId: 'ag-1', endedOn: '2026-11-22', how: 'terminated', personalDataDeletionDueOn: '2027-05-22', decidedBy: 'user:admin' },
          },
        ]);
      spec
        .given([enterprise, verified, agreement])
        .when({ ...cmd('ExpireAgreement', {}), now: new Date('2027-01-02T00:00:00.000Z') })
        .then([
          {
            type: 'AgreementEnded.v1',
            data: { ...ids, agreementId: 'ag-1', endedOn: '2026-12-31', how: 'expired', personalDataDeletionDueOn: '2027-06-30', decidedBy: 'user:admin' },
          },
        ]);
      // Renewal within the six months keeps the data.
      spec
        .given([enterprise, verified, agreement, ended])
        .when(cmd('RenewAgreement', { endsOn: '2027-11-30' }))
        .then([{ type: 'AgreementRenewed.v1', data: { ...ids, agreementId: 'ag-1', endsOn: '2027-11-30', decidedBy: 'user:admin' } }]);
    });
    it('refuses agreements out of order', () => {
      spec
        .given([enterprise])
        .when(cmd('StartAgreement', { agreementId: 'ag-1', startsOn: '2025-01-01', endsOn: '2026-12-31' }))
        .thenRefuses('ACCOUNT.NOT_VERIFIED');
      spec
        .given([invited, accepted])
        .when(cmd('StartAgreement', { agreementId: 'ag-1', startsOn: '2025-01-01', endsOn: '2026-12-31' }))
        .thenRefuses('ACCOUNT.NOT_A_TENANT');
      spec
        .given([enterprise, verified, agreement])
        .when(cmd('StartAgreement', { agreementId: 'ag-2', startsOn: '2025-01-01', endsOn: '2026-12-31' }))
        .thenRefuses('AGREEMENT.ALREADY_ACTIVE');
      spec
        .given([personal])
        .when(cmd('StartAgreement', { agreementId: 'ag-1', startsOn: '2026-01-01', endsOn: '2025-12-31' }))
        .thenRefuses('AGREEMENT.INVALID_TERM');
      spec
        .given([personal])
        .when(cmd('RenewAgreement', { endsOn: '2027-01-01' }))
        .thenRefuses('AGREEMENT.NONE');
      spec
        .given([personal, agreement])
        .when(cmd('RenewAgreement', { endsOn: '2026-12-01' }))
        .thenRefuses('AGREEMENT.INVALID_TERM');
      spec
        .given([personal, agreement, ended])
        .when({ ...cmd('RenewAgreement', { endsOn: '2027-12-01' }), now: new Date('2026-12-01T00:00:00.000Z') })
        .thenRefuses('AGREEMENT.RETENTION_OVER');
      spec.given([personal]).when(cmd('TerminateAgreement', {})).thenRefuses('AGREEMENT.NOT_ACTIVE');
      spec.given([personal, agreement]).when(cmd('ExpireAgreement', {})).thenRefuses('AGREEMENT.NOT_DUE');
    });
  });

  describe('A11 specific-function data deletion', () => {
    const requested: AccountEvent = {
      type: 'FunctionDataDeletionRequested.v1',
      data: { ...ids, requestId: 'r-1', function: 'call-recording', requestedOn: '2026-11-22', dueOn: '2026-12-11', requestedBy: 'user:admin' },
    };
    it('is due 15 working days after the request, then completed', () => {
      spec
        .given([enterprise])
        .when(cmd('RequestFunctionDataDeletion', { requestId: 'r-1', function: 'call-recording', holidays: new Set() }))
        .then([requested]);
      spec
        .given([enterprise, requested])
        .when(cmd('CompleteFunctionDataDeletion', { requestId: 'r-1' }))
        .then([{ type: 'FunctionDataDeletionCompleted.v1', data: { ...ids, requestId: 'r-1', completedOn: '2026-11-22', completedBy: 'user:admin' } }]);
    });
    it('refuses duplicates, unknown and repeated completion', () => {
      spec
        .given([enterprise, requested])
        .when(cmd('RequestFunctionDataDeletion', { requestId: 'r-1', function: 'x', holidays: new Set() }))
        .thenRefuses('FUNCTION_DELETION.EXISTS');
      spec
        .given([enterprise])
        .when(cmd('CompleteFunctionDataDeletion', { requestId: 'r-1' }))
        .thenRefuses('FUNCTION_DELETION.NOT_FOUND');
      const completed: AccountEvent = {
        type: 'FunctionDataDeletionCompleted.v1',
        data: { ...ids, requestId: 'r-1', completedOn: '2026-11-23', completedBy: 'x' },
      };
      spec
        .given([enterprise, requested, completed])
        .when(cmd('CompleteFunctionDataDeletion', { requestId: 'r-1' }))
        .thenRefuses('FUNCTION_DELETION.ALREADY_COMPLETED');
      spec
        .given([invited, accepted])
        .when(cmd('RequestFunctionDataDeletion', { requestId: 'r-2', function: 'x', holidays: new Set() }))
        .thenRefuses('ACCOUNT.NOT_A_TENANT');
    });
  });
});
