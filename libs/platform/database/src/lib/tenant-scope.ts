import type { DataSource, EntityManager } from 'typeorm';

/** Name of the database role request-serving queries run as (no table ownership, RLS applies). */
export const APP_ROLE = 'attest_app';

/**
 * Runs `work` in a transaction whose row-level-security tenant is `tenantId`:
 * policies on every tenant table compare `tenant_id` with it. Queries scoped
 * to a tenant must go through here; the application filter is the first line,
 * RLS the second.
 */
export async function withTenant<T>(dataSource: DataSource, tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('attest.tenant_id', $1, true)`, [tenantId]);
    return work(manager);
  });
}
