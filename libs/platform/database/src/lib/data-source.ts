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
      ...(options.role ? { options: `-c role=${options.role}` } : {}),
    },
  });
}

/** Applies pending migrations; returns the names of those it ran. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  return ran.map((m) => m.name);
}
