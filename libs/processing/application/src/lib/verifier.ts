import { decodeRecord, RecordEncodingError } from '@attest/processing-domain';
import {
  HASH_SIZE,
  leafHashOfText,
  NoteError,
  openCheckpoint,
  TreeBuilder,
  verifyConsistency,
  verifyInclusion,
  ProofError,
  type NoteVerifier,
} from '@attest/transparency';

/**
 * One entry of a tenant's log as stored (or exported): the body is null once
 * purged. The stored leaf hash is required for a purged entry; for one with a
 * body it is only compared (to name the changed entry), and may be left out
 * when the source already found it equal to the body's hash: the tree is
 * recomputed from the bodies either way.
 */
export interface VerifiableEntry {
  readonly index: number;
  readonly leafHash: Buffer | null;
  readonly body: string | null;
}

export interface VerificationReport {
  readonly tenantId: string;
  readonly origin: string;
  readonly ok: boolean;
  /** Entries seen. */
  readonly size: number;
  readonly purged: number;
  /** The latest signed checkpoint that verified against the recomputed tree. */
  readonly latestCheckpoint: { readonly size: number; readonly root: string } | null;
  readonly checkpointsChecked: number;
  /** Entries appended after the latest checkpoint (not yet covered by a signature). */
  readonly uncovered: number;
  /** Records staged but not merged into the log yet (database verification only). */
  readonly pending: number;
  readonly problems: string[];
}

/** What checking one entry found: the leaf hash it stands for, and what is wrong with it. */
export interface CheckedEntry {
  readonly hash: Buffer;
  readonly problems: string[];
}

/**
 * The leaf hash an entry stands for, recomputed from its body when it has one
 * (the stored hash is trusted only for purged entries), and what is wrong with
 * it. Pure and independent of every other entry, so entries may be checked in
 * parallel (see `LogVerifier.addChecked`).
 */
export function checkEntry(entry: VerifiableEntry, tenantId: string): CheckedEntry {
  if (entry.body === null) {
    if (entry.leafHash?.length === HASH_SIZE) return { hash: entry.leafHash, problems: [] };
    return { hash: Buffer.alloc(HASH_SIZE), problems: [`entry ${entry.index}: purged, and its stored leaf hash is missing or malformed`] };
  }
  const problems: string[] = [];
  const hash = leafHashOfText(entry.body);
  if (entry.leafHash && !hash.equals(entry.leafHash)) problems.push(`entry ${entry.index}: its body does not match its stored leaf hash`);
  try {
    const record = decodeRecord(entry.body);
    if (record.tenant !== tenantId) problems.push(`entry ${entry.index}: it belongs to tenant ${record.tenant}`);
    if (record.index !== entry.index) problems.push(`entry ${entry.index}: its body says index ${record.index} (moved or swapped)`);
  } catch (error) {
    problems.push(`entry ${entry.index}: ${error instanceof RecordEncodingError ? error.message : String(error)}`);
  }
  return { hash, problems };
}

/**
 * Recomputes a tenant's Merkle log from its entries, streamed in index order,
 * and checks it against signed checkpoints: the log's own and any the auditor
 * kept. It trusts nothing stored but the signatures: each leaf hash is
 * recomputed from the body (kept only where the body was purged), indices
 * must be contiguous from 0, and the root at every checkpoint's size must be
 * the signed one. Detects changed, inserted, removed, reordered and truncated
 * entries, a re-signed rebuilt tree (against an earlier kept checkpoint) and
 * two different checkpoints for one size.
 */
export class LogVerifier {
  private readonly tree = new TreeBuilder();
  private readonly problems: string[] = [];
  private readonly wanted = new Map<number, { root: Buffer; label: string }[]>();
  private readonly rootsAt = new Map<number, Buffer>();
  private readonly maxProblems = 50;
  private purged = 0;
  private latest: { size: number; root: Buffer } | null = null;
  private checked = 0;

  constructor(
    private readonly tenantId: string,
    private readonly origin: string,
    private readonly verifiers: readonly NoteVerifier[],
    /** The log's stored checkpoints (signed notes). */
    stored: readonly string[],
    /** Checkpoints the auditor kept from earlier (signed notes). */
    trusted: readonly string[] = [],
  ) {
    const seen = new Map<number, Buffer>();
    const take = (note: string, label: string): { size: number; root: Buffer } | null => {
      try {
        const checkpoint = openCheckpoint(note, verifiers);
        if (checkpoint.origin !== origin) {
          this.problem(`${label}: its origin ${checkpoint.origin} is not this log's (${origin})`);
          return null;
        }
        const other = seen.get(checkpoint.size);
        if (other && !other.equals(checkpoint.root))
          this.problem(`two different signed checkpoints for size ${checkpoint.size}: the log was forked or rewritten`);
        seen.set(checkpoint.size, checkpoint.root);
        const wanted = this.wanted.get(checkpoint.size);
        if (wanted) wanted.push({ root: checkpoint.root, label });
        else this.wanted.set(checkpoint.size, [{ root: checkpoint.root, label }]);
        return checkpoint;
      } catch (error) {
        this.problem(`${label}: ${error instanceof NoteError ? error.message : String(error)}`);
        return null;
      }
    };
    stored.forEach((note, i) => {
      const c = take(note, `stored checkpoint #${i + 1}`);
      if (c && (!this.latest || c.size > this.latest.size)) this.latest = c;
    });
    trusted.forEach((note, i) => take(note, `auditor's checkpoint #${i + 1}`));
  }

  private problem(text: string): void {
    if (this.problems.length < this.maxProblems) this.problems.push(text);
    else if (this.problems.length === this.maxProblems) this.problems.push('… more problems not listed');
  }

  add(entry: VerifiableEntry): void {
    this.addChecked(entry.index, entry.body === null, checkEntry(entry, this.tenantId));
  }

  /**
   * An entry already checked by `checkEntry` (for this verifier's tenant),
   * perhaps on another thread: entries must still come in index order.
   */
  addChecked(index: number, purged: boolean, checked: CheckedEntry): void {
    const expected = this.tree.size;
    if (index !== expected) {
      this.problem(index > expected ? `entries ${expected}..${index - 1} are missing` : `entry ${index} appears twice or out of order`);
    }
    if (purged) this.purged += 1;
    for (const p of checked.problems) this.problem(p);
    this.tree.push(checked.hash);
    if (this.wanted.has(this.tree.size)) this.rootsAt.set(this.tree.size, this.tree.root());
  }

  /**
   * The report. Entries no signed checkpoint covers yet are `uncovered`, not a
   * problem: a log signs its first checkpoint as soon as it grows, and until
   * then (or between two scheduled checkpoints) they are pending, checked for
   * form only. `requireCheckpoint` makes a log with entries and no checkpoint
   * a failure (an exported bundle is always cut at a signed checkpoint).
   */
  finish(options: { readonly requireCheckpoint?: boolean } = {}): VerificationReport {
    const size = this.tree.size;
    for (const [at, checkpoints] of [...this.wanted.entries()].sort((a, b) => a[0] - b[0])) {
      const root = this.rootsAt.get(at);
      for (const c of checkpoints) {
        this.checked += 1;
        if (!root) this.problem(`${c.label} covers ${at} entries but the log has only ${size}: entries were removed from the end`);
        else if (!root.equals(c.root))
          this.problem(`${c.label} (size ${at}) does not match the recomputed tree: entries were changed, added, removed or reordered`);
      }
    }
    if (options.requireCheckpoint && size > 0 && !this.latest) this.problem('the bundle has entries but no signed checkpoint');
    return {
      tenantId: this.tenantId,
      origin: this.origin,
      ok: this.problems.length === 0,
      size,
      purged: this.purged,
      latestCheckpoint: this.latest ? { size: this.latest.size, root: this.latest.root.toString('base64') } : null,
      checkpointsChecked: this.checked,
      uncovered: this.latest ? Math.max(0, size - this.latest.size) : size,
      pending: 0,
      problems: [...this.problems],
    };
  }
}

/**
 * An export for a regulator (offline verification): the verifier key, signed
 * checkpoints, and records — either the whole log (recomputed) or a
 * selection, each with an inclusion proof against the final checkpoint, plus
 * consistency proofs from every earlier checkpoint to the final one.
 */
export interface RecordBundle {
  readonly format: 'attest-processing-record-bundle/v1';
  readonly tenantId: string;
  readonly origin: string;
  readonly verifierKey: string;
  readonly exportedAt: string;
  /** Signed notes, oldest first; the last one is what the proofs are against. */
  readonly checkpoints: string[];
  readonly complete: boolean;
  readonly entries: { readonly index: number; readonly leafHash: string; readonly body: string | null; readonly proof?: string[] }[];
  readonly consistency: { readonly from: number; readonly to: number; readonly proof: string[] }[];
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

/** Verifies a bundle with nothing but its content and the verifier keys the auditor trusts. */
export function verifyBundle(bundle: RecordBundle, verifiers: readonly NoteVerifier[], trusted: readonly string[] = []): VerificationReport {
  if (bundle.complete) {
    const verifier = new LogVerifier(bundle.tenantId, bundle.origin, verifiers, bundle.checkpoints, trusted);
    for (const e of bundle.entries) verifier.add({ index: e.index, leafHash: b64(e.leafHash), body: e.body });
    return verifier.finish({ requireCheckpoint: true });
  }
  const problems: string[] = [];
  const opened = [...bundle.checkpoints, ...trusted].flatMap((note, i) => {
    try {
      const c = openCheckpoint(note, verifiers);
      if (c.origin !== bundle.origin) {
        problems.push(`checkpoint #${i + 1}: origin ${c.origin} is not ${bundle.origin}`);
        return [];
      }
      return [c];
    } catch (error) {
      problems.push(`checkpoint #${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  });
  const final = opened.slice(0, bundle.checkpoints.length).reduce<(typeof opened)[number] | null>((a, c) => (!a || c.size > a.size ? c : a), null);
  if (!final) problems.push('the bundle has no valid signed checkpoint');
  const bySize = new Map<number, Buffer>();
  for (const c of opened) {
    const other = bySize.get(c.size);
    if (other && !other.equals(c.root)) problems.push(`two different signed checkpoints for size ${c.size}`);
    bySize.set(c.size, c.root);
  }
  let purged = 0;
  if (final) {
    for (const e of bundle.entries) {
      if (e.body === null) purged += 1;
      const { hash, problems: found } = checkEntry({ index: e.index, leafHash: b64(e.leafHash), body: e.body }, bundle.tenantId);
      problems.push(...found);
      try {
        verifyInclusion(e.index, final.size, hash, (e.proof ?? []).map(b64), final.root);
      } catch (error) {
        problems.push(
          `entry ${e.index}: not included in the checkpoint of size ${final.size} (${error instanceof ProofError ? error.message : String(error)})`,
        );
      }
    }
    for (const c of opened) {
      if (c.size === final.size) continue;
      if (c.size > final.size) {
        problems.push(`a checkpoint of size ${c.size} is newer than the bundle's final checkpoint`);
        continue;
      }
      const proof = bundle.consistency.find((p) => p.from === c.size && p.to === final.size);
      if (!proof) {
        problems.push(`no consistency proof from size ${c.size} to ${final.size}`);
        continue;
      }
      try {
        verifyConsistency(c.size, final.size, proof.proof.map(b64), c.root, final.root);
      } catch (error) {
        problems.push(`the checkpoint of size ${c.size} is not consistent with size ${final.size}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return {
    tenantId: bundle.tenantId,
    origin: bundle.origin,
    ok: problems.length === 0,
    size: bundle.entries.length,
    purged,
    latestCheckpoint: final ? { size: final.size, root: final.root.toString('base64') } : null,
    checkpointsChecked: opened.length,
    uncovered: 0,
    pending: 0,
    problems,
  };
}
