import type { EventClassification } from '@attest/privacy';
import { NON_PROCESSING, type ProcessingMap } from '@attest/security';

/**
 * The requester's contact is the only personal data of a request; it is
 * sealed under the request's own key (subject = request id), so the request
 * can still be answered after the customer it is about was erased.
 */
export const requestEventClassifications: readonly EventClassification[] = [
  { type: 'DataSubjectRequestReceived.v1', personalData: true, subject: 'requestId', personal: ['requester.contact.email', 'requester.contact.phone'] },
  { type: 'RequesterVerificationCodeSent.v1', personalData: false },
  { type: 'RequesterVerificationFailed.v1', personalData: false },
  { type: 'RequesterIdentityVerified.v1', personalData: false },
  { type: 'DataSubjectRequestAssigned.v1', personalData: false },
  { type: 'DataSubjectRequestEscalated.v1', personalData: false },
  { type: 'DataSubjectRequestExtended.v1', personalData: false },
  { type: 'DataSubjectRequestStarted.v1', personalData: false },
  { type: 'DataSubjectRequestCompleted.v1', personalData: false },
  { type: 'DataSubjectRequestRejected.v1', personalData: false },
];

const obligation = { legalBasis: 'legal-obligation', purpose: 'data-subject-request' } as const;

/**
 * P1: receiving a request collects the requester's contact, and a code sent
 * to it transmits it. What a request then does to the subject's data is
 * recorded by the events of the contexts that do it (restriction, withdrawal,
 * correction); the other lifecycle steps process no personal data.
 */
export const requestProcessingMap: ProcessingMap = {
  'DataSubjectRequestReceived.v1': { kind: 'collect', subject: 'customerId', categories: ['request-contact'], ...obligation },
  'RequesterVerificationCodeSent.v1': NON_PROCESSING,
  'RequesterVerificationFailed.v1': NON_PROCESSING,
  'RequesterIdentityVerified.v1': NON_PROCESSING,
  'DataSubjectRequestAssigned.v1': NON_PROCESSING,
  'DataSubjectRequestEscalated.v1': NON_PROCESSING,
  'DataSubjectRequestExtended.v1': NON_PROCESSING,
  'DataSubjectRequestStarted.v1': NON_PROCESSING,
  'DataSubjectRequestCompleted.v1': NON_PROCESSING,
  'DataSubjectRequestRejected.v1': NON_PROCESSING,
};
