import { errorText } from './bytes';

/** What one step of a verification checked. */
export type StepName =
  /** The verifier key parses (`name+id+key`, Ed25519) and its id matches its name and key. */
  | 'verifier-key'
  /** Certificates: the key the certificate names is the one the deployment publishes (or, unknown to the reader, left to compare). */
  | 'published-key'
  /** Certificates: the signed note verifies and holds exactly the certificate's canonical JSON. */
  | 'certificate-signature'
  /** The checkpoint note carries a valid Ed25519 signature of the verifier key. */
  | 'checkpoint-signature'
  /** The checkpoint body reads as origin, size and a 32-byte base64 root. */
  | 'checkpoint-body'
  /** The checkpoint names the expected log (origin). */
  | 'checkpoint-origin'
  /** SHA-256(0x00 ‖ UTF-8 body) equals the entry's leaf hash. */
  | 'leaf-hash'
  /** The body is a canonical processing record (version 1, 2 or 3) of this tenant at this index. */
  | 'record-body'
  /** The inclusion proof is for this entry (index and leaf hash). */
  | 'proof-for-entry'
  /** The inclusion proof is for the checkpoint's tree size. */
  | 'proof-size'
  /** The inclusion proof leads from the leaf hash to the checkpoint's root. */
  | 'inclusion-proof'
  /** The consistency proof is between the two checkpoints' sizes. */
  | 'proof-sizes'
  /** The consistency proof shows the newer tree extends the older one. */
  | 'consistency-proof'
  /** Bundles: the file is an `attest-processing-record-bundle/v1` with every field of the right kind. */
  | 'bundle-format'
  /** Bundles: the verifier key inside the bundle, compared with the one given (informational). */
  | 'bundle-verifier-key'
  /** Bundles: no two signed checkpoints of one size have different roots. */
  | 'checkpoint-fork'
  /** Bundles (selection): the checkpoint the proofs are against. */
  | 'final-checkpoint'
  /** Bundles (complete): entry indices run 0, 1, 2, … without gaps or repeats. */
  | 'entry-order'
  /** Bundles (complete): the tree recomputed from the entries has each signed checkpoint's root at its size. */
  | 'checkpoint-root'
  /** Bundles (complete): a bundle with entries has at least one signed checkpoint. */
  | 'has-checkpoint';

export interface VerificationStep {
  readonly step: StepName;
  /** Which checkpoint or entry the step is about, when there are several (`older checkpoint`, `entry 12`, `stored checkpoint #2`). */
  readonly subject?: string;
  readonly ok: boolean;
  /** What was compared and what was found, in a sentence. */
  readonly detail: string;
}

export interface StepOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

export const pass = (detail: string): StepOutcome => ({ ok: true, detail });
export const fail = (detail: string): StepOutcome => ({ ok: false, detail });

/** Runs one step; an exception (no WebCrypto, an unexpected input) is that step's failure, never lost. */
export async function runStep(step: StepName, subject: string | undefined, check: () => Promise<StepOutcome> | StepOutcome): Promise<VerificationStep> {
  let outcome: StepOutcome;
  try {
    outcome = await check();
  } catch (error) {
    outcome = fail(`could not be checked: ${errorText(error)}`);
  }
  return subject === undefined ? { step, ok: outcome.ok, detail: outcome.detail } : { step, subject, ok: outcome.ok, detail: outcome.detail };
}
