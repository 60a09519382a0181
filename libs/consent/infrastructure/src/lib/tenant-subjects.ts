import type { DataSource } from 'typeorm';

/** Every data subject a tenant ever had, erased ones included (the consent read model keeps their tombstone), in id order. */
export async function subjectsOfTenant(owner: DataSource, tenantId: string): Promise<string[]> {
  const rows = await owner.query<{ customer_id: string }[]>(
    `SELECT customer_id::text AS customer_id FROM consent.subjects_v1 WHERE tenant_id = $1 ORDER BY customer_id`,
    [tenantId],
  );
  return rows.map((r) => r.customer_id);
}
