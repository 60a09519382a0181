/**
 * Processing actions that are not domain events (C3 reads, P3 decisions):
 * each is recorded here as it happens, with the data categories, purpose,
 * channel, legal basis, actor and the request that caused it. The subject is
 * referenced by its random id only. The processing record (Merkle log) is
 * built from these entries and from the event log.
 */
export interface ProcessingEntry {
  readonly tenantId: string;
  readonly kind: 'read' | 'decision' | 'export';
  readonly actor: string;
  readonly subjectId: string;
  readonly purpose: string | null;
  readonly channel: string | null;
  readonly dataCategories: readonly string[];
  /** Decisions: `allow` or `deny`; reads: null. */
  readonly outcome: 'allow' | 'deny' | null;
  readonly reasons: readonly string[];
  readonly legalBasis: string | null;
  readonly correlationId: string;
  readonly commandId: string | null;
  readonly at: Date;
  /** Decisions: the consents the answer rested on (recorded, so the record names them); others: none. */
  readonly consentIds?: readonly string[];
}

export interface ProcessingJournal {
  /** Records the entries durably (one statement); returns their ids in order. */
  record(entries: readonly ProcessingEntry[]): Promise<string[]>;
}

export const PROCESSING_JOURNAL = Symbol.for('attest.ProcessingJournal');
