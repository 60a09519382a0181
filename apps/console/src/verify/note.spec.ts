import { randomBytes } from 'node:crypto';
import * as server from '@attest/transparency';
import { toBase64 } from './bytes';
import { keyId, openCheckpoint, openNote, parseCheckpoint, parseVerifierKey, splitNote, verifySignature, type NoteVerifier } from './note';

// The published example of golang.org/x/mod/sumdb/note (C2SP signed-note), as a known answer.
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIGNED = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

async function key(text: string): Promise<NoteVerifier> {
  const parsed = await parseVerifierKey(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

/** The server's answer: the value, or its NoteError message. */
function serverSays<T>(run: () => T): { ok: true; value: T } | { ok: false; reason: string } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (error instanceof server.NoteError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Replaces the character at `at` with another one of the same kind (a base64 letter stays a base64 letter). */
function tamper(text: string, at: number): string {
  const c = text.charAt(at);
  const swap = c === 'A' ? 'B' : /[A-Za-z0-9+/]/u.test(c) ? 'A' : c === '\n' ? ' ' : 'x';
  return `${text.slice(0, at)}${swap}${text.slice(at + 1)}`;
}

describe('browser signed notes and checkpoints (WebCrypto Ed25519)', () => {
  it('reads the reference key and verifies the reference note', async () => {
    const verifier = await key(VKEY);
    expect(verifier.keyId.toString(16)).toBe('c74f20a3');
    expect(verifier.text).toBe(VKEY);
    expect(await openNote(SIGNED, [verifier])).toEqual({ ok: true, value: { text: TEXT, verifiedBy: ['PeterNeumann'] } });
    expect(await openNote(SIGNED.replace('cryptography', 'cryptograph'), [verifier])).toEqual({
      ok: false,
      reason: 'the signature of PeterNeumann does not verify',
    });
  });

  it('computes key ids and reads verifier keys as the server does', async () => {
    for (let i = 0; i < 10; i++) {
      const name = `attest.test/log-${i}-${randomBytes(3).toString('hex')}`;
      const signer = server.parseSignerKey(server.generateSignerKey(name));
      expect(await keyId(name, signer.verifier.publicKey)).toBe(signer.keyId);
      const mine = await key(signer.verifier.text);
      expect(mine.text).toBe(signer.verifier.text);
      expect(mine.keyId).toBe(signer.keyId);
      expect(Buffer.from(mine.publicKey)).toEqual(signer.verifier.publicKey);
    }
    const good = server.parseSignerKey(server.generateSignerKey('attest.test/keys')).verifier.text;
    const [name = '', id = '', ...rest] = good.split('+');
    const encoded = rest.join('+');
    const malformed = [
      '',
      'justaname',
      `${name}+${id}`,
      `${name}+${id.toUpperCase()}+${encoded}`,
      `${name}+${id.slice(1)}+${encoded}`,
      `${name}+${(Number.parseInt(id, 16) ^ 1).toString(16).padStart(8, '0')}+${encoded}`,
      `${name} x+${id}+${encoded}`,
      `+${id}+${encoded}`,
      `${name}+${id}+${toBase64(Buffer.concat([Buffer.from([2]), Buffer.from(encoded, 'base64').subarray(1)]))}`,
      `${name}+${id}+${encoded.slice(0, -4)}`,
      `${name}+${id}+${tamper(encoded, 10)}`,
      `  ${good}\n`,
    ];
    for (const text of malformed) {
      const theirs = serverSays(() => server.parseVerifierKey(text).text);
      const mine = await parseVerifierKey(text);
      expect({ text, ok: mine.ok, reason: mine.ok ? null : mine.reason }).toEqual({ text, ok: theirs.ok, reason: theirs.ok ? null : theirs.reason });
    }
  });

  it('opens checkpoints the server signs; refuses every tampered byte of body or signature, a foreign key, and a key with another name', async () => {
    const signer = server.parseSignerKey(server.generateSignerKey('attest.test/processing-record'));
    const verifier = await key(signer.verifier.text);
    const root = randomBytes(32);
    const body = server.formatCheckpoint({ origin: 'attest.test/processing-record/t-1', size: 1234, root });
    const note = server.signNote(body, signer);
    const opened = await openCheckpoint(note, [verifier]);
    expect(opened).toEqual({ ok: true, value: { origin: 'attest.test/processing-record/t-1', size: 1234, root: new Uint8Array(root), extensions: [], note } });
    // Every character of the note, changed: the server and the browser agree on accept/refuse and on the reason.
    const serverVerifier = server.parseVerifierKey(signer.verifier.text);
    let refused = 0;
    for (let at = 0; at < note.length; at++) {
      const changed = tamper(note, at);
      if (changed === note) continue;
      const theirs = serverSays(() => server.openCheckpoint(changed, [serverVerifier]).size);
      const mine = await openCheckpoint(changed, [verifier]);
      expect({ at, ok: mine.ok, reason: mine.ok ? null : mine.reason }).toEqual({ at, ok: theirs.ok, reason: theirs.ok ? null : theirs.reason });
      if (!mine.ok) refused += 1;
    }
    // Everything but the signature line's leading dash/space boundary changes is refused.
    expect(refused).toBeGreaterThan(note.length - 5);
    const other = await key(server.parseSignerKey(server.generateSignerKey('attest.test/processing-record')).verifier.text);
    expect(await openCheckpoint(note, [other])).toEqual({ ok: false, reason: 'no signature from a known key' });
    const renamed = await key(server.parseSignerKey(server.generateSignerKey('attest.test/other')).verifier.text);
    expect(await openNote(note, [renamed])).toEqual({ ok: false, reason: 'no signature from a known key' });
  });

  it('ignores signatures of unknown keys, needs every known one to verify, and reads notes saved with trailing blank lines', async () => {
    const a = server.parseSignerKey(server.generateSignerKey('attest.test/a'));
    const b = server.parseSignerKey(server.generateSignerKey('attest.test/b'));
    const body = 'attest.test/log\n5\n' + randomBytes(32).toString('base64') + '\n';
    const byA = server.signNote(body, a);
    const byB = server.signNote(body, b);
    const both = `${byA}${byB.slice(byB.lastIndexOf('\u2014'))}`;
    const [va, vb] = [await key(a.verifier.text), await key(b.verifier.text)];
    expect(await openNote(both, [va])).toEqual({ ok: true, value: { text: body, verifiedBy: ['attest.test/a'] } });
    expect(await openNote(both, [va, vb])).toEqual({ ok: true, value: { text: body, verifiedBy: ['attest.test/a', 'attest.test/b'] } });
    const badB = both.replace(/(\u2014 attest\.test\/b \S{10})\S/u, (_, head: string) => `${head}${both.includes(`${head}A`) ? 'B' : 'A'}`);
    expect(await openNote(badB, [va])).toEqual({ ok: true, value: { text: body, verifiedBy: ['attest.test/a'] } });
    expect(await openNote(badB, [va, vb])).toEqual({ ok: false, reason: 'the signature of attest.test/b does not verify' });
    for (const saved of [`${byA}\n`, `${byA}\n\n`, `${byA}\r\n`]) expect((await openNote(saved, [va])).ok).toBe(true);
    expect(await openNote(`${byA}\nextra\n`, [va])).toEqual({ ok: false, reason: 'malformed signature line' });
    expect(await openNote(byA.slice(0, -1), [va])).toEqual({ ok: false, reason: 'malformed note: no signature block' });
    expect(splitNote(byA)).toEqual({ ok: true, value: { text: body, signatures: [expect.objectContaining({ name: 'attest.test/a', keyId: a.keyId })] } });
  });

  it('parses checkpoint bodies as the server does, extension lines included', () => {
    const root = randomBytes(32).toString('base64');
    const bodies = [
      `o\n0\n${root}\n`,
      `o\n42\n${root}\n`,
      `o\n42\n${root}\next one\next two\n`,
      `\n42\n${root}\n`,
      `o\n042\n${root}\n`,
      `o\n-1\n${root}\n`,
      `o\n4 2\n${root}\n`,
      `o\n42\n${root}`,
      `o\n42\n`,
      `o\n42\n${root.slice(0, -4)}\n`,
      `o\n42\n${root.replace('=', '')}\n`,
      `o\n42\nAAAA\n`,
      'o\n01\nAAAA\n',
      '',
    ];
    for (const text of bodies) {
      const theirs = serverSays(() => server.parseCheckpoint(text));
      const mine = parseCheckpoint(text);
      expect({ text, ok: mine.ok, reason: mine.ok ? null : mine.reason }).toEqual({ text, ok: theirs.ok, reason: theirs.ok ? null : theirs.reason });
      if (mine.ok && theirs.ok) {
        expect(mine.value.origin).toBe(theirs.value.origin);
        expect(mine.value.size).toBe(theirs.value.size);
        expect(Buffer.from(mine.value.root)).toEqual(theirs.value.root);
      }
    }
    const extended = parseCheckpoint(`o\n42\n${root}\next one\next two\n`);
    expect(extended.ok && extended.value.extensions).toEqual(['ext one', 'ext two']);
    // Beyond 2^53 − 1 the browser refuses (the server would round it).
    expect(parseCheckpoint(`o\n9007199254740993\n${root}\n`)).toEqual({ ok: false, reason: 'malformed checkpoint size' });
  });

  it('verifies raw Ed25519 signatures with WebCrypto and refuses a wrong length', async () => {
    const signer = server.parseSignerKey(server.generateSignerKey('attest.test/raw'));
    const verifier = await key(signer.verifier.text);
    const message = Buffer.from('hello\n');
    const signature = signer.sign(message);
    expect(await verifySignature(verifier, message, signature)).toEqual({ ok: true });
    expect((await verifySignature(verifier, Buffer.from('hellO\n'), signature)).ok).toBe(false);
    expect((await verifySignature(verifier, message, signature.subarray(1))).ok).toBe(false);
    expect((await verifySignature(verifier, message, Buffer.concat([signature, Buffer.from([0])]))).ok).toBe(false);
  });
});
