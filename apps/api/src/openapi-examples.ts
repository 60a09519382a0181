import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The example answers docs/openapi.json shows: real answers the end-to-end
 * specs received (each had matched its schema), one per operation, status and
 * media type. `npm run openapi:examples` records them afresh; `npm run openapi`
 * then puts them in the description, and the OpenAPI spec checks every example
 * still matches its schema.
 */
export const EXAMPLES_FILE = join(__dirname, 'openapi-schemas', 'examples.json');

/** Examples by `METHOD template status media-type`. */
export type Examples = Readonly<Record<string, unknown>>;

export function committedExamples(): Examples {
  return JSON.parse(readFileSync(EXAMPLES_FILE, 'utf8')) as Examples;
}

/** Lists cut to this many items: an example shows the shape, not a page. */
const LIST_ITEMS = 2;
/** A document (CSV, HTML) longer than this is cut at a line end. */
const DOCUMENT_CHARS = 1_500;

/** API keys and one-time secrets in a recorded answer are replaced by placeholders; nothing else is changed. */
function shorten(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, LIST_ITEMS).map(shorten);
  if (typeof value === 'string') {
    const keyless = value.replace(/\batk_[A-Za-z0-9_-]+/gu, 'atk_EXAMPLE0000000000000000000000000000000000');
    if (keyless.length <= DOCUMENT_CHARS) return keyless;
    const cut = keyless.lastIndexOf('\n', DOCUMENT_CHARS);
    return `${keyless.slice(0, cut > 0 ? cut : DOCUMENT_CHARS)}\n…`;
  }
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
  return value;
}

/** How much an example shows: non-empty lists and filled-in optional fields first; a candidate far longer than the rest loses. */
function richness(value: unknown): number {
  if (Array.isArray(value)) return value.length === 0 ? 0 : 10 + value.reduce<number>((n, v) => n + richness(v), 0);
  if (value !== null && typeof value === 'object') return Object.values(value).reduce<number>((n, v) => n + 1 + richness(v), 0);
  return value === null ? 0 : 1;
}

/** One example per answer from the candidates every harness recorded, chosen by richness, ties by text so a re-run on the same answers is stable. */
export function chooseExamples(recorded: readonly Record<string, readonly unknown[]>[]): Record<string, unknown> {
  const candidates = new Map<string, unknown[]>();
  for (const file of recorded) for (const [key, bodies] of Object.entries(file)) candidates.set(key, [...(candidates.get(key) ?? []), ...bodies.map(shorten)]);
  const chosen: Record<string, unknown> = {};
  for (const key of [...candidates.keys()].sort()) {
    // Canary values (planted by the leak scans) are poor examples: any other answer goes first.
    const canary = (v: unknown): number => (JSON.stringify(v).includes('canary') ? 1 : 0);
    const [best] = (candidates.get(key) ?? []).sort(
      (a, b) => canary(a) - canary(b) || richness(b) - richness(a) || JSON.stringify(a).localeCompare(JSON.stringify(b)),
    );
    chosen[key] = best;
  }
  return chosen;
}

// `npm run openapi:examples`: runs the end-to-end specs recording every matching answer, then writes the examples.
if (require.main === module) {
  const dir = mkdtempSync(join(tmpdir(), 'attest-examples-'));
  const root = join(__dirname, '..', '..', '..');
  const run = spawnSync('npx', ['jest', '-c', 'test/jest.config.cjs', 'e2e'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ATTEST_RECORD_EXAMPLES: dir },
  });
  const recorded = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown[]>);
  rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0) {
    process.stderr.write('openapi:examples: the end-to-end specs failed; examples not written\n');
    process.exit(1);
  }
  const examples = chooseExamples(recorded);
  writeFileSync(EXAMPLES_FILE, `${JSON.stringify(examples, null, 2)}\n`);
  process.stdout.write(`wrote ${String(Object.keys(examples).length)} examples to ${EXAMPLES_FILE}; run \`npm run openapi\` next\n`);
}
