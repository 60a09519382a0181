import type { DataSource } from 'typeorm';
import type { AttestRole } from '@attest/config';
import type { ApiKeyCache, ConsoleOidcOptions, KeyRecord, OidcOptions } from '@attest/access-infrastructure';
import type { EventStore } from '@attest/event-store';
import type { Clock } from '@attest/kernel';
import type { Outbox } from '@attest/notifications';
import type { Logger, Registry } from '@attest/observability';
import type { PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import type { PostgresRecordLog } from '@attest/processing-infrastructure';
import { DecisionFactsCache, PostgresConsentReadModel } from '@attest/consent-infrastructure';
import { checkpoints, InlineProjector, type Projection, type ProjectionRunner } from '@attest/projections';
import type { TimedJobsView } from '@attest/runtime';

/** What the API is built from: infrastructure made outside Nest and handed in. */
export interface AppDependencies {
  /** What the process runs (ATTEST_ROLE; default `all`): a `worker` serves /health/* and /metrics only. */
  readonly role?: AttestRole;
  /** Owner connection: projections and health. */
  readonly dataSource: DataSource;
  /** Request-serving connection as `attest_app` (row-level security applies). */
  readonly appDataSource: DataSource;
  /** The same on a streaming replica (DATABASE_REPLICA_URL): reads naming a consistency token it has applied; null: none. */
  readonly replicaDataSource?: DataSource | null;
  /** ATTEST_PROJECTION_PARTITIONS: a replica has applied a partitioned projection only where every partition has. */
  readonly projectionPartitions?: Readonly<Record<string, number>>;
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
  /** Decision facts kept in memory (ADR 0016): subjects kept, and how long `atLeastAsFresh` waits; default 100,000 and 200 ms. */
  readonly decisionCache?: { readonly maxSubjects: number; readonly waitMs: number };
}

const caches = new WeakMap<AppDependencies, DecisionFactsCache>();

/** The process's decision facts in memory (one per app); started and stopped with the consent module. */
export function decisionFactsCache(deps: AppDependencies): DecisionFactsCache {
  let cache = caches.get(deps);
  if (!cache) {
    const logger = deps.logger;
    const consent = deps.projections.filter((p) => p.name === 'consent');
    cache = new DecisionFactsCache({
      store: deps.store,
      // The consent worker's checkpoint: every event before it is in the read model; a rebuild changes the generation.
      origin: async () => {
        const [projection] = consent;
        if (!projection) return { position: null, generation: 'no consent projection' };
        const checkpoint = await deps.dataSource.transaction((m) => checkpoints.ensure(m, projection));
        return { position: checkpoint.position, generation: `${String(checkpoint.version)}:${checkpoint.rebuiltAt?.toISOString() ?? 'never'}` };
      },
      reader: new PostgresConsentReadModel(deps.appDataSource, deps.dataSource),
      // The consent read model alone, applied to a batch's streams before memory drops their facts.
      applier: new InlineProjector(deps.dataSource, deps.store, consent),
      maxSubjects: deps.decisionCache?.maxSubjects ?? 100_000,
      waitMs: deps.decisionCache?.waitMs ?? 200,
      onError: (error) => {
        logger.warn(
          { err: error instanceof Error ? { name: error.name, message: error.message } : undefined },
          'decision facts stopped following the log; decisions read the database until it resumes',
        );
      },
    });
    caches.set(deps, cache);
  }
  return cache;
}

/**
 * The projections a context applies inline after its commands (read-your-writes), by name.
 * An unknown name is a wiring error, refused at start-up.
 */
export function inlineProjector(deps: AppDependencies, names: readonly string[]): InlineProjector {
  const unknown = names.filter((n) => !deps.projections.some((p) => p.name === n));
  if (unknown.length > 0) throw new Error(`no projection named ${unknown.join(', ')} to apply inline`);
  // A command that changes decision facts drops them from memory once applied: its next decision sees the write.
  const cache = names.includes('consent') ? decisionFactsCache(deps) : null;
  return new InlineProjector(
    deps.dataSource,
    deps.store,
    deps.projections.filter((p) => names.includes(p.name)),
    cache
      ? {
          afterCall: (streams) => {
            cache.changed(streams);
          },
        }
      : {},
  );
}
