import type { DataSource } from 'typeorm';
import type { Infrastructure } from '@attest/runtime';
import type { AppDependencies } from './app.module';

/** The app's dependencies that come straight from a started infrastructure; callers add the rest. */
export function infrastructureDependencies(
  infra: Infrastructure,
  appDataSource: DataSource,
  replicaDataSource: DataSource | null = null,
): Pick<
  AppDependencies,
  'dataSource' | 'appDataSource' | 'replicaDataSource' | 'store' | 'vault' | 'privacy' | 'outbox' | 'recordLog' | 'apiKeys' | 'projections'
> {
  return {
    dataSource: infra.dataSource,
    appDataSource,
    replicaDataSource,
    store: infra.store,
    vault: infra.vault,
    privacy: infra.privacy,
    outbox: infra.outbox,
    recordLog: infra.recordLog,
    apiKeys: infra.apiKeys,
    projections: infra.projections,
  };
}
