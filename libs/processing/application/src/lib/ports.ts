import type {
  ActivityVersion,
  ImpactAssessment,
  IncidentReport,
  IncidentUpdate,
  IncidentView,
  ProcessingActivity,
  ProcessingRecordBody,
} from '@attest/processing-domain';
import type { RecordBundle, VerificationReport } from './verifier';

export interface CheckpointView {
  readonly size: number;
  readonly root: string;
  readonly note: string;
  readonly createdAt: string;
}

export interface RecordQuery {
  readonly subjectId?: string;
  readonly purpose?: string;
  readonly actor?: string;
  readonly kind?: string;
  readonly channel?: string;
  /** Decisions: `allow` or `deny`. */
  readonly outcome?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Newest first (the default) or oldest first. */
  readonly order?: 'newest' | 'oldest';
}

/** One verification of a tenant's log by the server, as kept: the daily job's or one asked for. */
export interface VerificationRun {
  readonly runId: string;
  readonly trigger: 'scheduled' | 'on-demand';
  /** Who asked for it (on demand); null for the daily job. */
  readonly requestedBy: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The problems found; the report keeps the first 100 of them. */
  readonly problemCount: number;
  readonly report: VerificationReport;
}

export interface LegalHold {
  readonly holdId: string;
  readonly reason: string;
  readonly placedBy: string;
  readonly placedAt: string;
  readonly releasedBy: string | null;
  readonly releasedAt: string | null;
}

/** What the API (compliance officers, auditors) may do with a tenant's processing record. */
export interface ProcessingRecordService {
  origin(tenantId: string): string;
  verifierKey(): string;
  latestCheckpoint(tenantId: string): Promise<CheckpointView | null>;
  checkpoints(tenantId: string, size?: number): Promise<CheckpointView[]>;
  /** Signed checkpoints newest first, a page at a time (`next` is the cursor of the next page, null on the last). */
  checkpointHistory(tenantId: string, limit: number, cursor: string | null): Promise<{ checkpoints: CheckpointView[]; next: string | null }>;
  checkpointNow(tenantId: string): Promise<CheckpointView | null>;
  entry(
    tenantId: string,
    index: number,
  ): Promise<{ index: number; leafHash: string; body: string | null; record: ProcessingRecordBody | null; recordedAt: string; purgedAt: string | null }>;
  inclusionProof(tenantId: string, index: number, size: number): Promise<{ index: number; size: number; leafHash: string; proof: string[] }>;
  consistencyProof(tenantId: string, from: number, to: number): Promise<{ from: number; to: number; proof: string[] }>;
  query(
    tenantId: string,
    query: RecordQuery,
    limit: number,
    cursor: string | null,
  ): Promise<{ records: (ProcessingRecordBody & { leafHash: string })[]; next: string | null }>;
  verify(tenantId: string): Promise<VerificationReport>;
  /** Verifies the tenant's log now and keeps the report (a run asked for by `requestedBy`). */
  runVerification(tenantId: string, requestedBy: string): Promise<VerificationRun>;
  /** The kept verification runs, newest first. */
  verificationRuns(tenantId: string, limit: number): Promise<VerificationRun[]>;
  /** Builds the bundle, then records the export itself as processing (kind `export`). */
  exportBundle(tenantId: string, query: RecordQuery | null, by: { readonly actor: string; readonly correlationId: string | null }): Promise<RecordBundle>;
  /**
   * Every record of a query (newest first, at most 10,000: `RECORD.EXPORT_TOO_LARGE`), for a
   * table export (CSV, JSON) of exactly the explorer's filter; records the export itself as
   * processing (kind `export`, method `processing-record-table:<format>`).
   */
  exportTable(
    tenantId: string,
    query: RecordQuery,
    format: 'csv' | 'json',
    by: { readonly actor: string; readonly correlationId: string | null },
  ): Promise<(ProcessingRecordBody & { leafHash: string })[]>;
  legalHolds(tenantId: string): Promise<LegalHold[]>;
  placeLegalHold(tenantId: string, reason: string, actor: string): Promise<LegalHold>;
  releaseLegalHold(tenantId: string, holdId: string, actor: string): Promise<LegalHold>;
}

/** The register of processing activities, assessments and incidents (P4–P6). */
export interface ProcessingRegister {
  recordActivity(tenantId: string, activityId: string | null, activity: ProcessingActivity, actor: string): Promise<ActivityVersion>;
  activities(tenantId: string): Promise<ActivityVersion[]>;
  activityVersions(tenantId: string, activityId: string): Promise<ActivityVersion[]>;
  recordAssessment(tenantId: string, assessment: ImpactAssessment, actor: string): Promise<{ assessmentId: string } & ImpactAssessment>;
  assessments(tenantId: string): Promise<({ assessmentId: string; recordedBy: string; recordedAt: string } & ImpactAssessment)[]>;
  reportIncident(tenantId: string, report: IncidentReport, actor: string): Promise<IncidentView>;
  updateIncident(tenantId: string, incidentId: string, update: IncidentUpdate, actor: string): Promise<IncidentView>;
  incidents(tenantId: string): Promise<IncidentView[]>;
  incident(tenantId: string, incidentId: string): Promise<IncidentView>;
}

export const PROCESSING_RECORD = Symbol.for('attest.ProcessingRecordService');
export const PROCESSING_REGISTER = Symbol.for('attest.ProcessingRegister');
