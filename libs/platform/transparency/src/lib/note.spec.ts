import {
  formatCheckpoint,
  generateSignerKey,
  NoteError,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../index';

// The published example of golang.org/x/mod/sumdb/note (C2SP signed-note), as a known answer.
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIGNED = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('C2SP signed notes', () => {
  it('reads the reference keys and reproduces the reference signature (Ed25519 is deterministic)', () => {
    const verifier = parseVerifierKey(VKEY);
    expect(verifier.keyId.toString(16)).toBe('c74f20a3');
    const signer = parseSignerKey(SKEY);
    expect(signer.verifier.text).toBe(VKEY);
    expect(signNote(TEXT, signer)).toBe(SIGNED);
    expect(openNote(SIGNED, [verifier])).toEqual({ text: TEXT, verifiedBy: ['PeterNeumann'] });
  });

  it('refuses a changed text, a foreign key and a malformed key', () => {
    const verifier = parseVerifierKey(VKEY);
    expect(() => openNote(SIGNED.replace('cryptography', 'cryptograph'), [verifier])).toThrow(NoteError);
    const other = parseSignerKey(generateSignerKey('attest.test/other'));
    expect(() => openNote(SIGNED, [other.verifier])).toThrow('no signature from a known key');
    expect(() => parseVerifierKey(VKEY.replace('c74f20a3', 'c74f20a4'))).toThrow(NoteError);
  });

  it('signs and opens a checkpoint with a generated key', () => {
    const signer = parseSignerKey(generateSignerKey('attest.test/log'));
    const body = formatCheckpoint({ origin: 'attest.test/processing/t-1', size: 42, root: Buffer.alloc(32, 7) });
    expect(body).toBe(`attest.test/processing/t-1\n42\n${Buffer.alloc(32, 7).toString('base64')}\n`);
    const note = signNote(body, signer);
    const opened = openCheckpoint(note, [parseVerifierKey(signer.verifier.text)]);
    expect(opened.size).toBe(42);
    expect(opened.root).toEqual(Buffer.alloc(32, 7));
    expect(() => parseCheckpoint('o\n01\nAAAA\n')).toThrow(NoteError);
  });

  it('opens a note saved with trailing blank lines (as `jq -r .note > kept.note` writes it); the signed text is unchanged', () => {
    const verifier = parseVerifierKey(VKEY);
    for (const saved of [`${SIGNED}\n`, `${SIGNED}\n\n`, `${SIGNED}\r\n`])
      expect(openNote(saved, [verifier])).toEqual({ text: TEXT, verifiedBy: ['PeterNeumann'] });
    // Anything else after the signatures is still refused, and so is a note with no newline at the end.
    expect(() => openNote(`${SIGNED}\nextra\n`, [verifier])).toThrow(NoteError);
    expect(() => openNote(SIGNED.slice(0, -1), [verifier])).toThrow(NoteError);
  });
});
