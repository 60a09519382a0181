import type {
  AccessExport,
  BulkJobView,
  DeletionFailure,
  DeletionStep,
  RequestView,
  RequesterContactView,
  RequestTimeline,
  RetainedValue,
  SignedCertificate,
  TenantRequestPolicy,
  TimelineEntry,
} from '@attest/requests-application';
import type { RequestOutcome } from '@attest/requests-domain';

// What the data-subject-request routes answer, by name: docs/openapi.json's response
// schemas are generated from these types (`npm run openapi`).

export type DataSubjectRequest = RequestView;
export type AccessExportDocument = AccessExport;
export type RetainedField = RetainedValue;
export type DeletionCertificateDocument = SignedCertificate;
export type RequestPolicy = TenantRequestPolicy;
export type BulkJob = BulkJobView;
export type RequestTimelineDocument = RequestTimeline;
export type RequestTimelineEntry = TimelineEntry;
export type RequesterContact = RequesterContactView;

/** D7: where a deletion stands, and why its last run stopped. */
export interface DeletionProgress {
  readonly requestId: string;
  readonly step: DeletionStep;
  readonly failure: DeletionFailure | null;
}

export interface VerificationCodeSent {
  readonly challengeId: string;
  readonly expiresAt: string;
}

export interface RequestExecution {
  readonly requestId: string;
  readonly outcome: RequestOutcome;
}
