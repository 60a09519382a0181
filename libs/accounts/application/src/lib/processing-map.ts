import { NON_PROCESSING, type ProcessingMap, type ProcessingRule } from '@attest/security';

const account = (kind: ProcessingRule['kind'], categories: readonly string[], legalBasis = 'contract'): ProcessingRule => ({
  kind,
  subject: 'accountId',
  categories,
  legalBasis,
});

/**
 * P1: what each accounts event is as processing of the account holder's
 * data. Departments and the unbinding policy concern the organization, not a
 * person; a refused owner change processes nothing.
 */
export const accountProcessingMap: ProcessingMap = {
  'EnterpriseRegistered.v1': account('collect', ['contact', 'identity']),
  'LicenceEvidenceSubmitted.v1': account('collect', ['business-licence']),
  'EnterpriseVerified.v1': account('use', ['business-licence']),
  'EnterpriseRejected.v1': account('use', ['business-licence']),
  'PersonalUserRegistered.v1': account('collect', ['contact', 'identity']),
  'EndUserInvited.v1': account('collect', ['contact']),
  'InvitationAccepted.v1': account('store', ['contact']),
  'InvitationDeclined.v1': account('use', ['contact']),
  'InvitationExpired.v1': account('use', ['contact']),
  'MemberMovedToDepartment.v1': account('use', ['membership']),
  'AccountRestricted.v1': account('restrict', ['account']),
  'AccountSuspended.v1': account('restrict', ['account']),
  'AccountRevoked.v1': account('restrict', ['account']),
  'AccountReactivated.v1': account('use', ['account']),
  'AccountReportedStolen.v1': account('restrict', ['account']),
  'OwnerChangeRefused.v1': NON_PROCESSING,
  'HoldPlaced.v1': account('use', ['account'], 'legal-obligation'),
  'HoldReleased.v1': account('use', ['account'], 'legal-obligation'),
  'CancellationRequested.v1': account('use', ['account']),
  'CancellationRejected.v1': account('use', ['account']),
  'AccountCancelled.v1': account('delete', ['contact', 'identity', 'account']),
  'UnbindingRequested.v1': account('use', ['membership']),
  'UnbindingRejected.v1': account('use', ['membership']),
  'MemberUnbound.v1': account('delete', ['contact', 'membership']),
  'AgreementStarted.v1': account('use', ['contract']),
  'AgreementRenewed.v1': account('use', ['contract']),
  'AgreementEnded.v1': account('use', ['contract']),
  'FunctionDataDeletionRequested.v1': account('use', ['function-data']),
  'FunctionDataDeletionCompleted.v1': account('delete', ['function-data']),
  'DepartmentCreated.v1': NON_PROCESSING,
  'DepartmentRenamed.v1': NON_PROCESSING,
  'DepartmentRemoved.v1': NON_PROCESSING,
  'ChannelAccountBound.v1': { kind: 'collect', subject: 'bindingId', categories: ['channel-account'], legalBasis: 'contract' },
  'ChannelAccountUnbound.v1': { kind: 'delete', subject: 'bindingId', categories: ['channel-account'], legalBasis: 'contract' },
  'UnbindingPolicySet.v1': NON_PROCESSING,
};
