import type { CheckpointView, LegalHold, RecordBundle, VerificationReport, VerificationRun } from '@attest/processing-application';
import type { ActivityVersion, ImpactAssessment, IncidentView, ProcessingRecordBody } from '@attest/processing-domain';

// What the processing-record and register routes answer, by name: docs/openapi.json's
// response schemas are generated from these types (`npm run openapi`), so the description
// cannot drift from the code that builds the answers.

export type Checkpoint = CheckpointView;
export type ProcessingRecordLegalHold = LegalHold;
export type ProcessingRecordVerification = VerificationReport;
export type ProcessingRecordVerificationRun = VerificationRun;
export type ProcessingRecordBundle = RecordBundle;
export type ProcessingActivityVersion = ActivityVersion;
export type Incident = IncidentView;

export interface ProcessingRecordInfo {
  /** This tenant log's origin line. */
  readonly origin: string;
  /** The C2SP verifier key (name+id+key). */
  readonly verifierKey: string;
  readonly latestCheckpoint: CheckpointView | null;
}

export interface ProcessingRecordEntry {
  readonly index: number;
  /** Base64 RFC 6962 leaf hash. */
  readonly leafHash: string;
  /** The canonical body; null once purged after the retention. */
  readonly body: string | null;
  readonly record: ProcessingRecordBody | null;
  readonly recordedAt: string;
  readonly purgedAt: string | null;
}

export interface InclusionProof {
  readonly index: number;
  readonly size: number;
  readonly leafHash: string;
  /** Base64 hashes, leaf to root. */
  readonly proof: string[];
}

export interface ConsistencyProof {
  readonly from: number;
  readonly to: number;
  readonly proof: string[];
}

export interface ProcessingRecordPage {
  /** Newest first. */
  readonly records: (ProcessingRecordBody & { readonly leafHash: string })[];
  /** The cursor of the next page; null on the last. */
  readonly next: string | null;
}

/** A table export of the processing record: exactly the explorer's filter and columns. */
export interface ProcessingRecordTableExport {
  /** The columns, in order (the entry index first). */
  readonly columns: string[];
  /** One object per record, newest first, with exactly those keys. */
  readonly records: Record<string, unknown>[];
}

export type RecordedImpactAssessment = ImpactAssessment & { readonly assessmentId: string; readonly recordedBy: string; readonly recordedAt: string };
export type NewImpactAssessment = ImpactAssessment & { readonly assessmentId: string };

/** A page of the checkpoint history, newest first. */
export interface CheckpointHistoryPage {
  readonly checkpoints: CheckpointView[];
  readonly next: string | null;
}
