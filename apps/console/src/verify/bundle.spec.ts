import * as application from '@attest/processing-application';
import { bodyOf, encodeRecord, type RecordDraft } from '@attest/processing-domain';
import * as server from '@attest/transparency';
import { parseBundle, reportText, verifyBundle, type BundleVerification } from './bundle';

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
  subject: `psn_subject${i % 4}`,
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

/** A bundle as the specs change it (the same shape as the server's and the browser's `RecordBundle`, writable). */
interface Bundle {
  format: 'attest-processing-record-bundle/v1';
  tenantId: string;
  origin: string;
  verifierKey: string;
  exportedAt: string;
  checkpoints: string[];
  complete: boolean;
  entries: { index: number; leafHash: string; body: string | null; proof?: string[] }[];
  consistency: { from: number; to: number; proof: string[] }[];
}

/** A tenant's log with the server's code, and its bundles as `buildBundle` (libs/processing/infrastructure) cuts them. */
function serverLog(tenantId: string, n: number, options: { bodyAt?: (i: number) => string; signer?: server.NoteSigner } = {}) {
  const bodyAt = options.bodyAt ?? ((i: number) => encodeRecord(bodyOf(draft(tenantId, i), i)));
  const sign = options.signer ?? signer;
  const bodies = Array.from({ length: n }, (_, i) => bodyAt(i));
  const leaves = bodies.map((b) => server.leafHashOfText(b));
  const nodes = new Map<string, Buffer>();
  const tree = new server.TreeBuilder();
  for (const h of leaves) tree.push(h, (level, index, hash) => nodes.set(`${level}:${index}`, hash));
  const node = (ref: server.NodeRef): Buffer => nodes.get(`${ref.level}:${ref.index}`) ?? Buffer.alloc(0);
  const origin = `${ORIGIN_BASE}/${tenantId}`;
  const checkpoint = (size: number): string => server.signNote(server.formatCheckpoint({ origin, size, root: server.rootOf(leaves.slice(0, size)) }), sign);
  const base = {
    format: 'attest-processing-record-bundle/v1' as const,
    tenantId,
    origin,
    verifierKey: sign.verifier.text,
    exportedAt: '2026-12-04T00:00:00.000Z',
  };
  return {
    origin,
    checkpoint,
    complete: (sizes: readonly number[]): Bundle => ({
      ...base,
      checkpoints: sizes.map(checkpoint),
      complete: true,
      entries: bodies.slice(0, Math.max(0, ...sizes)).map((body, index) => ({ index, leafHash: b64(leaves[index] ?? Buffer.alloc(0)), body })),
      consistency: [],
    }),
    selection: (sizes: readonly number[], indices: readonly number[]): Bundle => {
      const final = Math.max(...sizes);
      return {
        ...base,
        checkpoints: sizes.map(checkpoint),
        complete: false,
        entries: indices.map((index) => ({
          index,
          leafHash: b64(leaves[index] ?? Buffer.alloc(0)),
          body: bodies[index] ?? null,
          proof: server.hashRanges(server.inclusionRanges(index, final), node).map(b64),
        })),
        consistency: sizes
          .filter((s) => s < final)
          .map((from) => ({ from, to: final, proof: server.hashRanges(server.consistencyRanges(from, final), node).map(b64) })),
      };
    },
  };
}

const copy = (b: Bundle): Bundle => structuredClone(b);

/** The browser's verification and the CLI's (`verifyBundle` of @attest/processing-application) of the same bundle must agree. */
async function bothAgree(bundle: Bundle, options: { key?: string; trusted?: string[] } = {}): Promise<BundleVerification> {
  const key = options.key ?? KEY;
  const trusted = options.trusted ?? [];
  const mine = await verifyBundle(JSON.stringify(bundle), key, { trusted });
  const theirs = application.verifyBundle(bundle, [server.parseVerifierKey(key)], trusted);
  expect(mine.report).toEqual(theirs);
  expect(mine.ok).toBe(theirs.ok);
  // A failed report always has a failed step, and a passing one none.
  expect(mine.steps.some((s) => !s.ok)).toBe(!theirs.ok);
  return mine;
}

function tamper(text: string, at: number): string {
  const c = text.charAt(at);
  const swap = c === 'A' ? 'B' : /[A-Za-z0-9+/]/u.test(c) ? 'A' : c === 'x' ? 'y' : 'x';
  return `${text.slice(0, at)}${swap}${text.slice(at + 1)}`;
}

const flip = (hash: string, bitIndex: number): string => {
  const b = Buffer.from(hash, 'base64');
  const at = Math.floor(bitIndex / 8) % b.length;
  b.writeUInt8((b[at] ?? 0) ^ (1 << (bitIndex % 8)), at);
  return b.toString('base64');
};

const failing = (v: BundleVerification): string[] => [...new Set(v.steps.filter((s) => !s.ok).map((s) => s.step))].sort();

describe('verifyBundle: an export bundle verified offline in the browser, as `attest verify --bundle`', () => {
  const tenantId = 't-bundle';
  const log = serverLog(tenantId, 40);

  it('verifies a complete bundle and a selection, reporting what the CLI reports and listing the steps', async () => {
    const complete = await bothAgree(log.complete([10, 25, 40]));
    expect(complete.ok).toBe(true);
    expect(complete.report?.checkpointsChecked).toBe(3);
    expect(complete.steps.filter((s) => s.step === 'checkpoint-root').map((s) => s.subject)).toEqual([
      'stored checkpoint #1',
      'stored checkpoint #2',
      'stored checkpoint #3',
    ]);
    expect([...new Set(complete.steps.map((s) => s.step))]).toEqual([
      'bundle-format',
      'verifier-key',
      'bundle-verifier-key',
      'checkpoint-signature',
      'checkpoint-origin',
      'checkpoint-fork',
      'entry-order',
      'leaf-hash',
      'record-body',
      'checkpoint-root',
      'has-checkpoint',
    ]);
    const selection = await bothAgree(log.selection([10, 25, 40], [3, 17, 39]));
    expect(selection.ok).toBe(true);
    expect(selection.steps.filter((s) => s.step === 'inclusion-proof').map((s) => s.subject)).toEqual(['entry 3', 'entry 17', 'entry 39']);
    expect(selection.steps.filter((s) => s.step === 'consistency-proof').map((s) => s.subject)).toEqual(['checkpoint #1', 'checkpoint #2']);
    expect(selection.report && reportText(selection.report)).toBe(
      `${log.origin}: 3 entries (0 purged), 3 signed checkpoints checked, latest covers 40 (root ${selection.report?.latestCheckpoint?.root ?? ''})\nverified: OK\n`,
    );
    // Purged bodies: the stored leaf hash stands in.
    const purged = log.complete([40]);
    for (const i of [0, 5, 39]) (purged.entries[i] ?? { body: null }).body = null;
    expect((await bothAgree(purged)).report?.purged).toBe(3);
    const purgedSelection = log.selection([40], [5]);
    (purgedSelection.entries[0] ?? { body: null }).body = null;
    expect((await bothAgree(purgedSelection)).ok).toBe(true);
  });

  it('complete bundles: a changed body or leaf hash, a removed, repeated, swapped or truncated entry, another tenant', async () => {
    const base = log.complete([10, 25, 40]);
    const cases: [string, (b: Bundle) => void, string[]][] = [
      [
        'body changed, still canonical',
        (b) => {
          const e = b.entries[12];
          if (e?.body) e.body = e.body.replace('newsletter', 'marketing!');
        },
        ['checkpoint-root', 'leaf-hash'],
      ],
      [
        'body no longer canonical',
        (b) => {
          const e = b.entries[30];
          if (e?.body) e.body = e.body.replace('"actor":', '"actor": ');
        },
        ['checkpoint-root', 'leaf-hash', 'record-body'],
      ],
      [
        'stored leaf hash changed',
        (b) => {
          const e = b.entries[7];
          if (e) e.leafHash = flip(e.leafHash, 5);
        },
        ['leaf-hash'],
      ],
      // Every later entry still carries its own index in its body: only the order and the roots show it.
      ['entry removed', (b) => b.entries.splice(20, 1), ['checkpoint-root', 'entry-order']],
      [
        'entry repeated',
        (b) => {
          const e = b.entries[20];
          if (e) b.entries.splice(21, 0, { ...e });
        },
        ['checkpoint-root', 'entry-order'],
      ],
      [
        'entries swapped',
        (b) => {
          const [x, y] = [b.entries[3], b.entries[4]];
          if (x && y) b.entries.splice(3, 2, y, x);
        },
        ['checkpoint-root', 'entry-order'],
      ],
      [
        'entries swapped, their indices rewritten to hide it',
        (b) => {
          const [x, y] = [b.entries[3], b.entries[4]];
          if (x && y) b.entries.splice(3, 2, { ...y, index: 3 }, { ...x, index: 4 });
        },
        ['checkpoint-root', 'record-body'],
      ],
      ['truncated', (b) => b.entries.splice(35), ['checkpoint-root']],
      [
        'another tenant',
        (b) => {
          b.tenantId = 't-other';
        },
        ['record-body'],
      ],
      [
        'purged with a malformed leaf hash',
        (b) => {
          const e = b.entries[2];
          if (e) Object.assign(e, { body: null, leafHash: 'AAAA' });
        },
        ['checkpoint-root', 'leaf-hash'],
      ],
      [
        'no checkpoint',
        (b) => {
          b.checkpoints = [];
        },
        ['has-checkpoint'],
      ],
    ];
    for (const [name, change, steps] of cases) {
      const b = copy(base);
      change(b);
      const result = await bothAgree(b);
      expect({ name, failing: failing(result) }).toEqual({ name, failing: steps });
    }
    expect((await bothAgree({ ...copy(base), checkpoints: [], entries: [] })).ok).toBe(true);
  });

  it('selections: a changed body, leaf hash, inclusion or consistency proof hash, a missing consistency proof', async () => {
    const base = log.selection([10, 25, 40], [3, 17, 39]);
    for (const [i] of base.entries.entries()) {
      const body = copy(base);
      const e = body.entries[i];
      if (e?.body) e.body = e.body.replace('"purpose":"newsletter"', '"purpose":"newsletteR"');
      expect(failing(await bothAgree(body))).toEqual(['inclusion-proof', 'leaf-hash']);
      const hash = copy(base);
      const h = hash.entries[i];
      if (h) h.leafHash = flip(h.leafHash, 200);
      expect(failing(await bothAgree(hash))).toEqual(['leaf-hash']);
      for (const [k] of (base.entries[i]?.proof ?? []).entries()) {
        const proof = copy(base);
        const p = proof.entries[i];
        if (p?.proof) p.proof[k] = flip(p.proof[k] ?? '', 77);
        expect(failing(await bothAgree(proof))).toEqual(['inclusion-proof']);
      }
    }
    for (const [c] of base.consistency.entries()) {
      for (const [k] of (base.consistency[c]?.proof ?? []).entries()) {
        const changed = copy(base);
        const p = changed.consistency[c];
        if (p) p.proof[k] = flip(p.proof[k] ?? '', 31);
        expect(failing(await bothAgree(changed))).toEqual(['consistency-proof']);
      }
    }
    const missing = copy(base);
    missing.consistency.splice(0, 1);
    expect(failing(await bothAgree(missing))).toEqual(['consistency-proof']);
    const outside = copy(base);
    const first = outside.entries[0];
    if (first) first.index = 40;
    expect(failing(await bothAgree(outside))).toEqual(['inclusion-proof', 'record-body']);
  });

  it('checkpoints: any changed character of a note, a foreign key, another origin, a forked or newer kept checkpoint', async () => {
    for (const base of [log.complete([10, 25, 40]), log.selection([10, 25, 40], [3, 17, 39])]) {
      const note = base.checkpoints[1] ?? '';
      let refused = 0;
      for (let at = 0; at < note.length; at++) {
        const changed = copy(base);
        changed.checkpoints[1] = tamper(note, at);
        if (changed.checkpoints[1] === note) continue;
        if (!(await bothAgree(changed)).ok) refused += 1;
      }
      expect(refused).toBeGreaterThan(note.length - 5);
      const foreign = server.parseSignerKey(server.generateSignerKey(ORIGIN_BASE)).verifier.text;
      expect(failing(await bothAgree(copy(base), { key: foreign }))).toContain('checkpoint-signature');
      expect(failing(await bothAgree({ ...copy(base), origin: `${ORIGIN_BASE}/t-other` }))).toContain('checkpoint-origin');
      // The auditor kept checkpoints: one of this log, one of a log rewritten at entry 4 (same key), one newer than the bundle.
      const forked = serverLog(tenantId, 45, { bodyAt: (i) => encodeRecord(bodyOf(draft(tenantId, i === 4 ? 5 : i), i)) });
      const longer = serverLog(tenantId, 45);
      expect((await bothAgree(copy(base), { trusted: [log.checkpoint(25)] })).ok).toBe(true);
      expect(failing(await bothAgree(copy(base), { trusted: [forked.checkpoint(25)] }))).toContain(base.complete ? 'checkpoint-root' : 'checkpoint-fork');
      expect((await bothAgree(copy(base), { trusted: [longer.checkpoint(45)] })).ok).toBe(false);
      // A bundle whose checkpoints do not open at all, with the auditor's in hand (the CLI's numbering runs on through them).
      expect((await bothAgree({ ...copy(base), checkpoints: ['garbage'] }, { trusted: [log.checkpoint(40)] })).ok).toBe(false);
    }
  });

  it('lists at most 50 problems as the CLI, and still counts every failure in its steps', async () => {
    const big = serverLog('t-big', 130).complete([130]);
    for (const e of big.entries) if (e.body) e.body = e.body.replace('newsletter', 'NEWSLETTER');
    const result = await bothAgree(big);
    expect(result.report?.problems).toHaveLength(51);
    expect(result.steps.find((s) => s.step === 'leaf-hash' && s.subject === undefined)?.detail).toBe(
      '130 of 130 entries fail this check (the first 100 are listed)',
    );
    const listed = await verifyBundle(big, KEY, { maxListed: 10 });
    expect(listed.steps.filter((s) => s.step === 'leaf-hash' && s.subject !== undefined)).toHaveLength(10);
    expect(listed.steps.find((s) => s.step === 'leaf-hash' && s.subject === undefined)?.detail).toBe(
      '130 of 130 entries fail this check (the first 10 are listed)',
    );
  });

  it('agrees with the CLI on 400 random one-character changes anywhere in the bundle file', async () => {
    let compared = 0;
    for (const base of [log.complete([10, 25, 40]), log.selection([10, 25, 40], [0, 3, 17, 38, 39])]) {
      const text = JSON.stringify(base);
      for (let round = 0; round < 200; round++) {
        const at = Math.floor(Math.random() * text.length);
        if (!/[A-Za-z0-9+/]/u.test(text.charAt(at))) continue;
        const changed = tamper(text, at);
        const parsed = parseBundle(changed);
        if (!parsed.ok) continue;
        await bothAgree(JSON.parse(changed) as Bundle);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('refuses what is not a bundle, and a key that does not read, with no report (the CLI exits 2)', async () => {
    for (const text of [
      '{"format": "attest-processing-record-bundle/v1", ',
      '{"format":"other"}',
      '[]',
      JSON.stringify({ ...log.complete([40]), entries: [{ index: '1' }] }),
    ]) {
      const result = await verifyBundle(text, KEY);
      expect(result).toEqual({
        ok: false,
        report: null,
        steps: [expect.objectContaining({ step: 'bundle-format', ok: false }), expect.objectContaining({ step: 'verifier-key', ok: true })],
      });
    }
    const bad = await verifyBundle(log.complete([40]), 'not a key');
    expect(bad.report).toBeNull();
    expect(bad.steps.map((s) => [s.step, s.ok])).toEqual([
      ['bundle-format', true],
      ['verifier-key', false],
    ]);
    // The bundle's own key differs from the one given: said, not failed (the key given is the one used).
    const other = server.parseSignerKey(server.generateSignerKey(ORIGIN_BASE));
    const signedByOther = serverLog(tenantId, 40, { signer: other }).complete([40]);
    const mismatch = await verifyBundle(signedByOther, other.verifier.text);
    expect(mismatch.ok).toBe(true);
    const relabelled = await verifyBundle({ ...signedByOther, verifierKey: KEY }, other.verifier.text);
    expect(relabelled.ok).toBe(true);
    expect(relabelled.steps.find((s) => s.step === 'bundle-verifier-key')?.detail).toContain('another verifier key');
  });
});
