import type { DataSource } from 'typeorm';
import { uuidv7 } from '@attest/kernel';
import { preparedQuery } from './prepared-query';
import type { ProcessingEntry, ProcessingJournal } from '@attest/security';

interface Waiting {
  readonly entries: readonly ProcessingEntry[];
  readonly ids: string[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Writes journal entries with `INSERT … SELECT FROM unnest(…)`. Concurrent
 * callers are grouped: while one insert is in flight, the entries of the
 * others wait and go together in the next one (group commit) — every caller
 * still returns only once its own entries are committed.
 */
export class PostgresProcessingJournal implements ProcessingJournal {
  private queue: Waiting[] = [];
  private flushing = false;

  constructor(private readonly dataSource: DataSource) {}

  record(entries: readonly ProcessingEntry[]): Promise<string[]> {
    if (entries.length === 0) return Promise.resolve([]);
    const ids = entries.map(() => uuidv7());
    return new Promise<string[]>((resolve, reject) => {
      this.queue.push({ entries, ids, resolve: () => { resolve(ids); }, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.insert(batch.flatMap((w) => w.entries), batch.flatMap((w) => w.ids));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.flushing = false;
  }

  private async insert(entries: readonly ProcessingEntry[], ids: readonly string[]): Promise<void> {
    const col = <T>(f: (e: ProcessingEntry) => T): T[] => entries.map(f);
    await preparedQuery(
      this.dataSource,
      'attest_journal_insert',
      `INSERT INTO processing.journal (entry_id, tenant_id, kind, actor, subject_id, purpose, channel, data_categories, outcome, reasons, legal_basis, correlation_id, command_id, at)
       SELECT u.entry_id, u.tenant_id, u.kind, u.actor, u.subject_id, u.purpose, u.channel,
              string_to_array(u.categories, ','), u.outcome, string_to_array(u.reasons, ','), u.legal_basis, u.correlation_id, u.command_id, u.at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[])
         AS u(entry_id, tenant_id, kind, actor, subject_id, purpose, channel, categories, outcome, reasons, legal_basis, correlation_id, command_id, at)`,
      [
        ids,
        col((e) => e.tenantId),
        col((e) => e.kind),
        col((e) => e.actor),
        col((e) => e.subjectId),
        col((e) => e.purpose),
        col((e) => e.channel),
        col((e) => e.dataCategories.join(',')),
        col((e) => e.outcome),
        col((e) => e.reasons.join(',')),
        col((e) => e.legalBasis),
        col((e) => e.correlationId),
        col((e) => e.commandId),
        col((e) => e.at),
      ],
    );
  }
}
