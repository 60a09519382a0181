import type { EventClassification } from '@attest/privacy';

/**
 * The consent context's events. A guardian's name is personal data of the
 * subject's record (sealed under the customer's key); purposes, evidence
 * references, third parties (companies) and countries are not.
 */
export const consentEventClassifications: readonly EventClassification[] = [
  { type: 'PurposeDefined.v1', personalData: false },
  { type: 'PurposeRevised.v1', personalData: false },
  { type: 'PurposeRetired.v1', personalData: false },
  { type: 'ConsentGranted.v1', personalData: true, subject: 'customerId', personal: ['guardian'] },
  { type: 'ConsentWithdrawn.v1', personalData: false },
];
