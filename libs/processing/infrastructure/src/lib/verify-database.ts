import { LogVerifier, type CheckedEntry, type RecordBundle, type VerifiableEntry, type VerificationReport } from '@attest/processing-application';
import { uuidv7 } from '@attest/kernel';
import { STANDARD_MEASURES } from '@attest/security';
import type { NoteVerifier } from '@attest/transparency';
import { EntryCheckers } from './entry-checkers';
import type { PostgresRecordLog } from './record-log';

const BATCH = 20_000;

/**
 * `attest verify` against the database: streams a tenant's entries in index
 * order through the verifier (the stored subtree hashes are not trusted; the
 * tree is recomputed from the bodies) and checks every stored checkpoint and
 * the auditor's own.
 */
/**
 * How long entries may wait for their first signed checkpoint before a log
 * without any counts as failed, not pending: a running system signs a log's
 * first checkpoint as soon as it grows, so an old unsigned log means its
 * checkpoints were removed, or signing has been failing.
 */
export const UNSIGNED_LOG_GRACE_MS = 3_600_000;

export async function verifyTenantLog(
  log: PostgresRecordLog,
  tenantId: string,
  options: {
    readonly trusted?: readonly string[];
    readonly verifiers?: readonly NoteVerifier[];
    readonly now?: Date;
    /**
     * Threads that check entries beside this one once the log is longer than
     * one batch (20,000); 0 checks every entry on this thread. Defaults to one
     * per core, at most four.
     */
    readonly workers?: number;
  } = {},
): Promise<VerificationReport> {
  const stored = await log.checkpoints(tenantId);
  const verifier = new LogVerifier(
    tenantId,
    log.originOf(tenantId),
    options.verifiers ?? [log.verifier],
    stored.map((c) => c.note),
    options.trusted ?? [],
  );
  // The next batch is fetched while this one is checked.
  const fetch = (from: number): Promise<VerifiableEntry[]> => {
    const p = log.verificationEntries(tenantId, from, BATCH);
    p.catch(() => undefined); // awaited below; not left unhandled while a check is awaited
    return p;
  };
  let next = fetch(0);
  const workers = options.workers ?? EntryCheckers.defaultSize();
  let checkers: EntryCheckers | null = null;
  // Batches being checked on the checker threads, oldest first (at most three, so memory stays bounded).
  const checking: { entries: VerifiableEntry[]; checked: Promise<CheckedEntry[]> }[] = [];
  const addOldest = async (): Promise<void> => {
    const oldest = checking.shift();
    if (!oldest) return;
    const checked = await oldest.checked;
    oldest.entries.forEach((e, i) => {
      const c = checked[i];
      if (c) verifier.addChecked(e.index, e.body === null, c);
    });
  };
  try {
    for (let first = true; ; first = false) {
      const entries = await next;
      const last = entries.at(-1);
      const more = last !== undefined && entries.length === BATCH;
      if (more) next = fetch(last.index + 1);
      // A log of one batch is checked here: starting threads would cost more than it saves.
      if (first && more && workers > 0) checkers = new EntryCheckers(workers);
      if (checkers) {
        const checked = checkers.check(tenantId, entries);
        checked.catch(() => undefined); // awaited in order by addOldest
        checking.push({ entries, checked });
        if (checking.length > 2) await addOldest();
      } else {
        for (const e of entries) verifier.add(e);
      }
      if (!more) break;
    }
    while (checking.length > 0) await addOldest();
  } finally {
    await checkers?.close();
  }
  const report = { ...verifier.finish(), pending: await log.pendingCount(tenantId) };
  if (report.latestCheckpoint === null && report.size > 0) {
    const first = await log.entry(tenantId, 0).catch(() => null);
    const since = first?.recordedAt ?? null;
    if (since && (options.now ?? new Date()).getTime() - since.getTime() > UNSIGNED_LOG_GRACE_MS) {
      return {
        ...report,
        ok: false,
        problems: [
          ...report.problems,
          `the log has had entries since ${since.toISOString()} and no signed checkpoint: checkpoints were removed, or signing has been failing`,
        ],
      };
    }
  }
  return report;
}

/** Who asked for an export: the export is itself recorded as processing (kind `export`). */
export interface ExportRequester {
  readonly actor: string;
  /** The pseudonym of the subject the selection is about, if it is about one. */
  readonly subject: string | null;
  readonly correlationId: string | null;
}

/**
 * An export bundle for offline verification. Without a selection it holds the
 * whole log up to the latest checkpoint (the auditor recomputes the tree);
 * with one, just those entries, each with its inclusion proof, and
 * consistency proofs from the earlier checkpoints (up to the latest 1,000).
 */
export async function exportBundle(
  log: PostgresRecordLog,
  tenantId: string,
  selection: readonly number[] | null,
  now: Date,
  by: ExportRequester,
): Promise<RecordBundle> {
  const bundle = await buildBundle(log, tenantId, selection, now);
  // Recorded after the bundle was cut: the bundle's final checkpoint does not cover its own export.
  await log.appendNow([
    {
      tenantId,
      sourceId: uuidv7(),
      kind: 'export',
      categories: [],
      purpose: 'compliance-audit',
      method: selection === null ? 'processing-record-bundle:complete' : 'processing-record-bundle:selection',
      measures: [...STANDARD_MEASURES],
      legalBasis: 'legal-obligation',
      actor: by.actor,
      subject: by.subject,
      at: now.toISOString(),
      eventId: null,
      commandId: null,
      correlationId: by.correlationId,
      channel: null,
      outcome: null,
      reasons: [],
      consents: [],
    },
  ]);
  return bundle;
}

async function buildBundle(log: PostgresRecordLog, tenantId: string, selection: readonly number[] | null, now: Date): Promise<RecordBundle> {
  const final = await log.checkpoint(tenantId);
  const all = await log.checkpoints(tenantId);
  const base = {
    format: 'attest-processing-record-bundle/v1' as const,
    tenantId,
    origin: log.originOf(tenantId),
    verifierKey: log.verifier.text,
    exportedAt: now.toISOString(),
  };
  if (!final) return { ...base, checkpoints: [], complete: true, entries: [], consistency: [] };
  const upTo = all.filter((c) => c.size <= final.size);
  if (selection === null) {
    const entries: RecordBundle['entries'][number][] = [];
    for (let from = 0; from < final.size; from += BATCH) {
      for (const e of await log.entries(tenantId, from, Math.min(BATCH, final.size - from)))
        entries.push({ index: e.index, leafHash: e.leafHash.toString('base64'), body: e.body });
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
