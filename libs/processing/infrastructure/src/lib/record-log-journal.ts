import { Coalescer, groupBy, uuidv7 } from '@attest/kernel';
import type { RecordDraft } from '@attest/processing-domain';
import { STANDARD_MEASURES, type ProcessingEntry, type ProcessingJournal } from '@attest/security';
import type { Pseudonymizer } from './processing-record.projection';
import type { PostgresRecordLog } from './record-log';

/**
 * Reads, exports and decisions (processing that is not an event) are
 * recorded durably before the caller sees any data: staged in one insert and
 * merged into the tenant's Merkle log in the background (ADR 0009).
 * Concurrent callers are grouped when they overlap (group commit; a few
 * inserts may be in flight at once); each still returns only once its own
 * records are committed.
 */
export class RecordLogJournal implements ProcessingJournal {
  private readonly staging: Coalescer<readonly RecordDraft[], void>;

  constructor(
    private readonly log: PostgresRecordLog,
    private readonly pseudonymizer: Pseudonymizer,
  ) {
    this.staging = new Coalescer(async (batches) => {
      await this.log.stage(batches.flat());
      return batches.map(() => undefined);
    });
  }

  async record(entries: readonly ProcessingEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const byTenant = groupBy(
      entries,
      (e) => e.tenantId,
      (e) => e.subjectId,
    );
    const pseudonyms = new Map<string, Map<string, string>>();
    for (const [tenantId, subjects] of byTenant) pseudonyms.set(tenantId, await this.pseudonymizer.pseudonyms(tenantId, subjects));
    const drafts = entries.map((e): RecordDraft => ({
      tenantId: e.tenantId,
      sourceId: e.sourceId ?? uuidv7(),
      kind: e.kind,
      categories: [...e.dataCategories],
      purpose: e.purpose,
      method: e.method ?? 'api',
      measures: [...STANDARD_MEASURES],
      legalBasis: e.legalBasis,
      actor: e.actor,
      subject: pseudonyms.get(e.tenantId)?.get(e.subjectId) ?? null,
      at: e.at.toISOString(),
      eventId: null,
      commandId: e.commandId,
      correlationId: e.correlationId,
      channel: e.channel,
      outcome: e.outcome,
      reasons: [...e.reasons],
      consents: e.kind === 'decision' || e.kind === 'transfer' ? [...(e.consentIds ?? [])] : [],
      asOf: e.kind === 'decision' ? (e.asOf ?? null) : null,
    }));
    await this.staging.submit(drafts);
    return drafts.map((d) => d.sourceId);
  }
}
