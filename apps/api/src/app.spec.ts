import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@attest/config';
import { createLogger, createMetricsRegistry } from '@attest/observability';
import { ProjectionMetrics } from '@attest/projections';
import { startInfrastructure, startProjectionWorkers, type Infrastructure } from '@attest/runtime';
import { createTestDatabase, expectEventually, type TestDatabase } from '@attest/testing';
import type { ProjectionRunner } from '@attest/projections';
import { createApp } from './app';

describe('API (real Postgres, real HTTP)', () => {
  let db: TestDatabase;
  let infra: Infrastructure;
  let app: NestFastifyApplication;
  let runners: ProjectionRunner[];
  let base: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('api');
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ level: 'info', name: 'attest-api-test' }, sink);
    infra = await startInfrastructure(loadConfig({ DATABASE_URL: db.url, EVENT_STORE_POLL_INTERVAL_MS: '50' }), logger);
    await infra.migrate();
    const registry = createMetricsRegistry({ defaultMetrics: false });
    runners = startProjectionWorkers(infra, logger, new ProjectionMetrics(registry));
    app = await createApp({ dataSource: infra.dataSource, store: infra.store, registry, runners, logger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
    await Promise.all(runners.map((r) => r.stop()));
    await infra.stop();
    await db.drop();
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
        checks: { postgres: 'up', eventStore: 'up', eventStoreKind: 'postgres' },
        projections: { 'event-log-stats': 'caught-up' },
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
