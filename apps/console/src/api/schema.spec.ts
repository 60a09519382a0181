// The committed client types must be what openapi-typescript makes of docs/openapi.json today:
// a changed API fails here until `npm run console:client` is run (and the console still type-checks).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SPEC = 'docs/openapi.json';
const COMMITTED = join(ROOT, 'apps', 'console', 'src', 'api', 'schema.d.ts');

/** The CLI's script, as the package declares it (bin), run with this Node. */
function cliPath(): string {
  const dir = join(ROOT, 'node_modules', 'openapi-typescript');
  const manifest: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const bin = typeof manifest === 'object' && manifest !== null && 'bin' in manifest ? manifest.bin : undefined;
  const script = typeof bin === 'string' ? bin : typeof bin === 'object' && bin !== null && 'openapi-typescript' in bin ? bin['openapi-typescript'] : undefined;
  if (typeof script !== 'string') throw new Error('node_modules/openapi-typescript/package.json declares no openapi-typescript bin');
  return join(dir, script);
}

function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const line = left.findIndex((l, i) => l !== right[i]);
  const at = line === -1 ? Math.min(left.length, right.length) : line;
  return `line ${String(at + 1)}:\n  committed: ${left[at] ?? '(end of file)'}\n  generated: ${right[at] ?? '(end of file)'}`;
}

describe('apps/console/src/api/schema.d.ts', () => {
  it('is what openapi-typescript generates from docs/openapi.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attest-console-schema-'));
    try {
      const out = join(dir, 'schema.d.ts');
      execFileSync(process.execPath, [cliPath(), SPEC, '-o', out], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
      const generated = readFileSync(out, 'utf8');
      const committed = readFileSync(COMMITTED, 'utf8');
      if (generated !== committed) {
        throw new Error(
          `apps/console/src/api/schema.d.ts is out of date with ${SPEC}: run \`npm run console:client\` and commit the result.\n` +
            `First difference at ${firstDifference(committed, generated)}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
