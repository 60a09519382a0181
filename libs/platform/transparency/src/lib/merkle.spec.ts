import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  consistencyRanges,
  edgeOf,
  hashRanges,
  inclusionRanges,
  leafHash,
  leafHashOfText,
  nodeHash,
  ProofError,
  rootOf,
  runVectors,
  TreeBuilder,
  verifyConsistency,
  verifyInclusion,
  type NodeRef,
} from '../index';

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

/** Recursive MTH straight from the RFC, to check the streaming builder against. */
function mth(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 1) return hashes[0] as Buffer;
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(mth(hashes.slice(0, k)), mth(hashes.slice(k)));
}

/** Every perfect subtree of a list of leaf hashes, as a proof source would store them. */
function nodeStore(hashes: readonly Buffer[]): (ref: NodeRef) => Buffer {
  const nodes = new Map<string, Buffer>();
  const tree = new TreeBuilder();
  for (const h of hashes) tree.push(h, (level, index, hash) => nodes.set(`${level}:${index}`, hash));
  return (ref) => {
    const found = nodes.get(`${ref.level}:${ref.index}`);
    if (!found) throw new Error(`no node ${ref.level}:${ref.index}`);
    return found;
  };
}

describe('RFC 6962 Merkle tree', () => {
  it('computes the reference roots of sizes 0..8', () => {
    const hashes = LEAVES.map(leafHash);
    ROOTS.forEach((root, size) => {
      expect(rootOf(hashes.slice(0, size)).toString('hex')).toBe(root);
    });
  });

  it('the one-shot hashes equal SHA-256 over the RFC 6962 prefixes, for text in UTF-8 too', () => {
    const sha = (...parts: Buffer[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
    for (const text of ['', 'a', '{"subject":"psn_x"}', 'Zoë — 张伟 🚀', '\u0000lead']) {
      const bytes = Buffer.from(text, 'utf8');
      expect(leafHash(bytes).toString('hex')).toBe(sha(Buffer.from([0]), bytes));
      expect(leafHashOfText(text).toString('hex')).toBe(sha(Buffer.from([0]), bytes));
    }
    const [a, b] = [leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))];
    const first = nodeHash(a, b);
    expect(first.toString('hex')).toBe(sha(Buffer.from([1]), a, b));
    // The scratch input is reused: an earlier result must not change with a later call.
    nodeHash(b, a);
    expect(first.toString('hex')).toBe(sha(Buffer.from([1]), a, b));
    expect(nodeHash(Buffer.from('xy'), a).toString('hex')).toBe(sha(Buffer.from([1]), Buffer.from('xy'), a));
  });

  it('the streaming builder resumes from a stored right edge', () => {
    const hashes = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    for (const cut of [0, 1, 7, 64, 129, 299]) {
      const first = new TreeBuilder();
      hashes.slice(0, cut).forEach((h) => {
        first.push(h);
      });
      const resumed = new TreeBuilder(cut, first.edgeHashes());
      hashes.slice(cut).forEach((h) => {
        resumed.push(h);
      });
      expect(resumed.root()).toEqual(mth(hashes));
    }
    expect(edgeOf(13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
  });

  it('generates inclusion and consistency proofs that verify, for every index and size up to 70', () => {
    const hashes = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from([i])));
    const node = nodeStore(hashes);
    for (let n = 1; n <= hashes.length; n++) {
      const root = mth(hashes.slice(0, n));
      for (let m = 0; m < n; m++) {
        expect(() => {
          verifyInclusion(m, n, hashes[m] as Buffer, hashRanges(inclusionRanges(m, n), node), root);
        }).not.toThrow();
      }
      for (let m = 1; m <= n; m++) {
        const proof = hashRanges(consistencyRanges(m, n), node);
        expect(() => {
          verifyConsistency(m, n, proof, mth(hashes.slice(0, m)), root);
        }).not.toThrow();
      }
    }
  });

  it('rejects a proof for another leaf, a flipped bit and a wrong size', () => {
    const hashes = Array.from({ length: 11 }, (_, i) => leafHash(Buffer.from([i])));
    const node = nodeStore(hashes);
    const root = mth(hashes);
    const proof = hashRanges(inclusionRanges(5, 11), node);
    expect(() => {
      verifyInclusion(5, 11, hashes[6] as Buffer, proof, root);
    }).toThrow(ProofError);
    expect(() => {
      verifyInclusion(11, 11, hashes[5] as Buffer, proof, root);
    }).toThrow(ProofError);
    const flipped = proof.map((p) => Buffer.from(p));
    const second = flipped[1] as Buffer;
    second.writeUInt8(second.readUInt8(0) ^ 1, 0);
    expect(() => {
      verifyInclusion(5, 11, hashes[5] as Buffer, flipped, root);
    }).toThrow(ProofError);
    const consistency = hashRanges(consistencyRanges(6, 11), node);
    expect(() => {
      verifyConsistency(6, 11, consistency, mth(hashes.slice(0, 5)), root);
    }).toThrow(ProofError);
  });

  it('passes every RFC 6962 vector in the fixtures (transparency-dev/merkle testdata, Apache-2.0)', async () => {
    const report = await runVectors(join(__dirname, '..', 'testdata', 'rfc6962'));
    expect(report.outcomes.filter((o) => !o.passed)).toEqual([]);
    expect(report.passed).toBeGreaterThan(100);
    expect(report.outcomes.filter((o) => o.kind === 'consistency').length).toBeGreaterThan(40);
  });
});
