import { bytesEqual, fromBase64, toBase64, type Bytes, type Result } from './bytes';
import { HASH_SIZE, leafHashOfText, verifyConsistency, verifyInclusion } from './merkle';
import { openNote, parseCheckpoint, parseVerifierKey, splitNote, type Checkpoint, type NoteVerifier } from './note';
import { decodeRecord } from './record';
import { fail, pass, runStep, type StepOutcome, type VerificationStep } from './steps';

/**
 * Verifies one processing-record entry in the browser, step by step, as an
 * auditor would with the API's answers: the entry (GET
 * /v1/processing-record/entries/{index}), its inclusion proof (GET
 * /v1/processing-record/proofs/inclusion?index=…&size=<checkpoint size>), a
 * signed checkpoint (GET /v1/processing-record/checkpoints/latest `note`),
 * and the verifier key and origin (GET /v1/processing-record, or better a key
 * obtained independently). Every step runs and is reported; a failed step
 * never stops the others (a step that needs what an earlier one could not
 * produce fails with "not checked: …").
 */
export interface EntryVerificationInput {
  /** The entry as the API returns it; only `index`, `leafHash` (base64) and `body` (null once purged) are read. */
  readonly entry: { readonly index: number; readonly leafHash: string; readonly body: string | null };
  /** The inclusion proof (base64 hashes); `leafHash`, when given, must be the entry's. */
  readonly proof: { readonly index: number; readonly size: number; readonly leafHash?: string; readonly proof: readonly string[] };
  /** The signed checkpoint note (C2SP tlog-checkpoint). */
  readonly checkpoint: string;
  /** The verifier key text: `name+id+base64(0x01 ‖ key)`. */
  readonly verifierKey: string;
  /** The log's origin the checkpoint must name (`origin` of GET /v1/processing-record). */
  readonly origin: string;
  /** The tenant the record must belong to; when absent the record's tenant is reported, not compared. */
  readonly tenantId?: string;
}

export interface Verification {
  /** Every step passed. */
  readonly ok: boolean;
  readonly steps: VerificationStep[];
}

const short = (b64: string): string => (b64.length > 16 ? `${b64.slice(0, 12)}…` : b64);

/** The verifier key step: parses the key text, and hands the verifier on when it is usable. */
export async function keyStep(text: string): Promise<{ step: VerificationStep; verifier: NoteVerifier | null }> {
  let verifier: NoteVerifier | null = null;
  const step = await runStep('verifier-key', undefined, async () => {
    const parsed = await parseVerifierKey(text);
    if (!parsed.ok) return fail(parsed.reason);
    verifier = parsed.value;
    return pass(`Ed25519 key of ${parsed.value.name}, key id ${parsed.value.keyId.toString(16).padStart(8, '0')} (matches its name and key)`);
  });
  return { step, verifier };
}

/** The checkpoint note's signature, by the verifier of the key step. */
export async function signatureStep(note: string, verifier: NoteVerifier | null, subject: string | undefined): Promise<VerificationStep> {
  return runStep('checkpoint-signature', subject, async () => {
    if (!verifier) return fail('not checked: no usable verifier key');
    const opened = await openNote(note, [verifier]);
    return opened.ok
      ? pass(`signed by ${opened.value.verifiedBy.join(', ')} (Ed25519, key id ${verifier.keyId.toString(16).padStart(8, '0')})`)
      : fail(opened.reason);
  });
}

/** The checkpoint body, read whether or not the signature verified (the signature step says whether to trust it). */
export async function bodyStep(note: string, subject: string | undefined): Promise<{ step: VerificationStep; checkpoint: Checkpoint | null }> {
  let checkpoint: Checkpoint | null = null;
  const step = await runStep('checkpoint-body', subject, () => {
    const split = splitNote(note);
    if (!split.ok) return fail(split.reason);
    const parsed = parseCheckpoint(split.value.text);
    if (!parsed.ok) return fail(parsed.reason);
    checkpoint = parsed.value;
    const c = parsed.value;
    return pass(`origin ${c.origin}, size ${c.size}, root ${toBase64(c.root)}${c.extensions.length > 0 ? `, ${c.extensions.length} extension line(s)` : ''}`);
  });
  return { step, checkpoint };
}

/** Proof hashes from base64. */
export function proofHashes(texts: readonly string[]): Result<Bytes[]> {
  const out: Bytes[] = [];
  for (const [i, t] of texts.entries()) {
    const h = fromBase64(t);
    if (h === null) return { ok: false, reason: `proof hash #${i + 1} is not base64` };
    out.push(h);
  }
  return { ok: true, value: out };
}

/** Runs every step of one entry's verification; see `EntryVerificationInput`. */
export async function verifyEntry(input: EntryVerificationInput): Promise<Verification> {
  const { entry, proof } = input;
  const steps: VerificationStep[] = [];
  const key = await keyStep(input.verifierKey);
  steps.push(key.step);
  steps.push(await signatureStep(input.checkpoint, key.verifier, undefined));
  const body = await bodyStep(input.checkpoint, undefined);
  steps.push(body.step);
  const checkpoint = body.checkpoint;

  steps.push(
    await runStep('checkpoint-origin', undefined, () => {
      if (!checkpoint) return fail('not checked: the checkpoint body does not read');
      return checkpoint.origin === input.origin
        ? pass(`the checkpoint is of ${checkpoint.origin}`)
        : fail(`the checkpoint is of ${JSON.stringify(checkpoint.origin)}, not of this log (${JSON.stringify(input.origin)})`);
    }),
  );

  // The leaf the proof is checked with: recomputed from the body (as the server's verifier does), the stored one only once purged.
  let leaf: Bytes | null = null;
  steps.push(
    await runStep('leaf-hash', undefined, async () => {
      const stored = fromBase64(entry.leafHash);
      if (entry.body === null) {
        if (stored?.length !== HASH_SIZE)
          return fail(`the entry is purged, and its leaf hash ${JSON.stringify(short(entry.leafHash))} is missing or malformed`);
        leaf = stored;
        return pass(`the entry's body is purged: its leaf hash ${entry.leafHash} is taken as given (it cannot be recomputed)`);
      }
      const computed = await leafHashOfText(entry.body);
      leaf = computed;
      if (stored === null)
        return fail(`SHA-256(0x00 ‖ body) is ${toBase64(computed)}; the entry's leaf hash ${JSON.stringify(short(entry.leafHash))} is not base64`);
      return bytesEqual(computed, stored)
        ? pass(`SHA-256(0x00 ‖ UTF-8 body) = ${toBase64(computed)}, the entry's leaf hash`)
        : fail(`SHA-256(0x00 ‖ UTF-8 body) = ${toBase64(computed)}, but the entry's leaf hash is ${entry.leafHash}: the body was changed`);
    }),
  );

  steps.push(
    await runStep('record-body', undefined, () => {
      if (entry.body === null) return pass('the entry is purged: there is no body to read');
      const record = decodeRecord(entry.body);
      if (!record.ok) return fail(`the body is ${record.reason}`);
      const problems: string[] = [];
      if (record.value.index !== entry.index) problems.push(`the body says index ${record.value.index}, the entry is ${entry.index} (moved or swapped)`);
      if (input.tenantId !== undefined && record.value.tenant !== input.tenantId)
        problems.push(`the record belongs to tenant ${record.value.tenant}, not ${input.tenantId}`);
      if (problems.length > 0) return fail(problems.join('; '));
      return pass(
        `a canonical version ${String(record.value.v)} record (${record.value.kind}) at index ${record.value.index}, tenant ${record.value.tenant}${input.tenantId === undefined ? ' (tenant not compared)' : ''}`,
      );
    }),
  );

  steps.push(
    await runStep('proof-for-entry', undefined, () => {
      const problems: string[] = [];
      if (proof.index !== entry.index) problems.push(`the proof is for entry ${proof.index}, not ${entry.index}`);
      if (proof.leafHash !== undefined && proof.leafHash !== entry.leafHash)
        problems.push(`the proof's leaf hash ${proof.leafHash} is not the entry's ${entry.leafHash}`);
      return problems.length > 0
        ? fail(problems.join('; '))
        : pass(`the proof is for entry ${entry.index}${proof.leafHash === undefined ? '' : ' and its leaf hash'}`);
    }),
  );

  steps.push(
    await runStep('proof-size', undefined, () => {
      if (!checkpoint) return fail(`not checked: the checkpoint body does not read (the proof is for size ${proof.size})`);
      return proof.size === checkpoint.size
        ? pass(`the proof is for the checkpoint's tree of ${checkpoint.size}`)
        : fail(`the proof is for a tree of ${proof.size}, the checkpoint signs a tree of ${checkpoint.size}`);
    }),
  );

  steps.push(
    await runStep('inclusion-proof', undefined, async (): Promise<StepOutcome> => {
      if (!checkpoint) return fail('not checked: the checkpoint body does not read');
      if (leaf === null) return fail('not checked: no leaf hash');
      const path = proofHashes(proof.proof);
      if (!path.ok) return fail(path.reason);
      const checked = await verifyInclusion(entry.index, checkpoint.size, leaf, path.value, checkpoint.root);
      return checked.ok
        ? pass(`entry ${entry.index} is in the tree of ${checkpoint.size} with root ${toBase64(checkpoint.root)} (${path.value.length} proof hashes)`)
        : fail(`entry ${entry.index} is not shown in the tree of ${checkpoint.size}: ${checked.reason}`);
    }),
  );

  return { ok: steps.every((s) => s.ok), steps };
}

/** A consistency proof as GET /v1/processing-record/proofs/consistency answers it (base64 hashes). */
export interface ConsistencyProofInput {
  readonly from: number;
  readonly to: number;
  readonly proof: readonly string[];
}

/**
 * Checks that the log of the newer signed checkpoint extends the log of the
 * older one (nothing signed earlier was changed or dropped): both signatures,
 * both bodies, one origin (and the expected one, when given), the proof's
 * sizes, and the RFC 9162 consistency proof between the two roots.
 */
export async function verifyConsistencyBetween(
  older: string,
  newer: string,
  proof: ConsistencyProofInput,
  verifierKey: string,
  origin?: string,
): Promise<Verification> {
  const steps: VerificationStep[] = [];
  const key = await keyStep(verifierKey);
  steps.push(key.step);
  steps.push(await signatureStep(older, key.verifier, 'older checkpoint'));
  steps.push(await signatureStep(newer, key.verifier, 'newer checkpoint'));
  const first = await bodyStep(older, 'older checkpoint');
  const second = await bodyStep(newer, 'newer checkpoint');
  steps.push(first.step, second.step);
  const a = first.checkpoint;
  const b = second.checkpoint;

  steps.push(
    await runStep('checkpoint-origin', undefined, () => {
      if (!a || !b) return fail('not checked: a checkpoint body does not read');
      if (a.origin !== b.origin) return fail(`the checkpoints are of two logs: ${JSON.stringify(a.origin)} and ${JSON.stringify(b.origin)}`);
      if (origin !== undefined && a.origin !== origin)
        return fail(`the checkpoints are of ${JSON.stringify(a.origin)}, not of this log (${JSON.stringify(origin)})`);
      return pass(`both checkpoints are of ${a.origin}${origin === undefined ? ' (expected origin not given)' : ''}`);
    }),
  );

  steps.push(
    await runStep('proof-sizes', undefined, () => {
      if (!a || !b) return fail(`not checked: a checkpoint body does not read (the proof is from ${proof.from} to ${proof.to})`);
      const problems: string[] = [];
      if (a.size > b.size) problems.push(`the older checkpoint (size ${a.size}) is larger than the newer one (size ${b.size})`);
      if (proof.from !== a.size || proof.to !== b.size)
        problems.push(`the proof is from ${proof.from} to ${proof.to}, the checkpoints are of sizes ${a.size} and ${b.size}`);
      return problems.length > 0 ? fail(problems.join('; ')) : pass(`the proof is from size ${a.size} to size ${b.size}`);
    }),
  );

  steps.push(
    await runStep('consistency-proof', undefined, async () => {
      if (!a || !b) return fail('not checked: a checkpoint body does not read');
      const path = proofHashes(proof.proof);
      if (!path.ok) return fail(path.reason);
      const checked = await verifyConsistency(a.size, b.size, path.value, a.root, b.root);
      return checked.ok
        ? pass(`the tree of ${b.size} (root ${toBase64(b.root)}) extends the tree of ${a.size} (root ${toBase64(a.root)})`)
        : fail(`the tree of ${b.size} is not shown to extend the tree of ${a.size}: ${checked.reason}`);
    }),
  );

  return { ok: steps.every((s) => s.ok), steps };
}
