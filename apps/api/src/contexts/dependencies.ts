import type { DataSource } from 'typeorm';
import type { ApiKeyCache, ConsoleOidcOptions, KeyRecord, OidcOptions } from '@attest/access-infrastructure';
import type { EventStore } from '@attest/event-store';
import type { Clock } from '@attest/kernel';
import type { Outbox } from '@attest/notifications';
import type { Logger, Registry } from '@attest/observability';
import type { PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import type { PostgresRecordLog } from '@attest/processing-infrastructure';
import { InlineProjector, type Projection, type ProjectionRunner } from '@attest/projections';
import type { TimedJobsView } from '@attest/runtime';

/** What the API is built from: infrastructure made outside Nest and handed in. */
export interface AppDependencies {
  /** Owner connection: projections and health. */
  readonly dataSource: DataSource;
  /** Request-serving connection as `attest_app` (row-level security applies). */
  readonly appDataSource: DataSource;
  readonly store: EventStore;
  readonly registry: Registry;
  readonly runners: readonly ProjectionRunner[];
  readonly logger: Logger;
  readonly oidc: OidcOptions | null;
  readonly rateLimitPerMinute: number;
  readonly clock?: Clock;
  readonly vault: PostgresKeyVault;
  readonly privacy: ReadModelPrivacy;
  readonly outbox: Outbox;
  /** The processing record (owner connection for appends). */
  readonly recordLog: PostgresRecordLog;
  /** The projections bound to this infrastructure; each context module names those it applies inline. */
  readonly projections: readonly Projection[];
  /** Requests per minute per client address on public account flows. */
  readonly publicFlowPerMinute?: number;
  /** Public holidays (ISO dates): not working days for A11 deadlines. */
  readonly holidays?: readonly string[];
  /** The console's OIDC client (issuer, confidential client, the API's audience); null: the console signs in by link only. */
  readonly consoleOidc?: ConsoleOidcOptions | null;
  /** The built console (default: dist/apps/console); served under /console/. */
  readonly consoleDir?: string;
  /** API key rows kept across requests (the infrastructure's); without it every request reads the row. */
  readonly apiKeys?: ApiKeyCache<KeyRecord>;
  /** The timed jobs and what they will destroy per tenant (the runtime's); without it the timed-jobs route answers 404. */
  readonly timedJobs?: TimedJobsView;
  /** Tenants' webhook endpoints may be plain http on private or loopback addresses (development and tests only). */
  readonly tenantWebhooksAllowPrivate?: boolean;
  /** Whether the deployment has a receiver of its own (ATTEST_WEBHOOK_URL), as organizations are told. */
  readonly platformReceiver?: boolean;
}

/**
 * The projections a context applies inline after its commands (read-your-writes), by name.
 * An unknown name is a wiring error, refused at start-up.
 */
export function inlineProjector(deps: AppDependencies, names: readonly string[]): InlineProjector {
  const unknown = names.filter((n) => !deps.projections.some((p) => p.name === n));
  if (unknown.length > 0) throw new Error(`no projection named ${unknown.join(', ')} to apply inline`);
  return new InlineProjector(
    deps.dataSource,
    deps.store,
    deps.projections.filter((p) => names.includes(p.name)),
  );
}
