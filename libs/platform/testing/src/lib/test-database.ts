import { randomBytes } from 'node:crypto';
import type { DataSource, MigrationInterface } from 'typeorm';
import { createDataSource, dropDatabase, ensureDatabase, runMigrations, withDatabase } from '@attest/database';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test suite, empty or with the given migrations applied, on the run's server: the embedded
 * one started by test/jest.global-setup.ts, or TEST_DATABASE_URL when set.
 */
export async function createTestDatabase(
  label = 'suite',
  options: { migrations?: readonly (new () => MigrationInterface)[]; /** Another server's superuser URL than the run's. */ adminUrl?: string } = {},
): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? process.env['TEST_DATABASE_URL'];
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set: run tests through jest (test/jest.config.cjs)');
  const name = `t_${label
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  if (options.migrations?.length) {
    const dataSource = createDataSource({ url, migrations: options.migrations });
    await dataSource.initialize();
    try {
      await runMigrations(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }
  return {
    url,
    name,
    drop: () => dropDatabase(adminUrl, name),
  };
}

/** Runs one migration's `up` or `down` in a transaction of its own, as the migration runner would: for migration specs. */
export async function runMigration(dataSource: DataSource, migration: MigrationInterface, direction: 'up' | 'down'): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    try {
      await migration[direction](runner);
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
  } finally {
    await runner.release();
  }
}
