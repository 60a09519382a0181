import type { RequestEvent } from '@attest/requests-domain';
import { classificationsOf, type ClassificationTable } from '@attest/privacy';
import { NON_PROCESSING, type ProcessingMap } from '@attest/security';

/**
 * The requester's contact is the only personal data of a request; it is
 * sealed under the request's own key (subject = request id), so the request
 * can still be answered after the customer it is about was erased.
 */
export const requestClassificationTable: ClassificationTable<RequestEvent> = {
  'DataSubjectRequestReceived.v1': {
    subject: 'requestId',
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      customerId: 'not-personal',
      requestType: 'not-personal',
      channel: 'not-personal',
      requester: {
        relation: 'not-personal',
        contact: {
          email: 'personal',
          phone: 'personal',
        },
      },
      scope: 'not-personal',
      receivedAt: 'not-personal',
      policy: 'not-personal',
      dueOn: 'not-personal',
      maxExtendedDueOn: 'not-personal',
      extensionNoticeBy: 'not-personal',
      receivedBy: 'not-personal',
    },
  },
  'RequesterVerificationCodeSent.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      challengeId: 'not-personal',
      sentAt: 'not-personal',
      expiresAt: 'not-personal',
    },
  },
  'RequesterVerificationFailed.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      challengeId: 'not-personal',
      failedAt: 'not-personal',
    },
  },
  'RequesterIdentityVerified.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      method: 'not-personal',
      note: 'not-personal',
      verifiedAt: 'not-personal',
      verifiedBy: 'not-personal',
    },
  },
  'DataSubjectRequestAssigned.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      handler: 'not-personal',
      assignedBy: 'not-personal',
      assignedAt: 'not-personal',
    },
  },
  'DataSubjectRequestEscalated.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      reason: 'not-personal',
      escalatedBy: 'not-personal',
      escalatedAt: 'not-personal',
    },
  },
  'DataSubjectRequestExtended.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      reason: 'not-personal',
      dueOn: 'not-personal',
      requesterToldAt: 'not-personal',
      extendedBy: 'not-personal',
    },
  },
  'DataSubjectRequestStarted.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      startedBy: 'not-personal',
      startedAt: 'not-personal',
    },
  },
  'DataSubjectRequestCompleted.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      outcome: 'not-personal',
      completedBy: 'not-personal',
      completedAt: 'not-personal',
    },
  },
  'DataSubjectRequestRejected.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      reasons: 'not-personal',
      complaint: 'not-personal',
      rejectedBy: 'not-personal',
      rejectedAt: 'not-personal',
    },
  },
  // Handlers are told beside the box not to write the subject's personal data here (as for reasons and notes).
  'DataSubjectRequestCommented.v1': {
    fields: {
      requestId: 'not-personal',
      tenantId: 'not-personal',
      commentId: 'not-personal',
      text: 'not-personal',
      commentedBy: 'not-personal',
      commentedAt: 'not-personal',
    },
  },
};

/** The table as the event-type registry takes it (personal paths, sensitive categories, every field). */
export const requestEventClassifications = classificationsOf(requestClassificationTable);

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
  'DataSubjectRequestCommented.v1': NON_PROCESSING,
};
