import { expectEventually } from '@attest/testing';
import { ApiHarness } from './testing/api-harness';

describe('API (real Postgres, real HTTP)', () => {
  const api = new ApiHarness();
  let base: string;
  const logLines = api.logLines;

  beforeAll(async () => {
    await api.start('api');
    base = api.base;
  });

  afterAll(async () => {
    await api.stop();
  });

  it('is live', async () => {
    const res = await fetch(`${base}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('is ready when Postgres and the event store answer, and reports projections', async () => {
    await expectEventually(async () => {
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: 'ready',
        role: 'all',
        checks: { postgres: 'up', eventStore: 'up', eventStoreKind: 'postgres' },
        projections: {
          'event-log-stats': 'caught-up',
          access: 'caught-up',
          accounts: 'caught-up',
          'account-notifications': 'caught-up',
          customers: 'caught-up',
          consent: 'caught-up',
          requests: 'caught-up',
          'processing-record': 'caught-up',
          messaging: 'caught-up',
        },
      });
    });
  });

  it('serves Prometheus metrics with projection lag', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('attest_projection_lag_events{projection="event-log-stats"} 0');
    expect(text).toContain('attest_http_requests_total');
  });

  it('answers unknown routes with problem+json and echoes the correlation id', async () => {
    const res = await fetch(`${base}/no/such/route`, { headers: { 'X-Correlation-Id': 'corr-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('x-correlation-id')).toBe('corr-123');
    expect(await res.json()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'HTTP.NOT_FOUND',
      correlationId: 'corr-123',
    });
  });

  it('generates a correlation id when the caller sends none or a malformed one', async () => {
    const res = await fetch(`${base}/health/live`, { headers: { 'X-Correlation-Id': 'bad id with spaces' } });
    expect(res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('logs the route pattern, never the raw URL with its query string', async () => {
    await fetch(`${base}/health/live?email=canary.person%40example.com&phone=%2B8613800000000`);
    await expectEventually(() => {
      expect(logLines.some((l) => l.includes('"route":"/health/live"'))).toBe(true);
    });
    const all = logLines.join('');
    expect(all).not.toContain('canary');
    expect(all).not.toContain('13800000000');
  });
});

describe('a process in the worker role (ATTEST_ROLE=worker)', () => {
  const worker = new ApiHarness();

  beforeAll(async () => {
    await worker.start('worker_role', { role: 'worker' });
  });

  afterAll(async () => {
    await worker.stop();
  });

  it('answers for its health and metrics', async () => {
    expect((await worker.call('GET', '/health/live')).status).toBe(200);
    const ready = await worker.call('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', role: 'worker' });
    const metrics = await worker.call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('attest_projection_lag_events');
  });

  it('serves nothing else: the API, the console and the docs are the api role’s', async () => {
    const key = await worker.key('acme', ['org-admin']);
    for (const path of ['/v1/me', '/console/', '/docs', '/healthz']) {
      const res = await worker.call('GET', path, { key });
      expect({ path, status: res.status, problem: res.headers.get('content-type')?.startsWith('application/problem+json') }).toEqual({
        path,
        status: 404,
        problem: true,
      });
      expect(res.body).toMatchObject({ code: 'HTTP.WORKER_ROLE' });
    }
  });
});
