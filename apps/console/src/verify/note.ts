import {
  bytesEqual,
  concatBytes,
  copyBytes,
  errorText,
  failed,
  fromBase64,
  fromCanonicalBase64,
  passed,
  toBase64,
  utf8,
  type Bytes,
  type Check,
  type Result,
} from './bytes';
import { HASH_SIZE, sha256, subtleCrypto } from './merkle';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, read
 * in the browser with WebCrypto, as the server's `@attest/transparency`
 * writes and reads them:
 *   verifier key    `<name>+<key id, 8 hex>+<base64(0x01 ‖ public key)>`
 *   signature line  `— <name> <base64(key id, 4 bytes ‖ signature)>`
 *   key id          the first 4 bytes (big-endian) of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)
 * and C2SP tlog-checkpoint bodies (origin, size, base64 root, extension lines).
 * Nothing throws: every function answers a value or the reason there is none
 * (the reasons are the server's `NoteError` messages).
 */
const ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Bytes;
  /** The verifier key in its text form. */
  readonly text: string;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the 4-byte key id (64 for Ed25519). */
  readonly signature: Bytes;
}

export interface OpenedNote {
  /** The signed text (ends with a newline). */
  readonly text: string;
  /** Names of the known keys whose signatures verified. */
  readonly verifiedBy: string[];
}

/** A C2SP tlog-checkpoint body. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Bytes;
  /** Lines after the root hash, if any (the server writes none). */
  readonly extensions: string[];
}

const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

function checkName(name: string): Check {
  return name.length === 0 || /[\s+]/u.test(name) ? failed(`invalid key name ${JSON.stringify(name)}: no spaces or plus signs`) : passed;
}

/** The key id of an Ed25519 key: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key), big-endian. */
export async function keyId(name: string, publicKey: Uint8Array): Promise<number> {
  const digest = await sha256(concatBytes(utf8(`${name}\n`), new Uint8Array([ED25519]), publicKey));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
}

/** Parses `name+id+key` (the base64 key may itself hold plus signs) and checks the id against the name and key. */
export async function parseVerifierKey(text: string): Promise<Result<NoteVerifier>> {
  const parts = text.trim().split('+');
  const [name, idText] = parts;
  const keyText = parts.length >= 3 ? parts.slice(2).join('+') : undefined;
  if (name === undefined || idText === undefined || keyText === undefined) return failed('malformed verifier key');
  const named = checkName(name);
  if (!named.ok) return named;
  if (!/^[0-9a-f]{8}$/u.test(idText)) return failed('malformed key id in verifier key');
  const raw = fromBase64(keyText);
  if (raw?.length !== 1 + HASH_SIZE || raw[0] !== ED25519) return failed('verifier key is not an Ed25519 key');
  const publicKey = raw.slice(1);
  const id = await keyId(name, publicKey);
  if (id !== Number.parseInt(idText, 16)) return failed('the verifier key id does not match its name and key');
  return { ok: true, value: { name, keyId: id, publicKey, text: `${name}+${hex8(id)}+${toBase64(raw)}` } };
}

const imported = new WeakMap<NoteVerifier, Promise<CryptoKey>>();

function cryptoKey(verifier: NoteVerifier): Promise<CryptoKey> {
  let key = imported.get(verifier);
  if (!key) {
    key = subtleCrypto().importKey('raw', copyBytes(verifier.publicKey), { name: 'Ed25519' }, false, ['verify']);
    imported.set(verifier, key);
  }
  return key;
}

/** Verifies an Ed25519 signature with WebCrypto; a 64-byte signature only, as the server. */
export async function verifySignature(verifier: NoteVerifier, message: Uint8Array, signature: Uint8Array): Promise<Check> {
  if (signature.length !== 64) return failed(`the signature of ${verifier.name} does not verify`);
  let key: CryptoKey;
  try {
    key = await cryptoKey(verifier);
  } catch (error) {
    imported.delete(verifier);
    return failed(`this browser cannot use the Ed25519 key of ${verifier.name} with WebCrypto (${errorText(error)})`);
  }
  try {
    const valid = await subtleCrypto().verify({ name: 'Ed25519' }, key, copyBytes(signature), copyBytes(message));
    return valid ? passed : failed(`the signature of ${verifier.name} does not verify`);
  } catch (error) {
    return failed(`the signature of ${verifier.name} could not be checked (${errorText(error)})`);
  }
}

/**
 * Splits a note into its text and signature lines, without checking any
 * signature. Trailing blank lines (a note saved with `jq -r .note > kept.note`)
 * are not part of the note, as on the server.
 */
export function splitNote(given: string): Result<{ readonly text: string; readonly signatures: NoteSignature[] }> {
  const note = given.replace(/\n(?:[ \t\r]*\n)+$/u, '\n');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return failed('malformed note: no signature block');
  const text = note.slice(0, split + 1);
  const signatures: NoteSignature[] = [];
  for (const line of note.slice(split + 2, -1).split('\n')) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return failed('malformed signature line');
    const [name, encoded, ...rest] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name === undefined || encoded === undefined || rest.length > 0) return failed('malformed signature line');
    const raw = fromBase64(encoded);
    if (raw === null || raw.length < 5) return failed('malformed signature');
    signatures.push({ name, keyId: new DataView(raw.buffer).getUint32(0, false), signature: raw.slice(4) });
  }
  return { ok: true, value: { text, signatures } };
}

/**
 * Checks a note's signatures against the known verifiers: at least one known
 * key signed it and every signature of a known key verifies; signatures of
 * unknown keys are ignored, as the format allows (and as the server does).
 */
export async function openNote(note: string, verifiers: readonly NoteVerifier[]): Promise<Result<OpenedNote>> {
  const split = splitNote(note);
  if (!split.ok) return split;
  const { text, signatures } = split.value;
  const message = utf8(text);
  const verifiedBy: string[] = [];
  for (const s of signatures) {
    const verifier = verifiers.find((v) => v.name === s.name && v.keyId === s.keyId);
    if (!verifier) continue;
    const checked = await verifySignature(verifier, message, s.signature);
    if (!checked.ok) return checked;
    verifiedBy.push(s.name);
  }
  if (verifiedBy.length === 0) return failed('no signature from a known key');
  return { ok: true, value: { text, verifiedBy } };
}

/**
 * Parses a checkpoint body: `origin\nsize\nbase64(root)\n` and optional
 * extension lines. The size is decimal without leading zeros; the root is 32
 * bytes in canonical base64. A size above 2^53 − 1 is refused here (the
 * server would read it imprecisely; it never writes one).
 */
export function parseCheckpoint(text: string): Result<Checkpoint> {
  const [origin, size, root, ...extensions] = text.split('\n');
  if (origin === undefined || size === undefined || root === undefined || extensions.at(-1) !== '') return failed('malformed checkpoint');
  if (!/^(0|[1-9][0-9]*)$/u.test(size) || !Number.isSafeInteger(Number(size))) return failed('malformed checkpoint size');
  const hash = fromCanonicalBase64(root);
  if (hash?.length !== HASH_SIZE) return failed('malformed checkpoint root');
  return { ok: true, value: { origin, size: Number(size), root: hash, extensions: extensions.slice(0, -1) } };
}

/** Opens a signed checkpoint note: signature first, then the body. */
export async function openCheckpoint(note: string, verifiers: readonly NoteVerifier[]): Promise<Result<Checkpoint & { readonly note: string }>> {
  const opened = await openNote(note, verifiers);
  if (!opened.ok) return opened;
  const checkpoint = parseCheckpoint(opened.value.text);
  if (!checkpoint.ok) return checkpoint;
  return { ok: true, value: { ...checkpoint.value, note } };
}

/** Whether two checkpoints name the same tree (same size and root). */
export function sameTree(a: Checkpoint, b: Checkpoint): boolean {
  return a.size === b.size && bytesEqual(a.root, b.root);
}
