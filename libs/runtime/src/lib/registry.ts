import type { MigrationInterface } from 'typeorm';
import { eventStoreMigrations } from '@attest/event-store-postgres';
import { eventLogStatsMigrations, eventLogStatsProjection } from '@attest/operations-event-log-stats';
import { projectionMigrations, type Projection } from '@attest/projections';

type MigrationClass = new () => MigrationInterface;

/** Every migration, in the order the schemas depend on each other. */
export function migrationsFor(eventStore: 'postgres' | 'kurrentdb'): MigrationClass[] {
  return [...(eventStore === 'postgres' ? eventStoreMigrations : []), ...projectionMigrations, ...eventLogStatsMigrations];
}

/** Every projection the workers run; names are what `attest projections rebuild` takes. */
export const projections: readonly Projection[] = [eventLogStatsProjection];

export function findProjection(name: string): Projection | undefined {
  return projections.find((p) => p.name === name);
}
