import type { PostgresRecordLog } from '@attest/processing-infrastructure';
import { uuidv7 } from '@attest/kernel';
import type { DeletionCertificate, DeletionEvidence, SignedCertificate } from '@attest/requests-application';

/** Canonical JSON: keys sorted at every level, no whitespace. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
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
  constructor(private readonly log: PostgresRecordLog) {}

  async certify(input: Parameters<DeletionEvidence['certify']>[0]): Promise<SignedCertificate> {
    await this.log.mergePending(input.tenantId, { wait: true });
    const rows = (await this.log.ownerQuery(`SELECT idx::text AS position FROM processing.records WHERE tenant_id = $1 AND source_id = $2`, [
      input.tenantId,
      input.erasure.eventId,
    ])) as { position: string }[];
    const index = rows[0] ? Number(rows[0].position) : null;
    if (index === null) throw new Error(`the processing record has no delete entry for event ${input.erasure.eventId} yet`);
    const checkpoint = await this.log.checkpoint(input.tenantId);
    if (!checkpoint) throw new Error('the processing record could not be checkpointed');
    const proof = await this.log.inclusionProof(input.tenantId, index, checkpoint.size);
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
        origin: this.log.originOf(input.tenantId),
        index,
        leafHash: proof.leafHash.toString('base64'),
        checkpoint: checkpoint.note,
        inclusionProof: proof.proof.map((p) => p.toString('base64')),
      },
      verifierKey: this.log.verifier.text,
    };
    return { certificate, signedNote: this.log.signStatement(canonical(certificate)) };
  }
}
