import type { AccountEvent, OrganizationEvent } from '@attest/accounts-domain';
import { classificationsOf, type ClassificationTable } from '@attest/privacy';

/**
 * Personal-data declarations of the accounts context. The subject of an
 * account's personal fields is the account id; of a channel binding, the
 * binding id. Legal names and registration numbers of legal entities are
 * not personal data; contact persons, phone numbers, birth dates, guardians,
 * free-text notes and invitation secrets are encrypted.
 */
export const accountClassificationTable: ClassificationTable<AccountEvent | OrganizationEvent> = {
  'EnterpriseRegistered.v1': {
    subject: 'accountId',
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      legalName: 'not-personal',
      registrationNumber: 'not-personal',
      contact: {
        name: 'personal',
        email: 'personal',
        phone: 'personal',
      },
      evidence: 'not-personal',
    },
  },
  'LicenceEvidenceSubmitted.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      evidence: 'not-personal',
    },
  },
  'EnterpriseVerified.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      verifiedBy: 'not-personal',
    },
  },
  'EnterpriseRejected.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      reasons: 'not-personal',
      rejectedBy: 'not-personal',
    },
  },
  'PersonalUserRegistered.v1': {
    subject: 'accountId',
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      phone: 'personal',
      birthDate: 'personal',
    },
  },
  'EndUserInvited.v1': {
    subject: 'accountId',
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      departmentId: 'not-personal',
      contact: {
        name: 'personal',
        email: 'personal',
        phone: 'personal',
      },
      minor: 'minor-under-14',
      token: 'personal',
      tokenHash: 'not-personal',
      expiresAt: 'not-personal',
      invitedBy: 'not-personal',
    },
  },
  'InvitationAccepted.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
    },
  },
  'InvitationDeclined.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
    },
  },
  'InvitationExpired.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
    },
  },
  'MemberMovedToDepartment.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      departmentId: 'not-personal',
      movedBy: 'not-personal',
    },
  },
  'AccountRestricted.v1': {
    subject: 'accountId',
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      lastActivityAt: 'not-personal',
      reason: 'not-personal',
      note: 'personal',
      decidedBy: 'not-personal',
    },
  },
  'AccountSuspended.v1': {
    subject: 'accountId',
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      reason: 'not-personal',
      note: 'personal',
      decidedBy: 'not-personal',
    },
  },
  'AccountRevoked.v1': {
    subject: 'accountId',
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      reason: 'not-personal',
      note: 'personal',
      decidedBy: 'not-personal',
    },
  },
  'AccountReactivated.v1': {
    subject: 'accountId',
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      method: 'not-personal',
      reason: 'not-personal',
      note: 'personal',
      decidedBy: 'not-personal',
    },
  },
  'AccountReportedStolen.v1': {
    subject: 'accountId',
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      reportedBy: 'not-personal',
      note: 'personal',
    },
  },
  'OwnerChangeRefused.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      attemptedBy: 'not-personal',
    },
  },
  'HoldPlaced.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      holdId: 'not-personal',
      kind: 'not-personal',
      reference: 'not-personal',
      placedBy: 'not-personal',
    },
  },
  'HoldReleased.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      holdId: 'not-personal',
      kind: 'not-personal',
      releasedBy: 'not-personal',
    },
  },
  'CancellationRequested.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      requestedBy: 'not-personal',
    },
  },
  'CancellationRejected.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      blockers: 'not-personal',
      decidedBy: 'not-personal',
    },
  },
  'AccountCancelled.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      reason: 'not-personal',
      decidedBy: 'not-personal',
      lastActivityAt: 'not-personal',
    },
  },
  'UnbindingRequested.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      requestedBy: 'not-personal',
    },
  },
  'UnbindingRejected.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      decidedBy: 'not-personal',
    },
  },
  'MemberUnbound.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      requestedBy: 'not-personal',
      approvedBy: 'not-personal',
    },
  },
  'AgreementStarted.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      agreementId: 'not-personal',
      startsOn: 'not-personal',
      endsOn: 'not-personal',
      decidedBy: 'not-personal',
    },
  },
  'AgreementRenewed.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      agreementId: 'not-personal',
      endsOn: 'not-personal',
      decidedBy: 'not-personal',
    },
  },
  'AgreementEnded.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      agreementId: 'not-personal',
      endedOn: 'not-personal',
      how: 'not-personal',
      personalDataDeletionDueOn: 'not-personal',
      decidedBy: 'not-personal',
    },
  },
  'FunctionDataDeletionRequested.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      requestId: 'not-personal',
      function: 'not-personal',
      requestedOn: 'not-personal',
      dueOn: 'not-personal',
      requestedBy: 'not-personal',
    },
  },
  'FunctionDataDeletionCompleted.v1': {
    fields: {
      accountId: 'not-personal',
      tenantId: 'not-personal',
      requestId: 'not-personal',
      completedOn: 'not-personal',
      completedBy: 'not-personal',
    },
  },
  'DepartmentCreated.v1': {
    fields: {
      tenantId: 'not-personal',
      departmentId: 'not-personal',
      name: 'not-personal',
      parentId: 'not-personal',
      createdBy: 'not-personal',
    },
  },
  'DepartmentRenamed.v1': {
    fields: {
      tenantId: 'not-personal',
      departmentId: 'not-personal',
      name: 'not-personal',
      renamedBy: 'not-personal',
    },
  },
  'DepartmentRemoved.v1': {
    fields: {
      tenantId: 'not-personal',
      departmentId: 'not-personal',
      removedBy: 'not-personal',
    },
  },
  'ChannelAccountBound.v1': {
    subject: 'bindingId',
    fields: {
      tenantId: 'not-personal',
      bindingId: 'not-personal',
      channel: 'not-personal',
      externalAccountId: 'personal',
      boundBy: 'not-personal',
    },
  },
  'ChannelAccountUnbound.v1': {
    fields: {
      tenantId: 'not-personal',
      bindingId: 'not-personal',
      channel: 'not-personal',
      unboundBy: 'not-personal',
    },
  },
  'UnbindingPolicySet.v1': {
    fields: {
      tenantId: 'not-personal',
      approvalRequired: 'not-personal',
      setBy: 'not-personal',
    },
  },
};

/** The table as the event-type registry takes it (personal paths, sensitive categories, every field). */
export const accountEventClassifications = classificationsOf(accountClassificationTable);
