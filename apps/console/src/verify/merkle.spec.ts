import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as server from '@attest/transparency';
import { fromBase64, fromCanonicalBase64, toBase64, toHex } from './bytes';
import { emptyRoot, leafHash, leafHashOfText, nodeHash, rootFromInclusion, rootOf, TreeBuilder, verifyConsistency, verifyInclusion } from './merkle';

const VECTORS = join(__dirname, '..', '..', '..', '..', 'libs', 'platform', 'transparency', 'src', 'testdata', 'rfc6962');

// The tree the vectors are built from (testdata/rfc6962/README.md) and its roots.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** What the server's verifier says: null when it accepts, else its ProofError message. */
function serverSays(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof server.ProofError) return error.message;
    throw error;
  }
}

const reasonOf = (r: { ok: true } | { ok: false; reason: string }): string | null => (r.ok ? null : r.reason);

/** Every perfect subtree of a list of leaf hashes, as the server's proof source stores them. */
function nodeStore(hashes: readonly Buffer[]): (ref: server.NodeRef) => Buffer {
  const nodes = new Map<string, Buffer>();
  const tree = new server.TreeBuilder();
  for (const h of hashes) tree.push(h, (level, index, hash) => nodes.set(`${level}:${index}`, hash));
  return (ref) => {
    const found = nodes.get(`${ref.level}:${ref.index}`);
    if (!found) throw new Error(`no node ${ref.level}:${ref.index}`);
    return found;
  };
}

function flipBit(b: Uint8Array, bitIndex: number): Buffer {
  const copy = Buffer.from(b);
  const at = Math.floor(bitIndex / 8) % copy.length;
  copy.writeUInt8((copy[at] ?? 0) ^ (1 << (bitIndex % 8)), at);
  return copy;
}

async function jsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (e) => (e.isDirectory() ? jsonFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [])),
  );
  return nested.flat().sort();
}

describe('browser RFC 6962 Merkle verification (WebCrypto)', () => {
  it('computes the reference roots of sizes 0..8 and the empty root', async () => {
    const hashes = await Promise.all(LEAVES.map((l) => leafHash(l)));
    for (const [size, root] of ROOTS.entries()) expect(toHex(await rootOf(hashes.slice(0, size)))).toBe(root);
    expect(toHex(await emptyRoot())).toBe(ROOTS[0]);
  });

  it('hashes leaves and nodes as the server does, for text in UTF-8 too (lone surrogates included)', async () => {
    for (const text of ['', 'a', '{"subject":"psn_x"}', 'Zoë — 张伟 🚀', '\u0000lead', 'lone \ud800 surrogate', 'x'.repeat(10_000)]) {
      expect(toHex(await leafHashOfText(text))).toBe(server.leafHashOfText(text).toString('hex'));
      expect(toHex(await leafHash(Buffer.from(text, 'utf8')))).toBe(server.leafHash(Buffer.from(text, 'utf8')).toString('hex'));
    }
    for (let i = 0; i < 20; i++) {
      const [a, b] = [randomBytes(32), randomBytes(32)];
      expect(toHex(await nodeHash(a, b))).toBe(server.nodeHash(a, b).toString('hex'));
    }
  });

  it('builds the same roots as the server for random trees up to 600 leaves', async () => {
    const hashes = Array.from({ length: 600 }, () => server.leafHash(randomBytes(1 + Math.floor(Math.random() * 40))));
    const tree = new TreeBuilder();
    const serverTree = new server.TreeBuilder();
    for (const [i, h] of hashes.entries()) {
      await tree.push(h);
      serverTree.push(h);
      if (i < 70 || i % 37 === 0 || i === hashes.length - 1) expect(toHex(await tree.root())).toBe(serverTree.root().toString('hex'));
    }
    expect(tree.size).toBe(600);
    expect(toHex(await rootOf(hashes.slice(0, 333)))).toBe(server.rootOf(hashes.slice(0, 333)).toString('hex'));
  });

  it('accepts every inclusion and consistency proof the server makes, for every index and size up to 40', async () => {
    const hashes = Array.from({ length: 40 }, (_, i) => server.leafHash(Buffer.from([i])));
    const node = nodeStore(hashes);
    for (let n = 1; n <= hashes.length; n++) {
      const root = server.rootOf(hashes.slice(0, n));
      for (let m = 0; m < n; m++) {
        const proof = server.hashRanges(server.inclusionRanges(m, n), node);
        const leaf = hashes[m] ?? Buffer.alloc(0);
        expect(await verifyInclusion(m, n, leaf, proof, root)).toEqual({ ok: true });
        const computed = await rootFromInclusion(m, n, leaf, proof);
        expect(computed.ok && toHex(computed.value)).toBe(root.toString('hex'));
      }
      for (let m = 1; m <= n; m++) {
        const proof = server.hashRanges(server.consistencyRanges(m, n), node);
        expect(await verifyConsistency(m, n, proof, server.rootOf(hashes.slice(0, m)), root)).toEqual({ ok: true });
      }
    }
  });

  it('agrees with the server, reason for reason, on random proofs with one bit flipped, a wrong index, size or root', async () => {
    const hashes = Array.from({ length: 1100 }, (_, i) => server.leafHash(Buffer.from(`leaf ${i}`)));
    const node = nodeStore(hashes);
    let compared = 0;
    for (let round = 0; round < 60; round++) {
      const n = 1 + Math.floor(Math.random() * hashes.length);
      const m = Math.floor(Math.random() * n);
      const root = server.rootOf(hashes.slice(0, n));
      const leaf = hashes[m] ?? Buffer.alloc(0);
      const proof = server.hashRanges(server.inclusionRanges(m, n), node);
      const variants: { index: number; size: number; leaf: Buffer; proof: Buffer[]; root: Buffer }[] = [
        { index: m, size: n, leaf, proof, root },
        { index: m, size: n, leaf: flipBit(leaf, Math.floor(Math.random() * 256)), proof, root },
        { index: m, size: n, leaf, proof, root: flipBit(root, Math.floor(Math.random() * 256)) },
        { index: (m + 1) % n, size: n, leaf, proof, root },
        { index: m, size: n + 1, leaf, proof, root },
        { index: m, size: Math.max(1, n - 1), leaf, proof, root },
        { index: m, size: n, leaf, proof: proof.slice(0, -1), root },
        { index: m, size: n, leaf, proof: [...proof, randomBytes(32)], root },
        { index: m, size: n, leaf, proof: [...proof.slice(0, -1), Buffer.alloc(31)], root },
        { index: -1, size: n, leaf, proof, root },
        { index: n, size: n, leaf, proof, root },
        { index: m, size: 0, leaf, proof, root },
      ];
      for (const [k] of proof.entries())
        variants.push({ index: m, size: n, leaf, proof: proof.map((p, j) => (j === k ? flipBit(p, Math.floor(Math.random() * 256)) : p)), root });
      for (const v of variants) {
        const want = serverSays(() => {
          server.verifyInclusion(v.index, v.size, v.leaf, v.proof, v.root);
        });
        expect(reasonOf(await verifyInclusion(v.index, v.size, v.leaf, v.proof, v.root))).toBe(want);
        compared += 1;
      }
      // Consistency between a random m ≤ n.
      const first = 1 + Math.floor(Math.random() * n);
      const root1 = server.rootOf(hashes.slice(0, first));
      const cproof = server.hashRanges(server.consistencyRanges(first, n), node);
      const cvariants: { s1: number; s2: number; proof: Buffer[]; r1: Buffer; r2: Buffer }[] = [
        { s1: first, s2: n, proof: cproof, r1: root1, r2: root },
        { s1: first, s2: n, proof: cproof, r1: flipBit(root1, 3), r2: root },
        { s1: first, s2: n, proof: cproof, r1: root1, r2: flipBit(root, 200) },
        { s1: first, s2: n, proof: cproof, r1: root, r2: root1 },
        { s1: first, s2: n + 1, proof: cproof, r1: root1, r2: root },
        { s1: Math.max(0, first - 1), s2: n, proof: cproof, r1: root1, r2: root },
        { s1: n, s2: first, proof: cproof, r1: root, r2: root1 },
        { s1: first, s2: n, proof: cproof.slice(1), r1: root1, r2: root },
        { s1: first, s2: n, proof: [...cproof, randomBytes(32)], r1: root1, r2: root },
        { s1: first, s2: n, proof: [], r1: root1, r2: root },
        { s1: 0, s2: n, proof: [], r1: root1, r2: root },
      ];
      for (const [k] of cproof.entries())
        cvariants.push({ s1: first, s2: n, proof: cproof.map((p, j) => (j === k ? flipBit(p, k * 7) : p)), r1: root1, r2: root });
      for (const v of cvariants) {
        const want = serverSays(() => {
          server.verifyConsistency(v.s1, v.s2, v.proof, v.r1, v.r2);
        });
        expect(reasonOf(await verifyConsistency(v.s1, v.s2, v.proof, v.r1, v.r2))).toBe(want);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('passes every RFC 6962 vector in the fixtures (transparency-dev/merkle testdata), with the server’s verdict and reason', async () => {
    const files = await jsonFiles(VECTORS);
    const serverReport = await server.runVectors(VECTORS);
    const failures: string[] = [];
    let inclusion = 0;
    let consistency = 0;
    const bytes = (v: unknown): Buffer => (typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0));
    const list = (v: unknown): Buffer[] => (Array.isArray(v) ? v.map(bytes) : []);
    const whole = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
    for (const file of files) {
      const data = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      const wantErr = data['wantErr'] === true;
      let mine: string | null;
      let theirs: string | null;
      if ('leafIdx' in data) {
        inclusion += 1;
        const args = [whole(data['leafIdx']), whole(data['treeSize']), bytes(data['leafHash']), list(data['proof']), bytes(data['root'])] as const;
        mine = reasonOf(await verifyInclusion(...args));
        theirs = serverSays(() => {
          server.verifyInclusion(...args);
        });
      } else {
        consistency += 1;
        const args = [whole(data['size1']), whole(data['size2']), list(data['proof']), bytes(data['root1']), bytes(data['root2'])] as const;
        mine = reasonOf(await verifyConsistency(...args));
        theirs = serverSays(() => {
          server.verifyConsistency(...args);
        });
      }
      if ((mine !== null) !== wantErr || mine !== theirs)
        failures.push(`${relative(VECTORS, file)}: mine ${String(mine)}, server ${String(theirs)}, wantErr ${String(wantErr)}`);
    }
    expect(failures).toEqual([]);
    expect(inclusion + consistency).toBe(serverReport.outcomes.length);
    expect(serverReport.failed).toBe(0);
    expect(inclusion + consistency).toBeGreaterThan(100);
    expect(consistency).toBeGreaterThan(40);
  });

  it('base64: round-trips every length like Buffer; ignores unused trailing bits (as Go and Node), except where canonical is required', () => {
    for (let n = 0; n < 70; n++) {
      const b = randomBytes(n);
      expect(toBase64(b)).toBe(b.toString('base64'));
      expect(Buffer.from(fromBase64(b.toString('base64')) ?? [])).toEqual(b);
    }
    const hash = createHash('sha256').update('x').digest('base64');
    expect(fromBase64(hash)?.length).toBe(32);
    // 32 bytes: the last letter holds 4 bits and 2 unused ones; set one of those.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const loose = `${hash.slice(0, -2)}${alphabet.charAt(alphabet.indexOf(hash.charAt(hash.length - 2)) ^ 1)}=`;
    expect(Buffer.from(fromBase64(loose) ?? [])).toEqual(Buffer.from(hash, 'base64'));
    expect(fromCanonicalBase64(loose)).toBeNull();
    expect(fromCanonicalBase64(hash)?.length).toBe(32);
    for (const bad of [
      hash.slice(0, -1),
      hash.replace('=', ''),
      ` ${hash}`,
      `${hash.slice(0, 5)}-${hash.slice(6)}`,
      `${hash.slice(0, 5)}_${hash.slice(6)}`,
      'AAA=A===',
      '====',
      'A===',
    ])
      expect(fromBase64(bad)).toBeNull();
  });
});
