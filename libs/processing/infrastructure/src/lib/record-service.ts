import type { DataSource } from 'typeorm';
import { withTenant } from '@attest/database';
import { DomainError, uuidv7, type Clock } from '@attest/kernel';
import type { CheckpointView, LegalHold, ProcessingRecordService, RecordQuery, VerificationRun } from '@attest/processing-application';
import { decodeRecord, type ProcessingRecordBody } from '@attest/processing-domain';
import { STANDARD_MEASURES } from '@attest/security';
import type { PostgresRecordLog, StoredCheckpoint } from './record-log';
import { keptVerificationRuns, runAndKeepVerification } from './verification-runs';
import { exportBundle, verifyTenantLog } from './verify-database';

/** Finds the pseudonym to search the record by (null once the subject was erased). */
export interface PseudonymSearch {
  pseudonymForSearch(tenantId: string, subjectId: string): Promise<string | null>;
}

const view = (c: StoredCheckpoint): CheckpointView => ({ size: c.size, root: c.root.toString('base64'), note: c.note, createdAt: c.createdAt.toISOString() });

interface HoldRow {
  hold_id: string;
  reason: string;
  placed_by: string;
  placed_at: Date;
  released_by: string | null;
  released_at: Date | null;
}
const hold = (r: HoldRow): LegalHold => ({
  holdId: r.hold_id,
  reason: r.reason,
  placedBy: r.placed_by,
  placedAt: r.placed_at.toISOString(),
  releasedBy: r.released_by,
  releasedAt: r.released_at?.toISOString() ?? null,
});

const EXPORT_LIMIT = 10_000;

export class PostgresProcessingRecordService implements ProcessingRecordService {
  constructor(
    private readonly log: PostgresRecordLog,
    private readonly app: DataSource,
    private readonly pseudonyms: PseudonymSearch,
    private readonly clock: Clock,
  ) {}

  origin(tenantId: string): string {
    return this.log.originOf(tenantId);
  }

  verifierKey(): string {
    return this.log.verifier.text;
  }

  async latestCheckpoint(tenantId: string): Promise<CheckpointView | null> {
    const c = await this.log.latestCheckpoint(tenantId);
    return c ? view(c) : null;
  }

  async checkpoints(tenantId: string, size?: number): Promise<CheckpointView[]> {
    return (await this.log.checkpoints(tenantId, size)).map(view);
  }

  async checkpointHistory(tenantId: string, limit: number, cursor: string | null): Promise<{ checkpoints: CheckpointView[]; next: string | null }> {
    const page = await this.log.checkpointPage(tenantId, limit, cursor);
    return { checkpoints: page.checkpoints.map(view), next: page.next };
  }

  async checkpointNow(tenantId: string): Promise<CheckpointView | null> {
    const c = await this.log.checkpoint(tenantId);
    return c ? view(c) : null;
  }

  async entry(tenantId: string, index: number) {
    const e = await this.log.entry(tenantId, index);
    return {
      index: e.index,
      leafHash: e.leafHash.toString('base64'),
      body: e.body,
      record: e.body === null ? null : decodeRecord(e.body),
      recordedAt: e.recordedAt.toISOString(),
      purgedAt: e.purgedAt?.toISOString() ?? null,
    };
  }

  async inclusionProof(tenantId: string, index: number, size: number) {
    const p = await this.log.inclusionProof(tenantId, index, size);
    return { index: p.index, size: p.size, leafHash: p.leafHash.toString('base64'), proof: p.proof.map((h) => h.toString('base64')) };
  }

  async consistencyProof(tenantId: string, from: number, to: number) {
    const p = await this.log.consistencyProof(tenantId, from, to);
    return { from: p.from, to: p.to, proof: p.proof.map((h) => h.toString('base64')) };
  }

  private async filter(tenantId: string, q: RecordQuery): Promise<Parameters<PostgresRecordLog['query']>[1] | null> {
    let subject: string | undefined;
    if (q.subjectId !== undefined) {
      const found = await this.pseudonyms.pseudonymForSearch(tenantId, q.subjectId);
      // Erased: the mapping is gone, by design; the records remain but link to nobody.
      if (found === null) return null;
      subject = found;
    }
    return {
      ...(subject !== undefined ? { subject } : {}),
      ...(q.purpose !== undefined ? { purpose: q.purpose } : {}),
      ...(q.actor !== undefined ? { actor: q.actor } : {}),
      ...(q.kind !== undefined ? { kind: q.kind } : {}),
      ...(q.channel !== undefined ? { channel: q.channel } : {}),
      ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
      ...(q.from !== undefined ? { from: q.from } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}),
      ...(q.order !== undefined ? { order: q.order } : {}),
    };
  }

  async query(tenantId: string, q: RecordQuery, limit: number, cursor: string | null) {
    const filter = await this.filter(tenantId, q);
    if (filter === null) return { records: [], next: null };
    return this.log.query(tenantId, filter, limit, cursor);
  }

  verify(tenantId: string) {
    return verifyTenantLog(this.log, tenantId);
  }

  runVerification(tenantId: string, requestedBy: string): Promise<VerificationRun> {
    return runAndKeepVerification(this.log, this.app, this.clock, tenantId, requestedBy);
  }

  verificationRuns(tenantId: string, limit: number): Promise<VerificationRun[]> {
    return keptVerificationRuns(this.app, tenantId, limit);
  }

  async exportTable(tenantId: string, q: RecordQuery, format: 'csv' | 'json', by: { readonly actor: string; readonly correlationId: string | null }) {
    const filter = await this.filter(tenantId, q);
    const rows: (ProcessingRecordBody & { leafHash: string })[] = [];
    let cursor: string | null = null;
    while (filter !== null) {
      const page = await this.log.query(tenantId, filter, 500, cursor);
      rows.push(...page.records);
      if (rows.length > EXPORT_LIMIT)
        throw new DomainError('RECORD.EXPORT_TOO_LARGE', `a table export holds at most ${EXPORT_LIMIT} records; narrow the filter`, 'invalid');
      if (!page.next) break;
      cursor = page.next;
    }
    // The export is itself processing: who exported which selection shows in the record ("who looked").
    await this.log.appendNow([
      {
        tenantId,
        sourceId: uuidv7(),
        kind: 'export',
        categories: [],
        purpose: 'compliance-audit',
        method: `processing-record-table:${format}`,
        measures: [...STANDARD_MEASURES],
        legalBasis: 'legal-obligation',
        actor: by.actor,
        subject: filter?.subject ?? null,
        at: this.clock.now().toISOString(),
        eventId: null,
        commandId: null,
        correlationId: by.correlationId,
        channel: null,
        outcome: null,
        reasons: [],
        consents: [],
      },
    ]);
    return rows;
  }

  async exportBundle(tenantId: string, q: RecordQuery | null, by: { readonly actor: string; readonly correlationId: string | null }) {
    if (q === null) return exportBundle(this.log, tenantId, null, this.clock.now(), { ...by, subject: null });
    const filter = await this.filter(tenantId, q);
    const indices: number[] = [];
    let cursor: string | null = null;
    while (filter !== null) {
      const page = await this.log.query(tenantId, filter, 500, cursor);
      indices.push(...page.records.map((r) => r.index));
      if (indices.length > EXPORT_LIMIT)
        throw new DomainError(
          'RECORD.EXPORT_TOO_LARGE',
          `a selective export holds at most ${EXPORT_LIMIT} records; narrow the selection or export the whole log`,
          'invalid',
        );
      if (!page.next) break;
      cursor = page.next;
    }
    return exportBundle(this.log, tenantId, indices, this.clock.now(), { ...by, subject: filter?.subject ?? null });
  }

  async legalHolds(tenantId: string): Promise<LegalHold[]> {
    const rows = await withTenant<HoldRow[]>(this.app, tenantId, (m) =>
      m.query(`SELECT hold_id, reason, placed_by, placed_at, released_by, released_at FROM processing.legal_holds WHERE tenant_id = $1 ORDER BY placed_at`, [
        tenantId,
      ]),
    );
    return rows.map(hold);
  }

  async placeLegalHold(tenantId: string, reason: string, actor: string): Promise<LegalHold> {
    const rows = await withTenant<HoldRow[]>(this.app, tenantId, (m) =>
      m.query(
        `INSERT INTO processing.legal_holds (hold_id, tenant_id, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING hold_id, reason, placed_by, placed_at, released_by, released_at`,
        [uuidv7(), tenantId, reason, actor, this.clock.now()],
      ),
    );
    return hold(rows[0] as HoldRow);
  }

  /** Releasing is an update only the owner may make (the trigger allows exactly this change). */
  async releaseLegalHold(tenantId: string, holdId: string, actor: string): Promise<LegalHold> {
    const rows = (await this.log.ownerQuery(
      `WITH x AS (UPDATE processing.legal_holds SET released_by = $3, released_at = $4 WHERE tenant_id = $1 AND hold_id = $2 AND released_at IS NULL
                  RETURNING hold_id, reason, placed_by, placed_at, released_by, released_at) SELECT * FROM x`,
      [tenantId, holdId, actor, this.clock.now()],
    )) as HoldRow[];
    const released = rows[0];
    if (!released) throw new DomainError('LEGAL_HOLD.NOT_ACTIVE', 'no active legal hold with this id', 'not_found');
    return hold(released);
  }
}
