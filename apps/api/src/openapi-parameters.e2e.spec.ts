import { readFileSync } from 'node:fs';
import { uuidv7 } from '@attest/kernel';
import { ApiHarness, type ApiResponse } from './testing/api-harness';
import { OPENAPI_FILE } from './openapi';

/**
 * N4: every parameter of every documented operation (path, query, header),
 * read from docs/openapi.json so that a new route is covered without touching
 * this file, gets hostile values: never a 5xx, every refusal problem+json,
 * nothing written. Numbers that are not safe, non-negative whole numbers and
 * strings with NUL, control characters or broken UTF-8 are refused with 400.
 */
interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly schema?: { readonly type?: string; readonly enum?: readonly unknown[] };
}
interface Operation {
  readonly parameters?: readonly Parameter[];
}
const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, Operation>> };

/** Values that must be refused (400): not a whole number, signed where that is not allowed, past 2^53, NUL. */
const BAD_NUMBERS = ['-1', '99999999999999999999', '9007199254740993', '1.5', 'abc', '%00', '1e2', '0x10', '01', '%205'];
/** Text that is never valid in an identifier or filter. */
const BAD_TEXT = ['%00', 'a%00b', '%0A', '%FF', '%C0%80', '%ED%A0%80'];
/** Text that may be accepted or refused, but never answered with a 5xx. */
const ODD_TEXT = ['x'.repeat(4000), '..%2F..%2Fetc', "'%20OR%201%3D1--", '%E5%BC%A0%E4%B8%89', '-1', '99999999999999999999'];
const BAD_HEADERS = ['x'.repeat(300), 'é', '%00', ' '];

interface Case {
  readonly operation: string;
  readonly method: string;
  readonly parameter: Parameter;
  readonly value: string;
  /** The value must be refused with 400 (else: only no 5xx). */
  readonly refused: boolean;
}

const numeric = (p: Parameter): boolean => p.schema?.type === 'integer' || p.schema?.type === 'number';

function casesOf(path: string, method: string, parameter: Parameter): Case[] {
  const at = (value: string, refused: boolean): Case => ({
    operation: `${method.toUpperCase()} ${path}`,
    method: method.toUpperCase(),
    parameter,
    value,
    refused,
  });
  if (parameter.in === 'header') return BAD_HEADERS.map((v) => at(v, false));
  if (numeric(parameter)) return BAD_NUMBERS.map((v) => at(v, true));
  if (parameter.schema?.enum) return [...BAD_TEXT.map((v) => at(v, true)), at('not-one-of-them', true)];
  // Path segments past Fastify's parameter length are 414 (HTTP.URI_TOO_LONG); shorter odd text is enough there.
  return [...BAD_TEXT.map((v) => at(v, true)), ...ODD_TEXT.filter((v) => parameter.in === 'query' || v.length < 100).map((v) => at(v, false))];
}

const CASES: Case[] = Object.entries(document.paths).flatMap(([path, operations]) =>
  Object.entries(operations).flatMap(([method, operation]) =>
    (operation.parameters ?? []).filter((p) => p.in !== 'cookie').flatMap((p) => casesOf(path, method, p)),
  ),
);

describe('every documented parameter refuses hostile values (N4; generated from docs/openapi.json)', () => {
  const api = new ApiHarness();
  let tenantKey: string;
  let operatorKey: string;

  beforeAll(async () => {
    await api.start('openapi_parameters', { workers: false });
    tenantKey = await api.key(`fuzz-${uuidv7().slice(-8)}`, ['org-admin', 'compliance-officer', 'dsr-handler', 'service']);
    operatorKey = await api.key('platform', ['platform-operator']);
  }, 60_000);

  afterAll(async () => {
    await api.stop();
  });

  it('covers every operation that has parameters, and each kind of parameter', () => {
    const operations = new Set(CASES.map((c) => c.operation));
    const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => (op.parameters ?? []).length > 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect([...operations].sort()).toEqual(documented.sort());
    expect(new Set(CASES.map((c) => c.parameter.in))).toEqual(new Set(['path', 'query', 'header']));
    expect(CASES.some((c) => numeric(c.parameter) && c.parameter.in === 'path')).toBe(true);
  });

  it('answers every case without a 5xx, refusals as problem+json, and writes nothing', async () => {
    const before = await api.eventCount();
    const failures: string[] = [];
    for (const c of CASES) {
      const [template = '', ...rest] = c.operation.split(' ').slice(1);
      let path = `${template}${rest.join(' ')}`.replace(/\{([^}]+)\}/gu, (_m, name: string) =>
        name === c.parameter.name && c.parameter.in === 'path' ? c.value : uuidv7(),
      );
      const headers: Record<string, string> = { 'x-purpose': 'customer-support' };
      if (c.parameter.in === 'query') path += `?${encodeURIComponent(c.parameter.name)}=${c.value}`;
      if (c.parameter.in === 'header') headers[c.parameter.name.toLowerCase()] = c.value;
      const key = path.startsWith('/v1/platform/') ? operatorKey : tenantKey;
      let res: ApiResponse;
      try {
        res = await api.call(c.method, path, { key, headers, ...(c.method === 'GET' || c.method === 'DELETE' ? {} : { body: {} }) });
      } catch (error) {
        failures.push(`${c.operation} ${c.parameter.in}:${c.parameter.name}=${c.value.slice(0, 20)}: no answer (${String(error)})`);
        continue;
      }
      const label = `${c.operation} ${c.parameter.in}:${c.parameter.name}=${c.value.slice(0, 20)} → ${String(res.status)}`;
      if (res.status >= 500) failures.push(`${label} (5xx)`);
      else if (c.refused && res.status !== 400) failures.push(`${label} (expected 400)`);
      else if (res.status >= 400 && !(res.headers.get('content-type') ?? '').startsWith('application/problem+json'))
        failures.push(`${label} (not problem+json)`);
    }
    expect(failures).toEqual([]);
    expect(await api.eventCount()).toBe(before);
  }, 180_000);

  it('an empty body sent as application/json is an empty object: body-less steps run, body routes answer with field errors', async () => {
    const requestId = uuidv7();
    for (const step of ['start', 'verification-codes', 'execution']) {
      const res = await fetch(`${api.base}/v1/data-subject-requests/${requestId}/${step}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenantKey}`, 'content-type': 'application/json' },
      });
      expect([step, res.status]).toEqual([step, 404]);
    }
    const customers = await fetch(`${api.base}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenantKey}`, 'content-type': 'application/json' },
    });
    expect(await customers.json()).toMatchObject({ status: 400, code: 'VALIDATION.FAILED' });
    const malformed = await fetch(`${api.base}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenantKey}`, 'content-type': 'application/json' },
      body: '{"profile":',
    });
    expect(await malformed.json()).toMatchObject({ status: 400, code: 'HTTP.MALFORMED_BODY' });
  });

  it('a path parameter the router cannot decode is problem+json too', async () => {
    const res = await api.call('GET', '/v1/customers/%FF', { key: tenantKey, headers: { 'x-purpose': 'customer-support' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'HTTP.BAD_URL' });
  });
});
