import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { verifyConsistency, verifyInclusion } from './merkle';

/**
 * Runs RFC 6962 proof vectors in the transparency-dev/merkle `testdata`
 * format: every `.json` file under `dir` is one case, an inclusion case
 * (leafIdx, treeSize, root, leafHash, proof) or a consistency case (size1,
 * size2, root1, root2, proof), with `wantErr`. A case passes when the
 * verifier accepts it exactly when `wantErr` is false.
 */
export interface VectorOutcome {
  readonly file: string;
  readonly kind: 'inclusion' | 'consistency' | 'unreadable';
  readonly passed: boolean;
  readonly detail: string;
}

export interface VectorReport {
  readonly passed: number;
  readonly failed: number;
  readonly outcomes: VectorOutcome[];
}

type Json = Record<string, unknown>;

const bytes = (value: unknown): Buffer => (typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0));
const list = (value: unknown): Buffer[] => (Array.isArray(value) ? value.map(bytes) : []);
const integer = (value: unknown): bigint => {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error('not an integer');
  return BigInt(value);
};

function run(file: string, data: Json): VectorOutcome {
  const wantErr = data['wantErr'] === true;
  let kind: VectorOutcome['kind'];
  let error: string | null = null;
  try {
    if ('leafIdx' in data) {
      kind = 'inclusion';
      try {
        verifyInclusion(integer(data['leafIdx']), integer(data['treeSize']), bytes(data['leafHash']), list(data['proof']), bytes(data['root']));
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    } else if ('size1' in data) {
      kind = 'consistency';
      try {
        verifyConsistency(integer(data['size1']), integer(data['size2']), list(data['proof']), bytes(data['root1']), bytes(data['root2']));
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    } else {
      return { file, kind: 'unreadable', passed: false, detail: 'neither an inclusion nor a consistency case' };
    }
  } catch (e) {
    return { file, kind: 'unreadable', passed: false, detail: e instanceof Error ? e.message : String(e) };
  }
  const passed = (error !== null) === wantErr;
  const detail = `${typeof data['desc'] === 'string' ? data['desc'] : ''}: ${error === null ? 'accepted' : `rejected (${error})`}, wanted ${wantErr ? 'rejection' : 'acceptance'}`;
  return { file, kind, passed, detail };
}

async function jsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (e) => (e.isDirectory() ? jsonFiles(join(dir, e.name)) : e.isFile() && e.name.endsWith('.json') ? [join(dir, e.name)] : [])),
  );
  return nested.flat();
}

export async function runVectors(dir: string): Promise<VectorReport> {
  const outcomes: VectorOutcome[] = [];
  for (const file of await jsonFiles(dir)) {
    const name = relative(dir, file);
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      outcomes.push({ file: name, kind: 'unreadable', passed: false, detail: e instanceof Error ? e.message : String(e) });
      continue;
    }
    outcomes.push(
      typeof data === 'object' && data !== null ? run(name, data as Json) : { file: name, kind: 'unreadable', passed: false, detail: 'not an object' },
    );
  }
  const passed = outcomes.filter((o) => o.passed).length;
  return { passed, failed: outcomes.length - passed, outcomes };
}
