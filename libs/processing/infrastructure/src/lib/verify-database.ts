import { LogVerifier, type RecordBundle, type VerificationReport } from '@attest/processing-application';
import type { NoteVerifier } from '@attest/transparency';
import type { PostgresRecordLog } from './record-log';

const BATCH = 20_000;

/**
 * `attest verify` against the database: streams a tenant's entries in index
 * order through the verifier (the stored subtree hashes are not trusted; the
 * tree is recomputed from the bodies) and checks every stored checkpoint and
 * the auditor's own.
 */
export async function verifyTenantLog(
  log: PostgresRecordLog,
  tenantId: string,
  options: { readonly trusted?: readonly string[]; readonly verifiers?: readonly NoteVerifier[] } = {},
): Promise<VerificationReport> {
  const stored = await log.checkpoints(tenantId);
  const verifier = new LogVerifier(
    tenantId,
    log.originOf(tenantId),
    options.verifiers ?? [log.verifier],
    stored.map((c) => c.note),
    options.trusted ?? [],
  );
  let from = 0;
  for (;;) {
    const entries = await log.entries(tenantId, from, BATCH);
    for (const e of entries) verifier.add(e);
    const last = entries.at(-1);
    if (!last || entries.length < BATCH) break;
    from = last.index + 1;
  }
  return verifier.finish();
}

/**
 * An export bundle for offline verification. Without a selection it holds the
 * whole log up to the latest checkpoint (the auditor recomputes the tree);
 * with one, just those entries, each with its inclusion proof, and
 * consistency proofs from the earlier checkpoints (up to the latest 1,000).
 */
export async function exportBundle(log: PostgresRecordLog, tenantId: string, selection: readonly number[] | null, now: Date): Promise<RecordBundle> {
  const final = await log.checkpoint(tenantId);
  const all = await log.checkpoints(tenantId);
  const base = { format: 'attest-processing-record-bundle/v1' as const, tenantId, origin: log.originOf(tenantId), verifierKey: log.verifier.text, exportedAt: now.toISOString() };
  if (!final) return { ...base, checkpoints: [], complete: true, entries: [], consistency: [] };
  const upTo = all.filter((c) => c.size <= final.size);
  if (selection === null) {
    const entries: RecordBundle['entries'][number][] = [];
    for (let from = 0; from < final.size; from += BATCH) {
      for (const e of await log.entries(tenantId, from, Math.min(BATCH, final.size - from))) entries.push({ index: e.index, leafHash: e.leafHash.toString('base64'), body: e.body });
    }
    return { ...base, checkpoints: upTo.map((c) => c.note), complete: true, entries, consistency: [] };
  }
  const earlier = upTo.filter((c) => c.size < final.size).slice(-1000);
  const entries: RecordBundle['entries'][number][] = [];
  for (const index of [...new Set(selection)].filter((i) => i < final.size).sort((a, b) => a - b)) {
    const entry = await log.entry(tenantId, index);
    const proof = await log.inclusionProof(tenantId, index, final.size);
    entries.push({ index, leafHash: entry.leafHash.toString('base64'), body: entry.body, proof: proof.proof.map((p) => p.toString('base64')) });
  }
  const consistency = [];
  for (const c of earlier) {
    const p = await log.consistencyProof(tenantId, c.size, final.size);
    consistency.push({ from: c.size, to: final.size, proof: p.proof.map((h) => h.toString('base64')) });
  }
  return { ...base, checkpoints: [...earlier, final].map((c) => c.note), complete: false, entries, consistency };
}
