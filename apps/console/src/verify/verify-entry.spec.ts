import { bodyOf, encodeRecord, type RecordDraft } from '@attest/processing-domain';
import * as server from '@attest/transparency';
import type { VerificationStep } from './steps';
import { verifyConsistencyBetween, verifyEntry, type EntryVerificationInput } from './verify-entry';

const ORIGIN_BASE = 'attest.test/processing-record';
const signer = server.parseSignerKey(server.generateSignerKey(ORIGIN_BASE));
const KEY = signer.verifier.text;

const draft = (tenantId: string, i: number): RecordDraft => ({
  tenantId,
  sourceId: `src-${i}`,
  kind: i % 3 === 0 ? 'read' : 'collect',
  categories: ['contact'],
  purpose: 'newsletter',
  method: 'api',
  measures: ['per-subject-encryption'],
  legalBasis: 'consent',
  actor: 'user:officer',
  subject: `psn_Zoë-张伟-${i % 4}`,
  at: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(),
  eventId: null,
  commandId: null,
  correlationId: 'c',
  channel: null,
  outcome: null,
  reasons: [],
  consents: i % 5 === 0 ? [`018f0000-0000-7000-8000-00000000000${i % 10}`] : [],
});

const b64 = (b: Buffer): string => b.toString('base64');

/** A tenant's log built with the server's own code, answering as the API does. */
function serverLog(tenantId: string, n: number, bodyAt: (i: number) => string = (i) => encodeRecord(bodyOf(draft(tenantId, i), i))) {
  const bodies = Array.from({ length: n }, (_, i) => bodyAt(i));
  const leaves = bodies.map((b) => server.leafHashOfText(b));
  const nodes = new Map<string, Buffer>();
  const tree = new server.TreeBuilder();
  for (const h of leaves) tree.push(h, (level, index, hash) => nodes.set(`${level}:${index}`, hash));
  const node = (ref: server.NodeRef): Buffer => nodes.get(`${ref.level}:${ref.index}`) ?? Buffer.alloc(0);
  const origin = `${ORIGIN_BASE}/${tenantId}`;
  return {
    origin,
    bodies,
    root: (size: number) => server.rootOf(leaves.slice(0, size)),
    checkpoint: (size: number, over: Partial<server.Checkpoint> = {}) =>
      server.signNote(server.formatCheckpoint({ origin, size, root: server.rootOf(leaves.slice(0, size)), ...over }), signer),
    entry: (index: number) => ({ index, leafHash: b64(leaves[index] ?? Buffer.alloc(0)), body: bodies[index] ?? null }),
    inclusion: (index: number, size: number) => ({
      index,
      size,
      leafHash: b64(leaves[index] ?? Buffer.alloc(0)),
      proof: server.hashRanges(server.inclusionRanges(index, size), node).map(b64),
    }),
    consistency: (from: number, to: number) => ({ from, to, proof: server.hashRanges(server.consistencyRanges(from, to), node).map(b64) }),
  };
}

const ENTRY_STEPS = [
  'verifier-key',
  'checkpoint-signature',
  'checkpoint-body',
  'checkpoint-origin',
  'leaf-hash',
  'record-body',
  'proof-for-entry',
  'proof-size',
  'inclusion-proof',
];
const CONSISTENCY_STEPS = [
  'verifier-key',
  'checkpoint-signature',
  'checkpoint-signature',
  'checkpoint-body',
  'checkpoint-body',
  'checkpoint-origin',
  'proof-sizes',
  'consistency-proof',
];

const failing = (steps: readonly VerificationStep[]): string[] => steps.filter((s) => !s.ok).map((s) => s.step);

/** Changes one character to another of the same kind (a base64 letter stays one, so the text still parses). */
function tamper(text: string, at: number): string {
  const c = text.charAt(at);
  const swap = c === 'A' ? 'B' : /[A-Za-z0-9+/]/u.test(c) ? 'A' : c === '\n' ? ' ' : c === 'x' ? 'y' : 'x';
  return `${text.slice(0, at)}${swap}${text.slice(at + 1)}`;
}

/** A base64 hash with one bit flipped. */
const flip = (hash: string, bitIndex: number): string => {
  const b = Buffer.from(hash, 'base64');
  const at = Math.floor(bitIndex / 8) % b.length;
  b.writeUInt8((b[at] ?? 0) ^ (1 << (bitIndex % 8)), at);
  return b.toString('base64');
};

describe('verifyEntry: one processing-record entry, step by step, in the browser', () => {
  const tenantId = 't-entry';
  const log = serverLog(tenantId, 45);
  const input = (index: number, size = 45, over: Partial<EntryVerificationInput> = {}): EntryVerificationInput => ({
    entry: log.entry(index),
    proof: log.inclusion(index, size),
    checkpoint: log.checkpoint(size),
    verifierKey: KEY,
    origin: log.origin,
    tenantId,
    ...over,
  });

  it('verifies entries the server proves, for every index of several tree sizes, and reports every step', async () => {
    for (const size of [1, 2, 7, 32, 45]) {
      for (let index = 0; index < size; index++) {
        const result = await verifyEntry(input(index, size));
        expect(result.steps.map((s) => s.step)).toEqual(ENTRY_STEPS);
        expect(failing(result.steps)).toEqual([]);
        expect(result.ok).toBe(true);
      }
    }
    const one = await verifyEntry(input(17));
    expect(one.steps.find((s) => s.step === 'leaf-hash')?.detail).toContain(log.entry(17).leafHash);
    expect(one.steps.find((s) => s.step === 'inclusion-proof')?.detail).toContain(b64(log.root(45)));
  });

  it('fails exactly the leaf-hash and inclusion steps for any changed byte of the body (and record-body when it is no longer canonical)', async () => {
    const base = input(12);
    const body = base.entry.body ?? '';
    for (let at = 0; at < body.length; at++) {
      const changed = tamper(body, at);
      if (changed === body) continue;
      const result = await verifyEntry({ ...base, entry: { ...base.entry, body: changed } });
      expect(result.steps.map((s) => s.step)).toEqual(ENTRY_STEPS);
      const failed = failing(result.steps);
      expect(failed.filter((s) => s !== 'record-body')).toEqual(['leaf-hash', 'inclusion-proof']);
      expect(result.ok).toBe(false);
    }
    // Still canonical, another purpose: the record reads, the hashes do not match.
    const reworded = await verifyEntry({ ...base, entry: { ...base.entry, body: body.replace('"purpose":"newsletter"', '"purpose":"marketing"') } });
    expect(failing(reworded.steps)).toEqual(['leaf-hash', 'inclusion-proof']);
    const spaced = await verifyEntry({ ...base, entry: { ...base.entry, body: body.replace('"actor":', '"actor": ') } });
    expect(failing(spaced.steps)).toEqual(['leaf-hash', 'record-body', 'inclusion-proof']);
  });

  it('fails the inclusion step alone for a flipped bit in any proof hash, a missing or an extra hash', async () => {
    const base = input(21);
    const proof = base.proof.proof;
    expect(proof.length).toBeGreaterThan(4);
    for (const [k] of proof.entries()) {
      for (const bit of [0, 77, 255]) {
        const result = await verifyEntry({ ...base, proof: { ...base.proof, proof: proof.map((p, j) => (j === k ? flip(p, bit) : p)) } });
        expect(failing(result.steps)).toEqual(['inclusion-proof']);
      }
    }
    expect(failing((await verifyEntry({ ...base, proof: { ...base.proof, proof: proof.slice(1) } })).steps)).toEqual(['inclusion-proof']);
    expect(failing((await verifyEntry({ ...base, proof: { ...base.proof, proof: [...proof, proof[0] ?? ''] } })).steps)).toEqual(['inclusion-proof']);
    expect(failing((await verifyEntry({ ...base, proof: { ...base.proof, proof: [...proof.slice(1), '*not base64*'] } })).steps)).toEqual(['inclusion-proof']);
  });

  it('a changed stored leaf hash: leaf-hash and proof-for-entry fail; the proof, checked with the hash of the body, still holds', async () => {
    const base = input(5);
    const result = await verifyEntry({ ...base, entry: { ...base.entry, leafHash: flip(base.entry.leafHash, 9) } });
    expect(failing(result.steps)).toEqual(['leaf-hash', 'proof-for-entry']);
    expect(failing((await verifyEntry({ ...base, entry: { ...base.entry, leafHash: 'not base64!' } })).steps)).toEqual(['leaf-hash', 'proof-for-entry']);
  });

  it('checks the checkpoint: any changed character of the note fails its signature (as the server decides), a re-signed wrong root fails the proof', async () => {
    const base = input(30);
    const note = base.checkpoint;
    const serverVerifier = server.parseVerifierKey(KEY);
    for (let at = 0; at < note.length; at++) {
      const changed = tamper(note, at);
      if (changed === note) continue;
      const result = await verifyEntry({ ...base, checkpoint: changed });
      expect(result.steps.map((s) => s.step)).toEqual(ENTRY_STEPS);
      let serverAccepts = true;
      try {
        server.openCheckpoint(changed, [serverVerifier]);
      } catch {
        serverAccepts = false;
      }
      const failed = failing(result.steps);
      expect(failed.includes('checkpoint-signature')).toBe(!serverAccepts);
      if (serverAccepts) expect(failed).toEqual([]);
    }
    expect(failing((await verifyEntry({ ...base, checkpoint: log.checkpoint(45, { root: Buffer.alloc(32, 9) }) })).steps)).toEqual(['inclusion-proof']);
    const bodyRoot = b64(log.root(45));
    expect(failing((await verifyEntry({ ...base, checkpoint: note.replace(bodyRoot, flip(bodyRoot, 100)) })).steps)).toEqual([
      'checkpoint-signature',
      'inclusion-proof',
    ]);
  });

  it('checks the origin and the size the checkpoint signs', async () => {
    const base = input(8);
    expect(failing((await verifyEntry({ ...base, origin: `${ORIGIN_BASE}/someone-else` })).steps)).toEqual(['checkpoint-origin']);
    const otherLog = log.checkpoint(45, { origin: `${ORIGIN_BASE}/someone-else` });
    expect(failing((await verifyEntry({ ...base, checkpoint: otherLog })).steps)).toEqual(['checkpoint-origin']);
    expect(failing((await verifyEntry({ ...base, checkpoint: base.checkpoint.replace(log.origin, `${ORIGIN_BASE}/t-entrx`) })).steps)).toEqual([
      'checkpoint-signature',
      'checkpoint-origin',
    ]);
    // The note says another size without being re-signed; then a real checkpoint of another size.
    // (For entry 8 the proof's path is the same in a tree of 44 and of 45, so only the signature and the size step can tell;
    // for the last entry the size matters to the proof too.)
    expect(failing((await verifyEntry({ ...base, checkpoint: base.checkpoint.replace('\n45\n', '\n44\n') })).steps)).toEqual([
      'checkpoint-signature',
      'proof-size',
    ]);
    const last = input(44);
    expect(failing((await verifyEntry({ ...last, checkpoint: last.checkpoint.replace('\n45\n', '\n44\n') })).steps)).toEqual([
      'checkpoint-signature',
      'proof-size',
      'inclusion-proof',
    ]);
    expect(failing((await verifyEntry({ ...base, checkpoint: log.checkpoint(40) })).steps)).toEqual(['proof-size', 'inclusion-proof']);
    expect(failing((await verifyEntry({ ...base, proof: { ...base.proof, size: 44 } })).steps)).toEqual(['proof-size']);
  });

  it('checks the key: a foreign key, a changed key id or key byte', async () => {
    const base = input(3);
    const foreign = server.parseSignerKey(server.generateSignerKey(ORIGIN_BASE)).verifier.text;
    expect(failing((await verifyEntry({ ...base, verifierKey: foreign })).steps)).toEqual(['checkpoint-signature']);
    const [name = '', id = '', ...rest] = KEY.split('+');
    const changedId = `${name}+${(Number.parseInt(id, 16) ^ 0x10).toString(16).padStart(8, '0')}+${rest.join('+')}`;
    expect(failing((await verifyEntry({ ...base, verifierKey: changedId })).steps)).toEqual(['verifier-key', 'checkpoint-signature']);
    const raw = rest.join('+');
    for (const at of [4, 20, 40]) {
      const changedKey = `${name}+${id}+${tamper(raw, at)}`;
      const result = await verifyEntry({ ...base, verifierKey: changedKey });
      expect(failing(result.steps)).toEqual(['verifier-key', 'checkpoint-signature']);
      expect(result.steps[0]?.detail).toBe('the verifier key id does not match its name and key');
    }
    expect(failing((await verifyEntry({ ...base, verifierKey: 'garbage' })).steps)).toEqual(['verifier-key', 'checkpoint-signature']);
  });

  it('checks the record: another tenant, a moved entry, a proof for another entry', async () => {
    const base = input(9);
    expect(failing((await verifyEntry({ ...base, tenantId: 't-other' })).steps)).toEqual(['record-body']);
    const withoutTenant = await verifyEntry({ ...input(9), tenantId: undefined });
    expect(withoutTenant.ok).toBe(true);
    expect(withoutTenant.steps.find((s) => s.step === 'record-body')?.detail).toContain('tenant not compared');
    // Entry 9's body and hash presented as entry 10 with entry 10's proof.
    const moved = await verifyEntry({ ...base, entry: { ...base.entry, index: 10 }, proof: log.inclusion(10, 45) });
    expect(failing(moved.steps)).toEqual(['record-body', 'proof-for-entry', 'inclusion-proof']);
    expect(failing((await verifyEntry({ ...base, proof: log.inclusion(10, 45) })).steps)).toEqual(['proof-for-entry', 'inclusion-proof']);
  });

  it('a purged entry stands for its stored leaf hash, which must still be proven', async () => {
    const base = input(14);
    const purged = await verifyEntry({ ...base, entry: { ...base.entry, body: null } });
    expect(purged.ok).toBe(true);
    expect(purged.steps.find((s) => s.step === 'leaf-hash')?.detail).toContain('purged');
    const changed = flip(base.entry.leafHash, 1);
    expect(failing((await verifyEntry({ ...base, entry: { index: 14, leafHash: changed, body: null } })).steps)).toEqual([
      'proof-for-entry',
      'inclusion-proof',
    ]);
    expect(failing((await verifyEntry({ ...base, entry: { index: 14, leafHash: 'AAAA', body: null } })).steps)).toEqual([
      'leaf-hash',
      'proof-for-entry',
      'inclusion-proof',
    ]);
  });

  it('reports every step even when nothing reads', async () => {
    const result = await verifyEntry({ ...input(0), checkpoint: 'not a note', verifierKey: '' });
    expect(result.steps.map((s) => s.step)).toEqual(ENTRY_STEPS);
    expect(failing(result.steps)).toEqual(['verifier-key', 'checkpoint-signature', 'checkpoint-body', 'checkpoint-origin', 'proof-size', 'inclusion-proof']);
    expect(result.steps.find((s) => s.step === 'inclusion-proof')?.detail).toMatch(/^not checked/u);
  });
});

describe('verifyConsistencyBetween: a newer signed checkpoint extends an older one', () => {
  const log = serverLog('t-consistency', 70);

  it('accepts the server’s proofs between signed checkpoints of many sizes', async () => {
    for (const [from, to] of [
      [1, 1],
      [1, 70],
      [7, 8],
      [16, 33],
      [32, 64],
      [45, 70],
      [70, 70],
    ] as const) {
      const result = await verifyConsistencyBetween(log.checkpoint(from), log.checkpoint(to), log.consistency(from, to), KEY, log.origin);
      expect(result.steps.map((s) => s.step)).toEqual(CONSISTENCY_STEPS);
      expect(failing(result.steps)).toEqual([]);
    }
  });

  it('refuses a changed proof hash, swapped checkpoints, another origin, a bad signature, and a rewritten log', async () => {
    const [older, newer, proof] = [log.checkpoint(20), log.checkpoint(50), log.consistency(20, 50)];
    for (const [k] of proof.proof.entries()) {
      const changed = { ...proof, proof: proof.proof.map((p, j) => (j === k ? flip(p, 13) : p)) };
      expect(failing((await verifyConsistencyBetween(older, newer, changed, KEY, log.origin)).steps)).toEqual(['consistency-proof']);
    }
    expect(failing((await verifyConsistencyBetween(newer, older, proof, KEY, log.origin)).steps)).toEqual(['proof-sizes', 'consistency-proof']);
    expect(failing((await verifyConsistencyBetween(older, newer, { ...proof, from: 21 }, KEY)).steps)).toEqual(['proof-sizes']);
    expect(failing((await verifyConsistencyBetween(older, newer, proof, KEY, `${ORIGIN_BASE}/x`)).steps)).toEqual(['checkpoint-origin']);
    const otherOrigin = log.checkpoint(50, { origin: `${ORIGIN_BASE}/x` });
    expect(failing((await verifyConsistencyBetween(older, otherOrigin, proof, KEY)).steps)).toEqual(['checkpoint-origin']);
    const result = await verifyConsistencyBetween(tamper(older, 3), newer, proof, KEY, log.origin);
    expect(failing(result.steps)).toEqual(['checkpoint-signature', 'checkpoint-origin']);
    expect(result.steps.find((s) => !s.ok)?.subject).toBe('older checkpoint');
    // The log was rewritten at entry 10 and re-signed: its checkpoint of 50 does not extend the one of 20 kept before.
    const rewritten = serverLog('t-consistency', 70, (i) => encodeRecord(bodyOf(draft('t-consistency', i === 10 ? 11 : i), i)));
    const forged = await verifyConsistencyBetween(older, rewritten.checkpoint(50), rewritten.consistency(20, 50), KEY, log.origin);
    expect(failing(forged.steps)).toEqual(['consistency-proof']);
    expect(forged.steps.at(-1)?.detail).toContain('does not lead to the first root');
  });
});
