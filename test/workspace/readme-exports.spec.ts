import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

// Every lib README names everything the lib exports (issue 21, item 8): a newcomer reads
// what a lib offers without opening its code, and an export added without a word fails here.
const root = join(__dirname, '..', '..');

interface Entry {
  readonly alias: string;
  readonly file: string;
  readonly readme: string;
}

function entries(): Entry[] {
  const config = ts.readConfigFile(join(root, 'tsconfig.base.json'), (p) => ts.sys.readFile(p)).config as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const out: Entry[] = [];
  for (const [alias, [target]] of Object.entries(config.compilerOptions.paths)) {
    if (!target?.startsWith('./libs/')) continue;
    const file = join(root, target);
    // The lib's folder is the one holding project.json above its entry point.
    let dir = dirname(file);
    while (!existsSync(join(dir, 'project.json')) && dir !== root) dir = dirname(dir);
    out.push({ alias, file, readme: join(dir, 'README.md') });
  }
  return out;
}

/** Mentioned as a name of its own: not as part of a longer identifier or of a dotted code such as `EVENT_STORE.UNAVAILABLE`. */
function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[$]/g, '\\$');
  return new RegExp(`(?<![\\w.$])${escaped}(?![\\w$]|\\.[A-Z])`).test(text);
}

describe('lib READMEs', () => {
  it('name every export of their lib (each entry point, types included)', () => {
    const all = entries();
    expect(all.length).toBeGreaterThan(40);
    const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), (p) => ts.sys.readFile(p)).config as object;
    const { options } = ts.parseJsonConfigFileContent(base, ts.sys, root);
    const program = ts.createProgram(
      all.map((e) => e.file),
      { ...options, noEmit: true, skipLibCheck: true },
    );
    const checker = program.getTypeChecker();
    const missing: string[] = [];
    for (const entry of all) {
      const source = program.getSourceFile(entry.file);
      const symbol = source && checker.getSymbolAtLocation(source);
      expect({ entry: entry.alias, resolved: symbol !== undefined }).toEqual({ entry: entry.alias, resolved: true });
      if (!symbol) continue;
      const readme = existsSync(entry.readme) ? readFileSync(entry.readme, 'utf8') : '';
      for (const exported of checker.getExportsOfModule(symbol)) {
        const name = exported.getName();
        if (!mentions(readme, name)) missing.push(`${relative(root, entry.readme)}: ${name} (${entry.alias})`);
      }
    }
    expect(missing).toEqual([]);
  }, 120_000);

  it('tells a mention from a longer identifier or a dotted code', () => {
    expect(mentions('uses `EVENT_STORE` to inject', 'EVENT_STORE')).toBe(true);
    expect(mentions('code EVENT_STORE.UNAVAILABLE only', 'EVENT_STORE')).toBe(false);
    expect(mentions('see EventStoreError.', 'EventStoreError')).toBe(true);
    expect(mentions('PostgresEventStoreOptions', 'PostgresEventStore')).toBe(false);
    expect(mentions('`Outbox.enqueue(manager, …)` writes a row', 'Outbox')).toBe(true);
  });
});
