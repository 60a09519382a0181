import pg from 'pg';
import { DataSource, type EntitySchema, type MigrationInterface } from 'typeorm';

type MigrationClass = new () => MigrationInterface;
// TypeORM accepts entity classes or schemas; classes are plain constructors.
type EntityDefinition = EntitySchema | (abstract new (...args: never[]) => object);

export interface DataSourceOptions {
  readonly url: string;
  readonly migrations: readonly MigrationClass[];
  readonly entities?: readonly EntityDefinition[];
  readonly poolSize?: number;
  readonly applicationName?: string;
  /** Switch every connection to this role (SET ROLE at connect); for the request-serving role. */
  readonly role?: string;
  /** Give up on a new connection after this long (default: wait as long as the driver does). */
  readonly connectTimeoutMs?: number;
  /** Cancel a statement that runs longer (the server's `statement_timeout`; default: none). */
  readonly statementTimeoutMs?: number;
}

/**
 * The TypeORM data source for read models and projections. Schema changes go
 * through migrations only: `synchronize` is off, always.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    migrations: [...options.migrations],
    entities: [...(options.entities ?? [])],
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'attest',
      ...(options.connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: options.connectTimeoutMs }),
      ...(startupOptions(options) ? { options: startupOptions(options) } : {}),
    },
  });
}

/** Settings every connection starts with (`-c name=value`), or null. */
function startupOptions(options: DataSourceOptions): string | null {
  const settings = [
    ...(options.role ? [`-c role=${options.role}`] : []),
    ...(options.statementTimeoutMs === undefined ? [] : [`-c statement_timeout=${String(Math.floor(options.statementTimeoutMs))}`]),
  ];
  return settings.length > 0 ? settings.join(' ') : null;
}

/**
 * Applies pending migrations; returns the names of those it ran. Processes that start together
 * on one database (several API and worker processes) take turns: each holds a session advisory
 * lock on a connection of its own meanwhile, so the second finds the first's work done instead
 * of running the same migration at the same time.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const url = (dataSource.options as { url?: string }).url;
  const lock = url ? new pg.Client({ connectionString: url, application_name: 'attest-migrations' }) : null;
  if (lock) {
    await lock.connect();
    await lock.query(`SELECT pg_advisory_lock(hashtextextended('attest-migrations', 0))`);
  }
  try {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    // Ending the session releases the lock.
    await lock?.end();
  }
}
