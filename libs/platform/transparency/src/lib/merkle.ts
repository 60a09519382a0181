import * as crypto from 'node:crypto';

/**
 * The RFC 6962 / RFC 9162 Merkle tree hash over SHA-256: a leaf is hashed as
 * SHA-256(0x00 ‖ leaf), an inner node as SHA-256(0x01 ‖ left ‖ right), and a
 * tree of n leaves splits at the largest power of two below n.
 */
export const HASH_SIZE = 32;

/**
 * One-shot SHA-256: `crypto.hash` (Node ≥ 20.12) is about twice as fast as a
 * `createHash` object for inputs this small; older runtimes take the latter.
 */
const sha256: (data: Uint8Array | string) => Buffer =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'buffer') : (data) => crypto.createHash('sha256').update(data).digest();

export function leafHash(leaf: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(leaf.length + 1);
  input[0] = 0;
  input.set(leaf, 1);
  return sha256(input);
}

/** The leaf hash of a text's UTF-8 bytes (U+0000 encodes as the single 0x00 prefix byte). */
export function leafHashOfText(text: string): Buffer {
  return sha256(`\u0000${text}`);
}

// Hashing is synchronous, so one scratch buffer serves every call.
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE, 1);

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE)
    return crypto
      .createHash('sha256')
      .update(Buffer.from([1]))
      .update(left)
      .update(right)
      .digest();
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

export const EMPTY_ROOT: Buffer = crypto.createHash('sha256').digest();

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A perfect subtree: 2^level leaves starting at index × 2^level. */
export interface NodeRef {
  readonly level: number;
  readonly index: number;
}

/** A leaf range [start, end) whose tree hash a proof needs. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * Builds a tree leaf by leaf, keeping only the right edge (one perfect subtree
 * per set bit of the size): O(log n) memory, so a million leaves verify in a
 * stream. `onNode` sees every perfect subtree as it completes (level 0 = leaf).
 */
export class TreeBuilder {
  private readonly edge: { level: number; index: number; hash: Buffer }[] = [];
  private count = 0;

  /** Starts from a stored right edge (see `edgeOf`) of a tree of `size` leaves. */
  constructor(size = 0, edge: readonly Buffer[] = []) {
    const refs = edgeOf(size);
    if (refs.length !== edge.length) throw new Error(`a tree of ${size} leaves has ${refs.length} edge nodes, got ${edge.length}`);
    refs.forEach((r, i) => this.edge.push({ level: r.level, index: r.index, hash: edge[i] as Buffer }));
    this.count = size;
  }

  get size(): number {
    return this.count;
  }

  push(hash: Buffer, onNode?: (level: number, index: number, hash: Buffer) => void): void {
    let current = { level: 0, index: this.count, hash };
    onNode?.(0, current.index, hash);
    for (let top = this.edge.at(-1); top !== undefined && top.level === current.level; top = this.edge.at(-1)) {
      this.edge.pop();
      current = { level: current.level + 1, index: top.index / 2, hash: nodeHash(top.hash, current.hash) };
      onNode?.(current.level, current.index, current.hash);
    }
    this.edge.push(current);
    this.count += 1;
  }

  root(): Buffer {
    return foldRight(this.edge.map((e) => e.hash));
  }

  /** The right edge's hashes, largest subtree first. */
  edgeHashes(): Buffer[] {
    return this.edge.map((e) => e.hash);
  }
}

/** The perfect subtrees on the right edge of a tree of `size` leaves, largest first. */
export function edgeOf(size: number): NodeRef[] {
  const refs: NodeRef[] = [];
  let start = 0;
  for (let level = Math.floor(Math.log2(Math.max(size, 1))) + 1; level >= 0; level--) {
    const width = 2 ** level;
    if (start + width <= size) {
      refs.push({ level, index: start / width });
      start += width;
    }
  }
  return refs;
}

/** The root over perfect subtrees given left to right (the tree hash when they tile a range greedily). */
export function foldRight(hashes: readonly Buffer[]): Buffer {
  const last = hashes.at(-1);
  if (last === undefined) return EMPTY_ROOT;
  let hash = last;
  for (let i = hashes.length - 2; i >= 0; i--) hash = nodeHash(hashes[i] as Buffer, hash);
  return hash;
}

/** The tree hash of a whole list of leaf hashes. */
export function rootOf(leafHashes: readonly Buffer[]): Buffer {
  const tree = new TreeBuilder();
  for (const h of leafHashes) tree.push(h);
  return tree.root();
}

/**
 * The perfect subtrees that tile [start, end), left to right. Ranges in
 * proofs start at a multiple of the largest power of two not above their
 * width, so the fold of these nodes is the range's tree hash.
 */
export function nodesOf(range: Range): NodeRef[] {
  const refs: NodeRef[] = [];
  let start = range.start;
  while (start < range.end) {
    let level = 0;
    while (start % 2 ** (level + 1) === 0 && start + 2 ** (level + 1) <= range.end) level += 1;
    refs.push({ level, index: start / 2 ** level });
    start += 2 ** level;
  }
  return refs;
}

/** RFC 9162 2.1.3.1: the ranges whose hashes form the inclusion proof of leaf m in a tree of n. */
export function inclusionRanges(m: number, n: number): Range[] {
  if (!(m >= 0 && m < n)) throw new RangeError(`leaf ${m} is not in a tree of ${n}`);
  const path = (index: number, start: number, end: number): Range[] => {
    if (end - start === 1) return [];
    const k = splitPoint(end - start);
    return index < k ? [...path(index, start, start + k), { start: start + k, end }] : [...path(index - k, start + k, end), { start, end: start + k }];
  };
  return path(m, 0, n);
}

/** RFC 9162 2.1.4.1: the ranges whose hashes form the consistency proof from size m to size n. */
export function consistencyRanges(m: number, n: number): Range[] {
  if (!(m >= 0 && m <= n)) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  if (m === 0 || m === n) return [];
  const sub = (size: number, start: number, end: number, complete: boolean): Range[] => {
    if (size === end - start) return complete ? [] : [{ start, end }];
    const k = splitPoint(end - start);
    return size <= k
      ? [...sub(size, start, start + k, complete), { start: start + k, end }]
      : [...sub(size - k, start + k, end, false), { start, end: start + k }];
  };
  return sub(m, 0, n, true);
}

/** Resolves proof ranges to hashes, given the hashes of the perfect subtrees they are made of. */
export function hashRanges(ranges: readonly Range[], node: (ref: NodeRef) => Buffer): Buffer[] {
  return ranges.map((r) => foldRight(nodesOf(r).map(node)));
}

export class ProofError extends Error {
  override readonly name = 'ProofError';
}

function checkHashes(hashes: readonly Uint8Array[]): void {
  if (hashes.some((h) => h.length !== HASH_SIZE)) throw new ProofError(`hashes are ${HASH_SIZE} bytes`);
}

const bit = (v: bigint): boolean => (v & 1n) === 1n;

/** RFC 9162 2.1.3.2. Throws ProofError unless `proof` proves `leaf` at `index` under `root`. */
export function verifyInclusion(index: number | bigint, size: number | bigint, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  checkHashes([leaf, root, ...proof]);
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn < 0n || fn > sn) throw new ProofError(`leaf index ${index} is outside a tree of size ${size}`);
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new ProofError('the proof is longer than the tree is deep');
    if (bit(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!bit(fn)) {
        while (!bit(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofError('the proof is shorter than the tree is deep');
  if (!Buffer.from(r).equals(root)) throw new ProofError('the proof does not lead to the root');
}

/** RFC 9162 2.1.4.2. Throws ProofError unless `proof` shows the tree of size2 extends the tree of size1. */
export function verifyConsistency(size1: number | bigint, size2: number | bigint, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  checkHashes(proof);
  const first = BigInt(size1);
  const second = BigInt(size2);
  if (first < 0n || first > second) throw new ProofError(`size ${size1} is beyond size ${size2}`);
  // The empty tree has no signed root worth proving anything from (RFC 9162 requires 0 < first).
  if (first === 0n) throw new ProofError('a consistency proof needs a non-empty first tree');
  if (first === second) {
    if (proof.length > 0) throw new ProofError('equal sizes need an empty proof');
    if (!Buffer.from(root1).equals(root2)) throw new ProofError('equal sizes with different roots');
    return;
  }
  if (proof.length === 0) throw new ProofError('empty proof');
  const path: Uint8Array[] = (first & (first - 1n)) === 0n ? [root1, ...proof] : [...proof];
  let fn = first - 1n;
  let sn = second - 1n;
  while (bit(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (const c of path.slice(1)) {
    if (sn === 0n) throw new ProofError('the proof is longer than needed');
    if (bit(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!bit(fn)) {
        while (!bit(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofError('the proof is shorter than needed');
  if (!Buffer.from(fr).equals(root1)) throw new ProofError('the proof does not lead to the first root');
  if (!Buffer.from(sr).equals(root2)) throw new ProofError('the proof does not lead to the second root');
}
