import type { AccessExport, BulkJobView, RequestView, RetainedValue, SignedCertificate, TenantRequestPolicy } from '@attest/requests-application';
import type { RequestOutcome } from '@attest/requests-domain';

// What the data-subject-request routes answer, by name: docs/openapi.json's response
// schemas are generated from these types (`npm run openapi`).

export type DataSubjectRequest = RequestView;
export type AccessExportDocument = AccessExport;
export type RetainedField = RetainedValue;
export type DeletionCertificateDocument = SignedCertificate;
export type RequestPolicy = TenantRequestPolicy;
export type BulkJob = BulkJobView;

export interface VerificationCodeSent {
  readonly challengeId: string;
  readonly expiresAt: string;
}

export interface RequestExecution {
  readonly requestId: string;
  readonly outcome: RequestOutcome;
}
