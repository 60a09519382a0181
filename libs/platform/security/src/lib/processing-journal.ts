/**
 * Processing actions that are not domain events (C3 reads, P3 decisions):
 * each is recorded here as it happens, with the data categories, purpose,
 * channel, legal basis, actor and the request that caused it. The subject is
 * referenced by its random id only. The processing record (Merkle log) is
 * built from these entries and from the event log.
 */
export interface ProcessingEntry {
  readonly tenantId: string;
  /** `transfer`: personal data handed to a third party (a WhatsApp message to Meta, P7). */
  readonly kind: 'read' | 'decision' | 'export' | 'transfer';
  readonly actor: string;
  readonly subjectId: string;
  readonly purpose: string | null;
  readonly channel: string | null;
  readonly dataCategories: readonly string[];
  /** Decisions: `allow` or `deny`; transfers: what became of it (`sent`, `delivered`, `read`, `failed`); reads: null. */
  readonly outcome: string | null;
  readonly reasons: readonly string[];
  readonly legalBasis: string | null;
  readonly correlationId: string;
  readonly commandId: string | null;
  readonly at: Date;
  /** Decisions, and transfers made on one: the consents the answer rested on (recorded, so the record names them). */
  readonly consentIds?: readonly string[];
  /** How the data was processed (default `api`): `whatsapp-cloud-api` for a message handed to Meta. */
  readonly method?: string;
  /** Idempotency: an entry recorded again under the same id is recorded once (default: a new id each time). */
  readonly sourceId?: string;
  /** Decisions: the position of the event log the facts reflected (ADR 0016); null or absent when not known. */
  readonly asOf?: string | null;
}

export interface ProcessingJournal {
  /** Records the entries durably (one statement); returns their ids in order. */
  record(entries: readonly ProcessingEntry[]): Promise<string[]>;
}

export const PROCESSING_JOURNAL = Symbol.for('attest.ProcessingJournal');
