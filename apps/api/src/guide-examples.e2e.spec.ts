import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { uuidv7 } from '@attest/kernel';
import { OPENAPI_FILE } from './openapi';
import { ApiHarness } from './testing/api-harness';
import { templatePattern } from './testing/response-check';

/**
 * The guides' request examples are a contract: every request a guide or the
 * README shows names a documented operation, and every one with concrete
 * values (a JSON body, a query) is sent to a running API and must not be
 * refused for its form (VALIDATION.FAILED, HTTP.MALFORMED_BODY) or answered
 * with a 5xx. Ids in the examples are placeholders, so a 404 is fine.
 */
const ROOT = join(__dirname, '..', '..', '..');
const SOURCES = [
  ...readdirSync(join(ROOT, 'docs', 'guides'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', 'guides', f)),
  'README.md',
  join('docs', 'runbook.md'),
];

interface Example {
  readonly source: string;
  readonly method: string;
  readonly path: string;
  /** The body as written, when it is JSON with concrete values. */
  readonly body: unknown;
  /** Whether the example is concrete enough to send (no `…`, no `{field, …}` shorthand). */
  readonly concrete: boolean;
}

/** The text between balanced braces from `start`, or null. */
function braces(text: string, start: number): string | null {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth += 1;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}

function parseBody(text: string | null): { body: unknown; concrete: boolean } {
  if (text === null) return { body: undefined, concrete: true };
  if (text.includes('…')) return { body: undefined, concrete: false };
  try {
    return { body: JSON.parse(text) as unknown, concrete: true };
  } catch {
    return { body: undefined, concrete: false };
  }
}

function examplesIn(source: string): Example[] {
  const text = readFileSync(join(ROOT, source), 'utf8').replace(/\\\n\s*/gu, ' ');
  const found: Example[] = [];
  const add = (method: string, rawPath: string, bodyText: string | null): void => {
    const { body, concrete } = parseBody(bodyText);
    // `…/accept|decline`: one example each.
    const [head = '', ...alternatives] = rawPath.split('|');
    const paths = alternatives.length === 0 ? [head] : [head, ...alternatives.map((a) => head.replace(/[^/]+$/u, a))];
    for (const path of paths) found.push({ source, method, path, body, concrete: concrete && !path.includes('…') && !/=(&|$)/u.test(path) });
  };
  // curl commands (code blocks): method, URL, and a -d body.
  for (const m of text.matchAll(/curl\b[^\n]*/gu)) {
    const line = m[0];
    const url = /(?:\$[A-Z_]+|https?:\/\/[^/\s]+)(\/v1\/[^\s'"]*)/u.exec(line);
    if (!url?.[1]) continue;
    const data = /-d\s+'\{/u.exec(line);
    const bodyStart = data ? m.index + data.index + data[0].length - 1 : -1;
    add(/-X\s+([A-Z]+)/u.exec(line)?.[1] ?? (bodyStart >= 0 ? 'POST' : 'GET'), url[1], bodyStart >= 0 ? braces(text, bodyStart) : null);
  }
  // Inline `METHOD /v1/path {json}` in prose.
  for (const m of text.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/v1\/[^\s`]*)( \{)?/gu)) {
    add(m[1] ?? 'GET', m[2] ?? '', m[3] ? braces(text, m.index + m[0].length - 1) : null);
  }
  return found;
}

/** The README shows an unknown route on purpose (its 404 problem+json). */
const EXAMPLES = SOURCES.flatMap(examplesIn).filter((e) => e.path !== '/v1/nope');
const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: { type?: string } }[]; requestBody?: unknown }>>;
};
const operations = Object.entries(document.paths)
  .flatMap(([template, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      template,
      op,
      params: (template.match(/\{/gu) ?? []).length,
      pattern: templatePattern(template),
    })),
  )
  .sort((a, b) => a.params - b.params);

/** The documented operation an example's path names, matching `{placeholders}` and `$VARS` as parameters. */
function operationOf(method: string, path: string): (typeof operations)[number] | undefined {
  const bare = (path.split('?')[0] ?? '').replace(/\{[^}]+\}|\$[A-Z_]+|…/gu, 'x');
  return operations.find((o) => o.method === method && o.pattern.test(bare));
}

describe('the guides’ request examples run against the API', () => {
  const api = new ApiHarness();
  let operator: string;

  beforeAll(async () => {
    await api.start('guide_examples', { workers: false });
    operator = await api.key('platform', ['platform-operator']);
  }, 60_000);

  afterAll(async () => {
    await api.stop();
  });

  it('finds the examples', () => {
    expect(EXAMPLES.length).toBeGreaterThan(60);
    expect(EXAMPLES.filter((e) => e.body !== undefined).length).toBeGreaterThan(10);
  });

  it('every example names a documented operation', () => {
    const unknown = EXAMPLES.filter((e) => !operationOf(e.method, e.path)).map((e) => `${e.source}: ${e.method} ${e.path}`);
    expect(unknown).toEqual([]);
  });

  it('every concrete example is accepted as to its form: no field errors, no malformed body, no 5xx', async () => {
    const refused: string[] = [];
    let sent = 0;
    for (const example of EXAMPLES.filter((e) => e.concrete)) {
      const op = operationOf(example.method, example.path);
      // A route named in prose without its body ("`POST /v1/decisions/bulk` with up to …") is not an example to send.
      if (!op || (example.body === undefined && op.op.requestBody !== undefined)) continue;
      // Each example on a tenant of its own: an example that closes the tenant affects no other.
      const key = example.path.startsWith('/v1/platform/')
        ? operator
        : await api.key(`guide-${uuidv7().slice(-12)}`, ['org-admin', 'compliance-officer', 'dsr-handler', 'service']);
      const integers = new Set(
        (op.op.parameters ?? []).filter((p) => p.in === 'path' && (p.schema?.type === 'integer' || p.schema?.type === 'number')).map((p) => p.name),
      );
      const templateParts = op.template.split('/');
      const [bare = '', query] = example.path.split('?');
      const path = bare
        .split('/')
        .map((part, i) => (/^\{.*\}$|^\$[A-Z_]+$/u.test(part) ? (integers.has((templateParts[i] ?? '').replace(/[{}]/gu, '')) ? '0' : uuidv7()) : part))
        .join('/');
      const res = await api.call(example.method, `${path}${query ? `?${query}` : ''}`, {
        key,
        headers: { 'x-purpose': 'customer-support' },
        ...(example.body !== undefined ? { body: example.body } : example.method === 'GET' || example.method === 'DELETE' ? {} : { body: {} }),
      });
      sent += 1;
      const code = (res.body as { code?: string } | null)?.code ?? '';
      if (res.status >= 500 || (res.status === 400 && (code === 'VALIDATION.FAILED' || code === 'HTTP.MALFORMED_BODY'))) {
        refused.push(
          `${example.source}: ${example.method} ${example.path} → ${String(res.status)} ${code} ${JSON.stringify((res.body as { errors?: unknown } | null)?.errors ?? '')}`,
        );
      }
    }
    expect(refused).toEqual([]);
    expect(sent).toBeGreaterThan(30);
  }, 120_000);
});
