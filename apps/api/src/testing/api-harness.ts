import type { AttestRole } from '@attest/config';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResponseCheck } from './response-check';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { JWTVerifyGetKey } from 'jose';
import type { Role } from '@attest/access-domain';
import { loadConfig } from '@attest/config';
import { logContext } from '@attest/http';
import type { Clock } from '@attest/kernel';
import { createLogger, createMetricsRegistry } from '@attest/observability';
import { ProjectionMetrics, type ProjectionRunner } from '@attest/projections';
import { issueApiKeyFromConsole, startInfrastructure, startProjectionWorkers, timedJobsView, type Infrastructure } from '@attest/runtime';
import { withDatabase } from '@attest/database';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { generateSignerKey } from '@attest/transparency';
import { createApp } from '../app';
import { INLINE_PROJECTIONS } from '../app.module';
import { infrastructureDependencies } from '../infrastructure-dependencies';

export interface HarnessOptions {
  readonly rateLimitPerMinute?: number;
  readonly oidc?: { issuer: string; audience: string; jwks: JWTVerifyGetKey };
  readonly clock?: Clock;
  readonly workers?: boolean;
  readonly publicFlowPerMinute?: number;
  /** A console build to serve under /console/ (default: dist/apps/console, when built). */
  readonly consoleDir?: string;
  /** The console's OIDC client (needs `oidc` for the access tokens it brings back). */
  readonly consoleOidc?: { readonly clientId: string; readonly clientSecret: string };
  /** Listen on this port (default: any free one), e.g. when a provider must know the callback address first. */
  readonly port?: number;
  /** What the process runs (ATTEST_ROLE; default all). */
  readonly role?: AttestRole;
  /** Another server than the run's (superuser URLs): the database is made there, and read from its replica when given. */
  readonly server?: { readonly adminUrl: string; readonly replicaAdminUrl?: string };
}

export interface CallOptions {
  readonly key?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/** A real API on a real database, listening on a random port, with captured logs. */
export class ApiHarness {
  readonly logLines: string[] = [];
  infra!: Infrastructure;
  app!: NestFastifyApplication;
  base!: string;
  private db!: TestDatabase;
  /** This harness's master key (base64), for a second process or a copy of its log. */
  readonly masterKey = randomBytes(32).toString('base64');
  runners: ProjectionRunner[] = [];
  /** With ATTEST_RECORD_EXAMPLES=<dir> (`npm run openapi:examples`), the answers seen are written there at stop. */
  private readonly examplesDir = process.env['ATTEST_RECORD_EXAMPLES'] ?? null;
  private readonly responses = new ResponseCheck(this.examplesDir !== null);

  async start(label: string, options: HarnessOptions = {}): Promise<this> {
    this.db = await createTestDatabase(label, options.server ? { adminUrl: options.server.adminUrl } : {});
    const lines = this.logLines;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', name: 'attest-api-test', mixin: logContext }, sink);
    const config = loadConfig({
      DATABASE_URL: this.db.url,
      ATTEST_MASTER_KEY: this.masterKey,
      ATTEST_RECORD_SIGNER_KEY: generateSignerKey('attest.local/processing-record'),
      EVENT_STORE_POLL_INTERVAL_MS: '50',
      ...(options.server?.replicaAdminUrl ? { DATABASE_REPLICA_URL: withDatabase(options.server.replicaAdminUrl, this.db.name) } : {}),
    });
    this.infra = await startInfrastructure(config, logger);
    await this.infra.migrate();
    const appDataSource = await this.infra.connectApp();
    const registry = createMetricsRegistry({ defaultMetrics: false });
    this.runners =
      options.workers === false ? [] : startProjectionWorkers(this.infra, logger, { metrics: new ProjectionMetrics(registry), inline: INLINE_PROJECTIONS });
    this.app = await createApp({
      ...(options.role ? { role: options.role } : {}),
      publicFlowPerMinute: options.publicFlowPerMinute ?? 100_000,
      ...infrastructureDependencies(this.infra, appDataSource, await this.infra.connectReplica()),
      timedJobs: timedJobsView(this.infra, config),
      tenantWebhooksAllowPrivate: true,
      platformReceiver: true,
      registry,
      runners: this.runners,
      logger,
      oidc: options.oidc ? { ...options.oidc, tenantClaim: 'tenant_id', rolesClaim: 'roles' } : null,
      rateLimitPerMinute: options.rateLimitPerMinute ?? 100_000,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
      ...(options.consoleOidc && options.oidc ? { consoleOidc: { issuer: options.oidc.issuer, audience: options.oidc.audience, ...options.consoleOidc } } : {}),
    });
    await this.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
    this.base = await this.app.getUrl();
    return this;
  }

  /** The owner URL of this harness's database (for scans). */
  get databaseUrl(): string {
    return this.db.url;
  }

  async stop(): Promise<void> {
    if (this.examplesDir !== null)
      writeFileSync(join(this.examplesDir, `${randomBytes(6).toString('hex')}.json`), JSON.stringify(Object.fromEntries(this.responses.seen)));
    await this.app.close();
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.infra.stop();
    await this.db.drop();
  }

  async key(tenantId: string, roles: readonly Role[]): Promise<string> {
    return (await issueApiKeyFromConsole(this.infra, tenantId, roles, 'test', 30)).key;
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key) headers['authorization'] = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    // JSON only when it says so: a text/plain answer of digits (a webhook challenge) stays text.
    if ((res.headers.get('content-type') ?? 'application/json').includes('json')) {
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON after all
      }
    }
    // Every success answer is checked against the API description.
    const mismatch = this.responses.problem(method, path, res.status, res.headers.get('content-type'), body);
    if (mismatch) throw new Error(mismatch);
    return { status: res.status, headers: res.headers, body, text };
  }

  /** Number of events in the store (a write shows up here). */
  async eventCount(): Promise<number> {
    return this.infra.store.countAfter(undefined, undefined, 1_000_000);
  }
}
