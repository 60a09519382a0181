import { bytesEqual, concatBytes, copyBytes, failed, passed, utf8, type Bytes, type Check, type Result } from './bytes';

/**
 * The RFC 6962 / RFC 9162 Merkle tree hash over SHA-256 with WebCrypto: a
 * leaf is hashed as SHA-256(0x00 ‖ leaf), an inner node as
 * SHA-256(0x01 ‖ left ‖ right). The same algorithms and the same reasons as
 * the server's `@attest/transparency` (which throws `ProofError` with these
 * messages); here every check answers `{ ok, reason }` instead of throwing.
 */
export const HASH_SIZE = 32;

/** WebCrypto, or a clear error where the page has none (it needs a secure context: https or localhost). */
export function subtleCrypto(): SubtleCrypto {
  const subtle = typeof globalThis.crypto === 'object' ? (globalThis.crypto as Partial<Crypto>).subtle : undefined;
  if (subtle === undefined) throw new Error('WebCrypto (crypto.subtle) is not available: the page must be served over https (or from localhost)');
  return subtle;
}

export async function sha256(data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtleCrypto().digest('SHA-256', copyBytes(data)));
}

/** SHA-256(0x00 ‖ leaf). */
export function leafHash(leaf: Uint8Array): Promise<Bytes> {
  return sha256(concatBytes(new Uint8Array([0]), leaf));
}

/** The leaf hash of a text's UTF-8 bytes: what the server hashes for a processing record (its canonical `body`). */
export function leafHashOfText(text: string): Promise<Bytes> {
  return leafHash(utf8(text));
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(concatBytes(new Uint8Array([1]), left, right));
}

/** The root of the empty tree: SHA-256 of nothing. */
export function emptyRoot(): Promise<Bytes> {
  return sha256(new Uint8Array(0));
}

const bit = (v: bigint): boolean => (v & 1n) === 1n;

function integer(value: number | bigint, what: string): Result<bigint> {
  if (typeof value === 'bigint') return { ok: true, value };
  if (!Number.isInteger(value)) return failed(`${what} ${String(value)} is not a whole number`);
  return { ok: true, value: BigInt(value) };
}

function checkHashes(hashes: readonly Uint8Array[]): Check {
  return hashes.some((h) => h.length !== HASH_SIZE) ? failed(`hashes are ${HASH_SIZE} bytes`) : passed;
}

/**
 * RFC 9162 §2.1.3.2 up to the comparison: the root that `proof` leads to from
 * `leaf` at `index` in a tree of `size`, or why the proof cannot be one.
 */
export async function rootFromInclusion(index: number | bigint, size: number | bigint, leaf: Uint8Array, proof: readonly Uint8Array[]): Promise<Result<Bytes>> {
  const hashes = checkHashes([leaf, ...proof]);
  if (!hashes.ok) return hashes;
  const first = integer(index, 'leaf index');
  if (!first.ok) return first;
  const second = integer(size, 'tree size');
  if (!second.ok) return second;
  let fn = first.value;
  let sn = second.value - 1n;
  if (fn < 0n || fn > sn) return failed(`leaf index ${String(index)} is outside a tree of size ${String(size)}`);
  let r: Bytes = copyBytes(leaf);
  for (const p of proof) {
    if (sn === 0n) return failed('the proof is longer than the tree is deep');
    if (bit(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!bit(fn)) {
        while (!bit(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return failed('the proof is shorter than the tree is deep');
  return { ok: true, value: r };
}

/** RFC 9162 §2.1.3.2: does `proof` prove `leaf` at `index` in the tree of `size` with root `root`? */
export async function verifyInclusion(
  index: number | bigint,
  size: number | bigint,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<Check> {
  if (root.length !== HASH_SIZE) return failed(`hashes are ${HASH_SIZE} bytes`);
  const computed = await rootFromInclusion(index, size, leaf, proof);
  if (!computed.ok) return computed;
  return bytesEqual(computed.value, root) ? passed : failed('the proof does not lead to the root');
}

/** RFC 9162 §2.1.4.2: does `proof` show that the tree of `size2` (root2) extends the tree of `size1` (root1)? */
export async function verifyConsistency(
  size1: number | bigint,
  size2: number | bigint,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): Promise<Check> {
  const hashes = checkHashes(proof);
  if (!hashes.ok) return hashes;
  const one = integer(size1, 'tree size');
  if (!one.ok) return one;
  const two = integer(size2, 'tree size');
  if (!two.ok) return two;
  const first = one.value;
  const second = two.value;
  if (first < 0n || first > second) return failed(`size ${String(size1)} is beyond size ${String(size2)}`);
  // The empty tree has no signed root worth proving anything from (RFC 9162 requires 0 < first).
  if (first === 0n) return failed('a consistency proof needs a non-empty first tree');
  if (first === second) {
    if (proof.length > 0) return failed('equal sizes need an empty proof');
    return bytesEqual(root1, root2) ? passed : failed('equal sizes with different roots');
  }
  if (proof.length === 0) return failed('empty proof');
  const [head, ...tail] = (first & (first - 1n)) === 0n ? [root1, ...proof] : [...proof];
  if (head === undefined) return failed('empty proof');
  let fn = first - 1n;
  let sn = second - 1n;
  while (bit(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Bytes = copyBytes(head);
  let sr: Bytes = fr;
  for (const c of tail) {
    if (sn === 0n) return failed('the proof is longer than needed');
    if (bit(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (!bit(fn)) {
        while (!bit(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return failed('the proof is shorter than needed');
  if (!bytesEqual(fr, root1)) return failed('the proof does not lead to the first root');
  if (!bytesEqual(sr, root2)) return failed('the proof does not lead to the second root');
  return passed;
}

/**
 * Builds a tree leaf by leaf keeping only its right edge (one perfect subtree
 * per set bit of the size), as the server's `TreeBuilder`: O(log n) memory.
 */
export class TreeBuilder {
  private readonly edge: { level: number; hash: Bytes }[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  async push(hash: Uint8Array): Promise<void> {
    let current = { level: 0, hash: copyBytes(hash) };
    for (let top = this.edge.at(-1); top !== undefined && top.level === current.level; top = this.edge.at(-1)) {
      this.edge.pop();
      current = { level: current.level + 1, hash: await nodeHash(top.hash, current.hash) };
    }
    this.edge.push(current);
    this.count += 1;
  }

  async root(): Promise<Bytes> {
    const last = this.edge.at(-1);
    if (last === undefined) return emptyRoot();
    let hash = last.hash;
    for (let i = this.edge.length - 2; i >= 0; i--) {
      const left = this.edge[i];
      if (left) hash = await nodeHash(left.hash, hash);
    }
    return hash;
  }
}

/** The tree hash of a whole list of leaf hashes. */
export async function rootOf(leafHashes: readonly Uint8Array[]): Promise<Bytes> {
  const tree = new TreeBuilder();
  for (const h of leafHashes) await tree.push(h);
  return tree.root();
}
