import { NON_PROCESSING, type ProcessingMap } from '@attest/security';

/** P1: consent changes are processing of the subject's consent record; purposes are the tenant's own register. */
export const consentProcessingMap: ProcessingMap = {
  'PurposeDefined.v1': NON_PROCESSING,
  'PurposeRevised.v1': NON_PROCESSING,
  'PurposeRetired.v1': NON_PROCESSING,
  'ConsentGranted.v2': { kind: 'collect', subject: 'customerId', categories: ['consent'], purposeField: 'purposeKey', legalBasis: 'consent' },
  'ConsentWithdrawn.v1': { kind: 'restrict', subject: 'customerId', categories: ['consent'], purposeField: 'purposeKey', legalBasis: 'consent' },
};
