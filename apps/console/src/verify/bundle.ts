import { bytesEqual, errorText, fromBase64, toBase64, type Bytes } from './bytes';
import { HASH_SIZE, leafHashOfText, TreeBuilder, verifyConsistency, verifyInclusion } from './merkle';
import { openCheckpoint, parseVerifierKey, type Checkpoint, type NoteVerifier } from './note';
import { decodeRecord } from './record';
import type { StepName, VerificationStep } from './steps';

/**
 * Offline verification of an export bundle (`attest-processing-record-bundle/v1`,
 * from POST /v1/processing-record/exports or `attest processing-record export`)
 * in the browser: the same checks, in the same order and with the same
 * problem texts, as `attest verify --bundle <file> --key <key> [--checkpoint <file>]…`
 * (`verifyBundle` of @attest/processing-application), plus a list of steps
 * saying what was checked. Nothing is fetched.
 */
export interface RecordBundle {
  readonly format: 'attest-processing-record-bundle/v1';
  readonly tenantId: string;
  readonly origin: string;
  readonly verifierKey: string;
  readonly exportedAt?: string;
  /** Signed notes, oldest first; the last one is what the proofs are against. */
  readonly checkpoints: readonly string[];
  /** The whole log (the tree is recomputed), or a selection with inclusion proofs. */
  readonly complete: boolean;
  readonly entries: readonly { readonly index: number; readonly leafHash: string; readonly body: string | null; readonly proof?: readonly string[] }[];
  readonly consistency: readonly { readonly from: number; readonly to: number; readonly proof: readonly string[] }[];
}

/** The CLI's verification report (`VerificationReport`), field for field. */
export interface BundleReport {
  readonly tenantId: string;
  readonly origin: string;
  readonly ok: boolean;
  readonly size: number;
  readonly purged: number;
  readonly latestCheckpoint: { readonly size: number; readonly root: string } | null;
  readonly checkpointsChecked: number;
  readonly uncovered: number;
  readonly pending: number;
  readonly problems: string[];
}

export interface BundleVerification {
  /** Every step passed (the same as `report.ok` whenever there is a report). */
  readonly ok: boolean;
  readonly steps: VerificationStep[];
  /** What `attest verify --bundle` reports; null when the bundle or the key cannot be read at all (the CLI exits 2 then). */
  readonly report: BundleReport | null;
}

export interface BundleOptions {
  /** Checkpoints kept from earlier (signed notes), as `--checkpoint <file>`: they must be consistent with the bundle. */
  readonly trusted?: readonly string[];
  /** For a complete bundle, at most this many failed steps of one kind are listed one by one (their count is always given); default 100. */
  readonly maxListed?: number;
}

type Step = VerificationStep;
const FORMAT = 'attest-processing-record-bundle/v1';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((p) => typeof p === 'string');
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

type BundleEntry = RecordBundle['entries'][number];
type BundleConsistency = RecordBundle['consistency'][number];

function entryOf(e: unknown): BundleEntry | null {
  if (!isObject(e)) return null;
  const { index, leafHash, body, proof } = e;
  if (!isIndex(index) || typeof leafHash !== 'string' || !(body === null || typeof body === 'string')) return null;
  if (proof === undefined) return { index, leafHash, body };
  return isStrings(proof) ? { index, leafHash, body, proof } : null;
}

function consistencyOf(c: unknown): BundleConsistency | null {
  if (!isObject(c)) return null;
  const { from, to, proof } = c;
  return isIndex(from) && isIndex(to) && isStrings(proof) ? { from, to, proof } : null;
}

/** Every element read, or null when one does not read (or it is not a list). */
function listOf<T>(value: unknown, read: (x: unknown) => T | null): T[] | null {
  if (!Array.isArray(value)) return null;
  const out: T[] = [];
  for (const x of value) {
    const item = read(x);
    if (item === null) return null;
    out.push(item);
  }
  return out;
}

/** The CLI's `parseBundle`: a bundle (its JSON text or the parsed value), or why it is not one. */
export function parseBundle(input: unknown): { ok: true; value: RecordBundle } | { ok: false; reason: string } {
  let parsed: unknown = input;
  if (typeof input === 'string') {
    try {
      parsed = JSON.parse(input);
    } catch {
      return {
        ok: false,
        reason: 'not JSON: it is not an export bundle (an export is written by `attest processing-record export` or POST /v1/processing-record/exports)',
      };
    }
  }
  const b = isObject(parsed) ? parsed : {};
  if (b['format'] !== FORMAT) return { ok: false, reason: `not an Attest processing-record bundle (no format ${FORMAT})` };
  const { tenantId, origin, verifierKey, exportedAt, complete, checkpoints } = b;
  const entries = listOf(b['entries'], entryOf);
  const consistency = listOf(b['consistency'], consistencyOf);
  if (
    typeof tenantId !== 'string' ||
    typeof origin !== 'string' ||
    typeof verifierKey !== 'string' ||
    typeof complete !== 'boolean' ||
    !isStrings(checkpoints) ||
    !entries ||
    !consistency
  ) {
    return {
      ok: false,
      reason: 'a damaged bundle: a field is missing or of the wrong kind (tenantId, origin, verifierKey, complete, checkpoints, entries, consistency)',
    };
  }
  return {
    ok: true,
    value: {
      format: FORMAT,
      tenantId,
      origin,
      verifierKey,
      ...(typeof exportedAt === 'string' ? { exportedAt } : {}),
      checkpoints,
      complete,
      entries,
      consistency,
    },
  };
}

/** Base64 the server wrote; anything else decodes to no bytes (and then fails as the wrong length, as on the server). */
const b64 = (s: string): Bytes => fromBase64(s) ?? new Uint8Array(0);
const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

/** Problems as the CLI lists them; a complete bundle's list stops at 50 (as `LogVerifier`). */
class Problems {
  readonly list: string[] = [];
  constructor(private readonly cap: number | null) {}
  add(text: string): void {
    if (this.cap === null || this.list.length < this.cap) this.list.push(text);
    else if (this.list.length === this.cap) this.list.push('… more problems not listed');
  }
}

interface EntryCheck {
  readonly hash: Bytes;
  readonly problems: string[];
  readonly leaf: Step;
  readonly body: Step;
}

/** The server's `checkEntry`: the leaf hash an entry stands for (recomputed from the body when there is one) and what is wrong with it. */
async function checkEntry(entry: BundleEntry, tenantId: string): Promise<EntryCheck> {
  const subject = `entry ${entry.index}`;
  const stored = b64(entry.leafHash);
  if (entry.body === null) {
    const body: Step = { step: 'record-body', subject, ok: true, detail: 'purged: there is no body to read' };
    if (stored.length === HASH_SIZE)
      return { hash: stored, problems: [], leaf: { step: 'leaf-hash', subject, ok: true, detail: 'purged: the stored leaf hash is taken as given' }, body };
    const problem = `entry ${entry.index}: purged, and its stored leaf hash is missing or malformed`;
    return { hash: new Uint8Array(HASH_SIZE), problems: [problem], leaf: { step: 'leaf-hash', subject, ok: false, detail: problem }, body };
  }
  const problems: string[] = [];
  const hash = await leafHashOfText(entry.body);
  let leaf: Step = { step: 'leaf-hash', subject, ok: true, detail: `SHA-256(0x00 ‖ UTF-8 body) = ${toBase64(hash)}, the stored leaf hash` };
  if (!bytesEqual(hash, stored)) {
    const problem = `entry ${entry.index}: its body does not match its stored leaf hash`;
    problems.push(problem);
    leaf = { step: 'leaf-hash', subject, ok: false, detail: `${problem} (SHA-256(0x00 ‖ UTF-8 body) = ${toBase64(hash)}, stored ${entry.leafHash})` };
  }
  const decoded = decodeRecord(entry.body);
  const bodyProblems: string[] = [];
  if (!decoded.ok) bodyProblems.push(`entry ${entry.index}: ${decoded.reason}`);
  else {
    if (decoded.value.tenant !== tenantId) bodyProblems.push(`entry ${entry.index}: it belongs to tenant ${decoded.value.tenant}`);
    if (decoded.value.index !== entry.index) bodyProblems.push(`entry ${entry.index}: its body says index ${decoded.value.index} (moved or swapped)`);
  }
  problems.push(...bodyProblems);
  const body: Step =
    bodyProblems.length > 0
      ? { step: 'record-body', subject, ok: false, detail: bodyProblems.join('; ') }
      : {
          step: 'record-body',
          subject,
          ok: true,
          detail: `a canonical version ${String(decoded.ok ? decoded.value.v : 1)} record of tenant ${tenantId} at index ${entry.index}`,
        };
  return { hash, problems, leaf, body };
}

/** Opens one checkpoint: the signature step, the origin step, and the problem the server would list. */
async function openOne(
  note: string,
  verifiers: readonly NoteVerifier[],
  origin: string,
  subject: string,
  originProblem: (c: Checkpoint) => string,
): Promise<{ checkpoint: Checkpoint | null; steps: Step[]; problem: string | null }> {
  let opened: Awaited<ReturnType<typeof openCheckpoint>>;
  try {
    opened = await openCheckpoint(note, verifiers);
  } catch (error) {
    opened = { ok: false, reason: errorText(error) };
  }
  if (!opened.ok) {
    const problem = `${subject}: ${opened.reason}`;
    return {
      checkpoint: null,
      problem,
      steps: [
        { step: 'checkpoint-signature', subject, ok: false, detail: opened.reason },
        { step: 'checkpoint-origin', subject, ok: false, detail: 'not checked: the checkpoint did not open' },
      ],
    };
  }
  const c = opened.value;
  const signed: Step = {
    step: 'checkpoint-signature',
    subject,
    ok: true,
    detail: `signed by ${verifiers.map((v) => `${v.name} (key id ${hex8(v.keyId)})`).join(', ')}: size ${c.size}, root ${toBase64(c.root)}`,
  };
  if (c.origin !== origin) {
    const problem = originProblem(c);
    return { checkpoint: null, problem, steps: [signed, { step: 'checkpoint-origin', subject, ok: false, detail: problem }] };
  }
  return { checkpoint: c, problem: null, steps: [signed, { step: 'checkpoint-origin', subject, ok: true, detail: `of ${origin}` }] };
}

/**
 * Verifies a bundle (its JSON text or the parsed object) against the verifier
 * key the auditor trusts, offline. Pass the bundle's own `verifierKey` only if
 * it was obtained independently; the CLI warns when it is used.
 */
export async function verifyBundle(bundleJson: unknown, verifierKeyText: string, options: BundleOptions = {}): Promise<BundleVerification> {
  const steps: Step[] = [];
  const parsed = parseBundle(bundleJson);
  steps.push(
    parsed.ok
      ? {
          step: 'bundle-format',
          ok: true,
          detail: `${FORMAT}: tenant ${parsed.value.tenantId}, ${parsed.value.complete ? 'the complete log' : 'a selection'}, ${parsed.value.entries.length} entries, ${parsed.value.checkpoints.length} checkpoints`,
        }
      : { step: 'bundle-format', ok: false, detail: parsed.reason },
  );
  let verifier: NoteVerifier | null = null;
  try {
    const key = await parseVerifierKey(verifierKeyText);
    if (key.ok) verifier = key.value;
    steps.push(
      key.ok
        ? { step: 'verifier-key', ok: true, detail: `Ed25519 key of ${key.value.name}, key id ${hex8(key.value.keyId)} (matches its name and key)` }
        : { step: 'verifier-key', ok: false, detail: key.reason },
    );
  } catch (error) {
    steps.push({ step: 'verifier-key', ok: false, detail: `could not be checked: ${errorText(error)}` });
  }
  if (!parsed.ok || !verifier) return { ok: false, steps, report: null };
  const bundle = parsed.value;
  steps.push(
    bundle.verifierKey.trim() === verifier.text
      ? { step: 'bundle-verifier-key', ok: true, detail: 'the bundle names the same verifier key' }
      : {
          step: 'bundle-verifier-key',
          ok: true,
          detail: `the bundle names another verifier key (${bundle.verifierKey}); the key given was used, as \`attest verify --key\` does`,
        },
  );
  const trusted = options.trusted ?? [];
  const maxListed = options.maxListed ?? 100;
  const report = bundle.complete ? await verifyComplete(bundle, verifier, trusted, steps, maxListed) : await verifySelection(bundle, verifier, trusted, steps);
  return { ok: steps.every((s) => s.ok) && report.ok, steps, report };
}

/** The complete log: recompute the tree from every entry (the server's `LogVerifier` with `requireCheckpoint`). */
async function verifyComplete(
  bundle: RecordBundle,
  verifier: NoteVerifier,
  trusted: readonly string[],
  steps: Step[],
  maxListed: number,
): Promise<BundleReport> {
  const problems = new Problems(50);
  const wanted = new Map<number, { root: Bytes; label: string }[]>();
  const seen = new Map<number, Bytes>();
  const forks: Step[] = [];
  let latest: Checkpoint | null = null;
  const take = async (note: string, label: string): Promise<Checkpoint | null> => {
    const one = await openOne(note, [verifier], bundle.origin, label, (c) => `${label}: its origin ${c.origin} is not this log's (${bundle.origin})`);
    steps.push(...one.steps);
    if (one.problem !== null) problems.add(one.problem);
    const c = one.checkpoint;
    if (!c) return null;
    const other = seen.get(c.size);
    if (other && !bytesEqual(other, c.root)) {
      const problem = `two different signed checkpoints for size ${c.size}: the log was forked or rewritten`;
      problems.add(problem);
      forks.push({ step: 'checkpoint-fork', subject: label, ok: false, detail: problem });
    }
    seen.set(c.size, c.root);
    const list = wanted.get(c.size);
    if (list) list.push({ root: c.root, label });
    else wanted.set(c.size, [{ root: c.root, label }]);
    return c;
  };
  for (const [i, note] of bundle.checkpoints.entries()) {
    const c = await take(note, `stored checkpoint #${i + 1}`);
    if (c && (!latest || c.size > latest.size)) latest = c;
  }
  for (const [i, note] of trusted.entries()) await take(note, `auditor's checkpoint #${i + 1}`);
  steps.push(
    ...(forks.length > 0
      ? forks
      : [{ step: 'checkpoint-fork' as const, ok: true, detail: `no two signed checkpoints of one size differ (${seen.size} sizes)` }]),
  );

  const failures = new Map<StepName, { count: number; listed: Step[] }>();
  const failure = (s: Step): void => {
    const f = failures.get(s.step) ?? { count: 0, listed: [] };
    f.count += 1;
    if (f.listed.length < maxListed) f.listed.push(s);
    failures.set(s.step, f);
  };
  const tree = new TreeBuilder();
  const rootsAt = new Map<number, Bytes>();
  let purged = 0;
  // Leaf hashes are computed a batch at a time (WebCrypto runs them concurrently); the tree is built in order.
  const BATCH = 256;
  for (let from = 0; from < bundle.entries.length; from += BATCH) {
    const batch = bundle.entries.slice(from, from + BATCH);
    const checks = await Promise.all(batch.map((e) => checkEntry(e, bundle.tenantId)));
    for (const [i, e] of batch.entries()) {
      const check = checks[i];
      if (!check) continue;
      const expected = tree.size;
      if (e.index !== expected) {
        const problem = e.index > expected ? `entries ${expected}..${e.index - 1} are missing` : `entry ${e.index} appears twice or out of order`;
        problems.add(problem);
        failure({ step: 'entry-order', subject: `entry ${e.index}`, ok: false, detail: problem });
      }
      if (e.body === null) purged += 1;
      for (const p of check.problems) problems.add(p);
      if (!check.leaf.ok) failure(check.leaf);
      if (!check.body.ok) failure(check.body);
      await tree.push(check.hash);
      if (wanted.has(tree.size)) rootsAt.set(tree.size, await tree.root());
    }
  }
  const size = tree.size;
  const summaries: [StepName, string][] = [
    ['entry-order', size === 0 ? 'no entries' : `${size} entries, indices 0..${size - 1} in order`],
    ['leaf-hash', `${size - purged} leaf hashes recomputed from the bodies; ${purged} purged entries stand for their stored leaf hash`],
    ['record-body', `${size - purged} bodies are canonical records (version 1, 2 or 3) of tenant ${bundle.tenantId} at their index`],
  ];
  for (const [name, okText] of summaries) {
    const f = failures.get(name);
    if (!f) steps.push({ step: name, ok: true, detail: okText });
    else {
      const more = f.count > f.listed.length ? ` (the first ${f.listed.length} are listed)` : '';
      steps.push({ step: name, ok: false, detail: `${f.count} of ${size} entries fail this check${more}` }, ...f.listed);
    }
  }

  let checked = 0;
  for (const [at, checkpoints] of [...wanted.entries()].sort((a, b) => a[0] - b[0])) {
    const root = rootsAt.get(at);
    for (const c of checkpoints) {
      checked += 1;
      if (!root) {
        const problem = `${c.label} covers ${at} entries but the log has only ${size}: entries were removed from the end`;
        problems.add(problem);
        steps.push({ step: 'checkpoint-root', subject: c.label, ok: false, detail: problem });
      } else if (!bytesEqual(root, c.root)) {
        const problem = `${c.label} (size ${at}) does not match the recomputed tree: entries were changed, added, removed or reordered`;
        problems.add(problem);
        steps.push({ step: 'checkpoint-root', subject: c.label, ok: false, detail: `${problem} (recomputed ${toBase64(root)}, signed ${toBase64(c.root)})` });
      } else {
        steps.push({
          step: 'checkpoint-root',
          subject: c.label,
          ok: true,
          detail: `the tree of the first ${at} entries has the signed root ${toBase64(root)}`,
        });
      }
    }
  }
  if (size > 0 && !latest) {
    problems.add('the bundle has entries but no signed checkpoint');
    steps.push({ step: 'has-checkpoint', ok: false, detail: 'the bundle has entries but no signed checkpoint' });
  } else {
    steps.push({
      step: 'has-checkpoint',
      ok: true,
      detail: latest ? `the latest signed checkpoint covers ${latest.size} of ${size} entries` : 'the bundle is empty',
    });
  }
  const final: Checkpoint | null = latest;
  return {
    tenantId: bundle.tenantId,
    origin: bundle.origin,
    ok: problems.list.length === 0,
    size,
    purged,
    latestCheckpoint: final ? { size: final.size, root: toBase64(final.root) } : null,
    checkpointsChecked: checked,
    uncovered: final ? Math.max(0, size - final.size) : size,
    pending: 0,
    problems: problems.list,
  };
}

/** A selection: each entry's inclusion proof against the final checkpoint, and consistency proofs from the earlier ones. */
async function verifySelection(bundle: RecordBundle, verifier: NoteVerifier, trusted: readonly string[], steps: Step[]): Promise<BundleReport> {
  const problems = new Problems(null);
  const opened: { checkpoint: Checkpoint; label: string; position: number }[] = [];
  // Numbered on through the auditor's checkpoints, as the CLI numbers them.
  for (const [i, note] of [...bundle.checkpoints, ...trusted].entries()) {
    const label = `checkpoint #${i + 1}`;
    const one = await openOne(note, [verifier], bundle.origin, label, (c) => `${label}: origin ${c.origin} is not ${bundle.origin}`);
    steps.push(...one.steps);
    if (one.problem !== null) problems.add(one.problem);
    if (one.checkpoint) opened.push({ checkpoint: one.checkpoint, label, position: i });
  }
  // As the CLI: the largest among the first `checkpoints.length` that opened (the earliest of equal sizes).
  let final: (typeof opened)[number] | null = null;
  for (const o of opened.slice(0, bundle.checkpoints.length)) if (!final || o.checkpoint.size > final.checkpoint.size) final = o;
  if (!final) {
    problems.add('the bundle has no valid signed checkpoint');
    steps.push({ step: 'final-checkpoint', ok: false, detail: 'the bundle has no valid signed checkpoint' });
  } else {
    steps.push({
      step: 'final-checkpoint',
      subject: final.label,
      ok: true,
      detail: `the proofs are checked against size ${final.checkpoint.size}, root ${toBase64(final.checkpoint.root)}`,
    });
  }
  const bySize = new Map<number, Bytes>();
  const forks: Step[] = [];
  for (const o of opened) {
    const other = bySize.get(o.checkpoint.size);
    if (other && !bytesEqual(other, o.checkpoint.root)) {
      const problem = `two different signed checkpoints for size ${o.checkpoint.size}`;
      problems.add(problem);
      forks.push({ step: 'checkpoint-fork', subject: o.label, ok: false, detail: problem });
    }
    bySize.set(o.checkpoint.size, o.checkpoint.root);
  }
  steps.push(
    ...(forks.length > 0
      ? forks
      : [{ step: 'checkpoint-fork' as const, ok: true, detail: `no two signed checkpoints of one size differ (${bySize.size} sizes)` }]),
  );

  let purged = 0;
  if (!final) {
    steps.push(
      { step: 'inclusion-proof', ok: false, detail: `not checked: no valid signed checkpoint to check the ${bundle.entries.length} entries against` },
      { step: 'consistency-proof', ok: false, detail: 'not checked: no valid signed checkpoint' },
    );
  } else {
    const f = final.checkpoint;
    for (const e of bundle.entries) {
      if (e.body === null) purged += 1;
      const check = await checkEntry(e, bundle.tenantId);
      for (const p of check.problems) problems.add(p);
      steps.push(check.leaf, check.body);
      const proof = (e.proof ?? []).map(b64);
      const included = await verifyInclusion(e.index, f.size, check.hash, proof, f.root);
      if (included.ok)
        steps.push({ step: 'inclusion-proof', subject: `entry ${e.index}`, ok: true, detail: `in the tree of ${f.size} (${proof.length} proof hashes)` });
      else {
        const problem = `entry ${e.index}: not included in the checkpoint of size ${f.size} (${included.reason})`;
        problems.add(problem);
        steps.push({ step: 'inclusion-proof', subject: `entry ${e.index}`, ok: false, detail: problem });
      }
    }
    for (const o of opened) {
      const c = o.checkpoint;
      if (o === final) continue;
      if (c.size === f.size) {
        steps.push({
          step: 'consistency-proof',
          subject: o.label,
          ok: true,
          detail: `the same size as the final checkpoint (its root is compared by the fork check)`,
        });
        continue;
      }
      if (c.size > f.size) {
        const problem = `a checkpoint of size ${c.size} is newer than the bundle's final checkpoint`;
        problems.add(problem);
        steps.push({ step: 'consistency-proof', subject: o.label, ok: false, detail: problem });
        continue;
      }
      const proof = bundle.consistency.find((p) => p.from === c.size && p.to === f.size);
      if (!proof) {
        const problem = `no consistency proof from size ${c.size} to ${f.size}`;
        problems.add(problem);
        steps.push({ step: 'consistency-proof', subject: o.label, ok: false, detail: problem });
        continue;
      }
      const consistent = await verifyConsistency(c.size, f.size, proof.proof.map(b64), c.root, f.root);
      if (consistent.ok) steps.push({ step: 'consistency-proof', subject: o.label, ok: true, detail: `the tree of ${f.size} extends the tree of ${c.size}` });
      else {
        const problem = `the checkpoint of size ${c.size} is not consistent with size ${f.size}: ${consistent.reason}`;
        problems.add(problem);
        steps.push({ step: 'consistency-proof', subject: o.label, ok: false, detail: problem });
      }
    }
  }
  return {
    tenantId: bundle.tenantId,
    origin: bundle.origin,
    ok: problems.list.length === 0,
    size: bundle.entries.length,
    purged,
    latestCheckpoint: final ? { size: final.checkpoint.size, root: toBase64(final.checkpoint.root) } : null,
    checkpointsChecked: opened.length,
    uncovered: 0,
    pending: 0,
    problems: problems.list,
  };
}

/** The report as `attest verify` prints it (the last line says OK or FAILED). */
export function reportText(report: BundleReport): string {
  let out =
    `${report.origin}: ${report.size} entries (${report.purged} purged), ${report.checkpointsChecked} signed checkpoints checked` +
    (report.latestCheckpoint ? `, latest covers ${report.latestCheckpoint.size} (root ${report.latestCheckpoint.root})` : '') +
    (report.uncovered > 0 ? `, ${report.uncovered} entries pending (not yet covered by a signed checkpoint; the next one signs them)` : '') +
    (report.pending > 0 ? `, ${report.pending} staged records not merged yet` : '') +
    '\n';
  for (const p of report.problems) out += `  ✗ ${p}\n`;
  out += report.ok ? 'verified: OK\n' : 'verification FAILED\n';
  return out;
}
