import { fromBase64, toBase64 } from './bytes';
import { HASH_SIZE, verifyInclusion } from './merkle';
import { openNote, type NoteVerifier } from './note';
import { fail, pass, runStep, type StepOutcome, type VerificationStep } from './steps';
import { bodyStep, keyStep, proofHashes, signatureStep, type Verification } from './verify-entry';

/** A deletion certificate (D4) as GET /v1/data-subject-requests/{id}/certificate answers it; only these fields are read. */
export interface DeletionCertificateInput {
  readonly verifierKey: string;
  readonly processingRecord: {
    readonly origin: string;
    readonly index: number;
    readonly leafHash: string;
    /** The signed checkpoint note the inclusion proof is against. */
    readonly checkpoint: string;
    readonly inclusionProof: readonly string[];
  };
}

export interface CertificateVerificationInput<C extends DeletionCertificateInput = DeletionCertificateInput> {
  /** The certificate object as shown on the page. */
  readonly certificate: C;
  /** The certificate's canonical JSON as a signed note, signed with the processing record's key. */
  readonly signedNote: string;
  /**
   * The deployment's verifier key obtained apart from the certificate (GET /v1/processing-record), or
   * null when the reader may not fetch it: a certificate can carry any key, so it is compared, or the
   * step says it was not.
   */
  readonly publishedKey: string | null;
}

/**
 * The server's canonical JSON (keys sorted at every level, no spaces): the text the signed note
 * must hold, followed by one newline. Numbers and strings are written as JSON.stringify writes them.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Readonly<Record<string, unknown>>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Verifies a deletion certificate in the browser, as a regulator would with the certificate alone:
 * its key (and that it is the deployment's), the signature over exactly the fields shown, the
 * signed checkpoint it cites, and the inclusion proof of its delete entry in that checkpoint's tree.
 * Every step runs and is reported; a failed step never stops the others.
 */
/** A certificate's verification, with the size of the signed tree it cites (null when the checkpoint does not read). */
export interface CertificateVerification extends Verification {
  readonly checkpointSize: number | null;
}

export async function verifyCertificate<C extends DeletionCertificateInput>(input: CertificateVerificationInput<C>): Promise<CertificateVerification> {
  const { certificate, signedNote, publishedKey } = input;
  const record = certificate.processingRecord;
  const steps: VerificationStep[] = [];
  const key = await keyStep(certificate.verifierKey);
  steps.push(key.step);
  const verifier: NoteVerifier | null = key.verifier;

  steps.push(
    await runStep('published-key', undefined, () => {
      if (publishedKey === null) return pass(`not compared: compare ${certificate.verifierKey} with the key your organisation published`);
      return publishedKey === certificate.verifierKey
        ? pass('the certificate names the key this deployment publishes for its processing record')
        : fail(`the certificate names ${certificate.verifierKey}, this deployment publishes ${publishedKey}`);
    }),
  );

  steps.push(
    await runStep('certificate-signature', undefined, async (): Promise<StepOutcome> => {
      if (!verifier) return fail('not checked: no usable verifier key');
      const opened = await openNote(signedNote, [verifier]);
      if (!opened.ok) return fail(opened.reason);
      const expected = `${canonicalJson(certificate)}\n`;
      return opened.value.text === expected
        ? pass(`signed by ${opened.value.verifiedBy.join(', ')} (Ed25519): the signed text is exactly this certificate`)
        : fail('the signature verifies, but the signed text is not this certificate: a field shown here differs from what was signed');
    }),
  );

  steps.push(await signatureStep(record.checkpoint, verifier, undefined));
  const body = await bodyStep(record.checkpoint, undefined);
  steps.push(body.step);
  const checkpoint = body.checkpoint;

  steps.push(
    await runStep('checkpoint-origin', undefined, () => {
      if (!checkpoint) return fail('not checked: the checkpoint body does not read');
      return checkpoint.origin === record.origin
        ? pass(`the checkpoint is of ${checkpoint.origin}, the record the certificate names`)
        : fail(`the checkpoint is of ${JSON.stringify(checkpoint.origin)}, the certificate names ${JSON.stringify(record.origin)}`);
    }),
  );

  steps.push(
    await runStep('proof-size', undefined, () => {
      if (!checkpoint) return fail('not checked: the checkpoint body does not read');
      return record.index < checkpoint.size
        ? pass(`entry ${record.index} lies within the checkpoint's tree of ${checkpoint.size}`)
        : fail(`entry ${record.index} lies beyond the checkpoint's tree of ${checkpoint.size}`);
    }),
  );

  steps.push(
    await runStep('inclusion-proof', undefined, async (): Promise<StepOutcome> => {
      if (!checkpoint) return fail('not checked: the checkpoint body does not read');
      const leaf = fromBase64(record.leafHash);
      if (leaf?.length !== HASH_SIZE) return fail(`the leaf hash ${JSON.stringify(record.leafHash)} is not 32 bytes of base64`);
      const path = proofHashes(record.inclusionProof);
      if (!path.ok) return fail(path.reason);
      const checked = await verifyInclusion(record.index, checkpoint.size, leaf, path.value, checkpoint.root);
      return checked.ok
        ? pass(`the delete entry ${record.index} is in the tree of ${checkpoint.size} with root ${toBase64(checkpoint.root)}`)
        : fail(`the delete entry ${record.index} is not shown in the tree of ${checkpoint.size}: ${checked.reason}`);
    }),
  );

  return { ok: steps.every((s) => s.ok), steps, checkpointSize: checkpoint?.size ?? null };
}
