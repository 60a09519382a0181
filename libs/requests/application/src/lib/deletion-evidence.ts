import { uuidv7 } from '@attest/kernel';
import type { DeletionCertificate, DeletionEvidence, SignedCertificate } from './ports';

/** The delete entry of a tenant's processing record, proven against a signed checkpoint (the processing context's side of D4). */
export interface RecordEntryProof {
  readonly origin: string;
  readonly index: number;
  /** Base64. */
  readonly leafHash: string;
  /** The signed checkpoint note the proof is against. */
  readonly checkpoint: string;
  /** Base64 hashes. */
  readonly inclusionProof: readonly string[];
}

/** What a deletion certificate needs from the processing record; implemented by the processing context's log. */
export interface ProcessingRecordProofs {
  /** The entry recorded for an event (merged first), with its inclusion proof against a fresh signed checkpoint. */
  proveEntry(tenantId: string, sourceId: string): Promise<RecordEntryProof>;
  /** The record's verifier key (C2SP note format). */
  verifierKey(): string;
  /** A statement signed as a C2SP note with the record's key. */
  signStatement(text: string): string;
}

/** Canonical JSON: keys sorted at every level, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * D4: the deletion certificate — what was erased, when, for which request —
 * tied to the delete entry of the tenant's processing record by an
 * inclusion proof against a signed checkpoint, and itself signed with the
 * record's key, so a regulator can verify it outside the system.
 */
export class RecordDeletionEvidence implements DeletionEvidence {
  constructor(private readonly record: ProcessingRecordProofs) {}

  async certify(input: Parameters<DeletionEvidence['certify']>[0]): Promise<SignedCertificate> {
    const entry = await this.record.proveEntry(input.tenantId, input.erasure.eventId);
    const certificate: DeletionCertificate = {
      format: 'attest-deletion-certificate/v1',
      certificateId: uuidv7(),
      tenantId: input.tenantId,
      requestId: input.requestId,
      subjectRef: input.customerId,
      receivedAt: input.receivedAt,
      erasedAt: input.erasure.erasedAt,
      issuedAt: input.now.toISOString(),
      covered: [...input.erasure.covered],
      retained: input.erasure.retained.map((r) => ({ category: r.category, reason: r.reason, until: r.until })),
      processingRecord: {
        origin: entry.origin,
        index: entry.index,
        leafHash: entry.leafHash,
        checkpoint: entry.checkpoint,
        inclusionProof: [...entry.inclusionProof],
      },
      verifierKey: this.record.verifierKey(),
    };
    return { certificate, signedNote: this.record.signStatement(canonicalJson(certificate)) };
  }
}
