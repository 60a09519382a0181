import type { EventClassification } from '@attest/privacy';

/**
 * Personal-data declarations of the accounts context. The subject of an
 * account's personal fields is the account id; of a channel binding, the
 * binding id. Legal names and registration numbers of legal entities are
 * not personal data; contact persons, phone numbers, birth dates, guardians,
 * free-text notes and invitation secrets are encrypted.
 */
export const accountEventClassifications: readonly EventClassification[] = [
  { type: 'EnterpriseRegistered.v1', personalData: true, subject: 'accountId', personal: ['contact.name', 'contact.email', 'contact.phone'] },
  { type: 'LicenceEvidenceSubmitted.v1', personalData: false },
  { type: 'EnterpriseVerified.v1', personalData: false },
  { type: 'EnterpriseRejected.v1', personalData: false },
  { type: 'PersonalUserRegistered.v1', personalData: true, subject: 'accountId', personal: ['phone', 'birthDate'] },
  {
    type: 'EndUserInvited.v1',
    personalData: true,
    subject: 'accountId',
    personal: ['contact.name', 'contact.email', 'contact.phone', 'minor', 'token'],
    sensitive: { minor: 'minor-under-14' },
  },
  { type: 'InvitationAccepted.v1', personalData: false },
  { type: 'InvitationDeclined.v1', personalData: false },
  { type: 'InvitationExpired.v1', personalData: false },
  { type: 'MemberMovedToDepartment.v1', personalData: false },
  { type: 'AccountRestricted.v1', personalData: true, subject: 'accountId', personal: ['note'] },
  { type: 'AccountSuspended.v1', personalData: true, subject: 'accountId', personal: ['note'] },
  { type: 'AccountRevoked.v1', personalData: true, subject: 'accountId', personal: ['note'] },
  { type: 'AccountReactivated.v1', personalData: true, subject: 'accountId', personal: ['note'] },
  { type: 'AccountReportedStolen.v1', personalData: true, subject: 'accountId', personal: ['note'] },
  { type: 'OwnerChangeRefused.v1', personalData: false },
  { type: 'HoldPlaced.v1', personalData: false },
  { type: 'HoldReleased.v1', personalData: false },
  { type: 'CancellationRequested.v1', personalData: false },
  { type: 'CancellationRejected.v1', personalData: false },
  { type: 'AccountCancelled.v1', personalData: false },
  { type: 'UnbindingRequested.v1', personalData: false },
  { type: 'UnbindingRejected.v1', personalData: false },
  { type: 'MemberUnbound.v1', personalData: false },
  { type: 'AgreementStarted.v1', personalData: false },
  { type: 'AgreementRenewed.v1', personalData: false },
  { type: 'AgreementEnded.v1', personalData: false },
  { type: 'FunctionDataDeletionRequested.v1', personalData: false },
  { type: 'FunctionDataDeletionCompleted.v1', personalData: false },
  { type: 'DepartmentCreated.v1', personalData: false },
  { type: 'DepartmentRenamed.v1', personalData: false },
  { type: 'DepartmentRemoved.v1', personalData: false },
  { type: 'ChannelAccountBound.v1', personalData: true, subject: 'bindingId', personal: ['externalAccountId'] },
  { type: 'ChannelAccountUnbound.v1', personalData: false },
  { type: 'UnbindingPolicySet.v1', personalData: false },
];
