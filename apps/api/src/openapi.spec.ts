import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApi, OPENAPI_FILE, serialise } from './openapi';
import { chooseExamples } from './openapi-examples';
import { committedResponseSchemas, generateResponseSchemas } from './response-schemas';
import { ResponseCheck } from './testing/response-check';

interface Operation {
  readonly responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
  readonly 'x-always-refused'?: boolean;
}
const committedDocument = (): { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } } =>
  JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

describe('OpenAPI', () => {
  it('names every request and response class once: the document keys schemas by class name and keeps only one of two namesakes', () => {
    // Two `ContactDto` classes once made the published schema of a data-subject request demand the
    // accounts contact's `name`, which the requests API refuses.
    const root = join(__dirname, '..', '..', '..');
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
        return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
      });
    const files = [join(root, 'apps', 'api', 'src'), join(root, 'libs')]
      .flatMap(sources)
      .filter((file) => readFileSync(file, 'utf8').includes('@nestjs/swagger'));
    const declared = new Map<string, string[]>();
    for (const file of files) {
      for (const [, name] of readFileSync(file, 'utf8').matchAll(/^(?:export )?class (\w+)/gm)) {
        if (name !== undefined) declared.set(name, [...(declared.get(name) ?? []), file.slice(root.length + 1)]);
      }
    }
    expect(declared.size).toBeGreaterThan(100);
    expect([...declared].filter(([, where]) => where.length > 1)).toEqual([]);
  });

  it('docs/openapi.json is what the running app describes (run `npm run openapi` after changing routes)', async () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    expect(serialise(await generateOpenApi())).toBe(committed);
  });

  it('documents every route with its error responses as problem+json', async () => {
    const doc = await generateOpenApi();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }>).map(
        ([method, op]) => ({
          path,
          method,
          op,
        }),
      ),
    );
    expect(operations.length).toBeGreaterThanOrEqual(9);
    for (const { path, method, op } of operations) {
      // Public routes (registration, one-time codes, invitations) take no credentials: no 401/403.
      const expected = op.security ? ['401', '403', '429', '500'] : ['429', '500'];
      for (const status of expected) {
        expect({ route: `${method} ${path}`, status, problem: Boolean(op.responses[status]?.content?.['application/problem+json']) }).toEqual({
          route: `${method} ${path}`,
          status,
          problem: true,
        });
      }
    }
  });

  it('the response schemas are those of the TypeScript types the routes answer with (run `npm run openapi` after changing one)', async () => {
    expect(await generateResponseSchemas()).toEqual(committedResponseSchemas());
  }, 60_000);

  it('documents the success answer of every operation as a schema (JSON, CSV or HTML), so a generated client is typed everywhere', () => {
    const doc = committedDocument();
    const untyped: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (op['x-always-refused']) continue;
        const typed = Object.entries(op.responses).some(
          ([status, r]) => status === '204' || (status.startsWith('2') && Object.values(r.content ?? {}).some((c) => c.schema !== undefined)),
        );
        if (!typed) untyped.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(untyped).toEqual([]);
    // Every reference resolves.
    const dangling = [...JSON.stringify(doc).matchAll(/#\/components\/schemas\/([^"]+)"/gu)]
      .map((m) => m[1] ?? '')
      .filter((name) => !(name in doc.components.schemas));
    expect([...new Set(dangling)]).toEqual([]);
  });

  it('shows an example of every success answer, recorded from a real answer, and each still matches its schema (`npm run openapi:examples` records them afresh)', () => {
    const doc = committedDocument();
    const check = new ResponseCheck();
    const missing: string[] = [];
    const drifted: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (op['x-always-refused']) continue;
        for (const [status, response] of Object.entries(op.responses)) {
          if (!status.startsWith('2')) continue;
          for (const [media, content] of Object.entries(response.content ?? {})) {
            const key = `${method.toUpperCase()} ${path} ${status} ${media}`;
            if (content.example === undefined) missing.push(key);
            else if (media === 'application/json') {
              const mismatch = check.mismatch(key, content.schema, content.example);
              if (mismatch) drifted.push(mismatch);
            } else if (typeof content.example !== 'string' || content.example.length === 0) drifted.push(`${key}: a ${media} example is text`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
    expect(drifted).toEqual([]);
  });

  it('picks the example that shows most, cuts lists and long documents, and never shows an API key', () => {
    const key = 'atk_live_0123456789abcdefghijklmnopqrstuvwxyzABCDEF';
    const chosen = chooseExamples([
      { 'GET /v1/x 200 application/json': [[], [{ a: 1 }, { a: 2 }, { a: 3 }]], 'POST /v1/keys 201 application/json': [{ key, id: 'k' }] },
      { 'GET /v1/x 200 application/json': [[{ a: 1, b: null }]], 'GET /v1/page 200 text/html': ['<p>line</p>\n'.repeat(400)] },
    ]);
    expect(chosen['GET /v1/x 200 application/json']).toEqual([{ a: 1 }, { a: 2 }]);
    expect(JSON.stringify(chosen)).not.toContain(key);
    expect(chosen['POST /v1/keys 201 application/json']).toEqual({ key: expect.stringMatching(/^atk_EXAMPLE/u) as unknown, id: 'k' });
    const page = String(chosen['GET /v1/page 200 text/html']);
    expect(page.length).toBeLessThan(1_600);
    expect(page.endsWith('\n…')).toBe(true);
  });
});
