import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and
 * the key encodings the Go `sumdb/note` package and its ports read:
 *   verifier key  `<name>+<key id, 8 hex>+<base64(0x01 ‖ public key)>`
 *   signer key    `PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x01 ‖ seed)>`
 * A signature line is `— <name> <base64(key id, 4 bytes ‖ signature)>`.
 */
const ED25519 = 0x01;
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SIGNATURE_PREFIX = '\u2014 ';

export class NoteError extends Error {
  override readonly name = 'NoteError';
}

function checkName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}: no spaces or plus signs`);
}

export function keyId(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name)
    .update('\n')
    .update(Buffer.from([ED25519]))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Buffer;
  /** The verifier key in its text form. */
  readonly text: string;
  verify(message: Buffer, signature: Buffer): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly verifier: NoteVerifier;
  sign(message: Buffer): Buffer;
}

function makeVerifier(name: string, publicKey: Buffer): NoteVerifier {
  const key: KeyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  const id = keyId(name, publicKey);
  return {
    name,
    keyId: id,
    publicKey,
    text: `${name}+${hex8(id)}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString('base64')}`,
    verify: (message, signature) => signature.length === 64 && verify(null, message, key, signature),
  };
}

/** `name+id+key`; the base64 key may itself contain plus signs. */
function parseKey(parts: readonly string[], what: string): { name: string; id: number; key: Buffer } {
  const [name, idText] = parts;
  const keyText = parts.length >= 3 ? parts.slice(2).join('+') : undefined;
  if (name === undefined || idText === undefined || keyText === undefined) throw new NoteError(`malformed ${what}`);
  checkName(name);
  if (!/^[0-9a-f]{8}$/u.test(idText)) throw new NoteError(`malformed key id in ${what}`);
  const raw = Buffer.from(keyText, 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519) throw new NoteError(`${what} is not an Ed25519 key`);
  return { name, id: Number.parseInt(idText, 16), key: raw.subarray(1) };
}

export function parseVerifierKey(text: string): NoteVerifier {
  const { name, id, key } = parseKey(text.trim().split('+'), 'verifier key');
  const verifier = makeVerifier(name, key);
  if (verifier.keyId !== id) throw new NoteError('the verifier key id does not match its name and key');
  return verifier;
}

export function parseSignerKey(text: string): NoteSigner {
  const parts = text.trim().split('+');
  if (parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new NoteError('a signer key starts with PRIVATE+KEY+');
  const { name, id, key: seed } = parseKey(parts.slice(2), 'signer key');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const verifier = makeVerifier(name, Buffer.from(publicKey));
  if (verifier.keyId !== id) throw new NoteError('the signer key id does not match its name and key');
  return { name, keyId: id, verifier, sign: (message) => sign(null, message, privateKey) };
}

/** A new Ed25519 signer key for `name`, in the `PRIVATE+KEY+…` text form. */
export function generateSignerKey(name: string): string {
  checkName(name);
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return `PRIVATE+KEY+${name}+${hex8(keyId(name, publicKey))}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}`;
}

/** Signs `text` (which must end with a newline) into a note. */
export function signNote(text: string, signer: NoteSigner): string {
  if (!text.endsWith('\n') || text.includes('\n\n')) throw new NoteError('note text must end with a newline and hold no blank line');
  const signature = signer.sign(Buffer.from(text, 'utf8'));
  const id = Buffer.alloc(4);
  id.writeUInt32BE(signer.keyId);
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

export interface OpenedNote {
  readonly text: string;
  /** Names of the known keys whose signatures verified. */
  readonly verifiedBy: string[];
}

/**
 * Checks a note's signatures against the known verifiers. Throws unless at
 * least one known key signed it and every signature of a known key verifies;
 * signatures of unknown keys are ignored, as the format allows.
 */
export function openNote(given: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  // A note saved by a tool that adds a final newline (`jq -r .note > kept.note`) ends in blank
  // lines: they are not part of the note, and the signed text before them is unchanged.
  const note = given.replace(/\n(?:[ \t\r]*\n)+$/u, '\n');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('malformed note: no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const verifiedBy: string[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteError('malformed signature line');
    const [name, encoded, ...rest] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name === undefined || encoded === undefined || rest.length > 0) throw new NoteError('malformed signature line');
    const raw = Buffer.from(encoded, 'base64');
    if (raw.length < 5) throw new NoteError('malformed signature');
    const id = raw.readUInt32BE(0);
    const verifier = verifiers.find((v) => v.name === name && v.keyId === id);
    if (!verifier) continue;
    if (!verifier.verify(Buffer.from(text, 'utf8'), raw.subarray(4))) throw new NoteError(`the signature of ${name} does not verify`);
    verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) throw new NoteError('no signature from a known key');
  return { text, verifiedBy };
}

/** A C2SP tlog-checkpoint body: origin, tree size, root hash. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  if (checkpoint.origin.length === 0 || checkpoint.origin.includes('\n')) throw new NoteError('invalid origin');
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\n`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const [origin, size, root, ...extensions] = text.split('\n');
  if (origin === undefined || size === undefined || root === undefined || extensions.at(-1) !== '') throw new NoteError('malformed checkpoint');
  if (!/^(0|[1-9][0-9]*)$/u.test(size)) throw new NoteError('malformed checkpoint size');
  const hash = Buffer.from(root, 'base64');
  if (hash.length !== 32 || hash.toString('base64') !== root) throw new NoteError('malformed checkpoint root');
  return { origin, size: Number(size), root: hash };
}

/** Opens a signed checkpoint note: signature first, then the body. */
export function openCheckpoint(note: string, verifiers: readonly NoteVerifier[]): Checkpoint & { readonly note: string } {
  const { text } = openNote(note, verifiers);
  return { ...parseCheckpoint(text), note };
}
