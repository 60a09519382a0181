import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

// Guards the guard: @nx/enforce-module-boundaries silently skips itself when
// no project graph is cached, so prove it still fires on a forbidden import.
const root = join(__dirname, '..', '..');

interface LintResult {
  messages: { ruleId: string | null; message: string }[];
}

// ESLint loads its config with a dynamic import, which jest's VM refuses: run the CLI.
function lint(relativePath: string, extraImport: string): string[] {
  const source = readFileSync(join(root, relativePath), 'utf8');
  const run = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', relativePath], {
    cwd: root,
    input: `${extraImport}\n${source}`,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  const results = JSON.parse(run.stdout) as LintResult[];
  return results.flatMap((r) => r.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`));
}

describe('module boundaries', () => {
  beforeAll(() => {
    // The rule reads Nx's cached project graph; make sure it exists.
    const nx = spawnSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    expect(nx.status).toBe(0);
  }, 60_000);

  it('refuse a domain lib importing an infrastructure lib', () => {
    const messages = lint('libs/shared/kernel/src/lib/json.ts', "export { PostgresEventStore } from '@attest/event-store-postgres';");
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  }, 60_000);

  it('refuse Node built-ins and frameworks in the domain layer', () => {
    const messages = lint('libs/shared/kernel/src/lib/json.ts', "export { randomUUID } from 'node:crypto';");
    expect(messages.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
  }, 60_000);

  it('let a context import another context’s published event types, and refuse its values', () => {
    const file = 'libs/customers/infrastructure/src/lib/customers.projection.ts';
    expect(lint(file, "import type { AccountEvent } from '@attest/accounts-domain';\nexport type A = AccountEvent;")).toEqual([]);
    const messages = lint(file, "import { accountDecider } from '@attest/accounts-domain';\nexport const d = accountDecider;");
    expect(messages.some((m) => m.startsWith('@typescript-eslint/no-restricted-imports') && m.includes('published event types only'))).toBe(true);
    // Beyond the domain, another context stays out of reach.
    expect(
      lint(file, "import type { AccountContacts } from '@attest/accounts-application';\nexport type C = AccountContacts;").some((m) =>
        m.startsWith('@nx/enforce-module-boundaries'),
      ),
    ).toBe(true);
  }, 60_000);

  it('keep the composition root (libs/runtime) off the HTTP layer, and every context lib off the composition root', () => {
    const fromRuntime = lint('libs/runtime/src/lib/registry.ts', "export { ConsentModule } from '@attest/consent-api';");
    expect(fromRuntime.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
    const intoRuntime = lint('libs/consent/application/src/lib/receipts.ts', "export type { Infrastructure } from '@attest/runtime';");
    expect(intoRuntime.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  }, 60_000);

  it('accept the files as they are', () => {
    expect(lint('libs/shared/kernel/src/lib/json.ts', '')).toEqual([]);
  }, 60_000);
});

describe('the documentation index', () => {
  it('lists every ADR', () => {
    const index = readFileSync(join(root, 'docs', 'README.md'), 'utf8');
    const adrs = readdirSync(join(root, 'docs', 'adr')).filter((f) => f.endsWith('.md'));
    expect(adrs.filter((f) => !index.includes(`adr/${f}`))).toEqual([]);
    expect(adrs.length).toBeGreaterThan(10);
  });
});
