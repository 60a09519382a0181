import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tenant's own webhook endpoint (its URL, its signing secret sealed under a key of its own),
 * and on every outbox row who it is for and where it went: `audience` `person` (a message to a
 * person's contact: one-time codes, invitations, account notices — always the deployment's
 * delivery gateway) or `tenant` (a notice for the tenant's systems: deadlines, erasures, warnings
 * — the tenant's endpoint when it has one); `destination` the endpoint of the last attempt.
 * Rows written before this migration keep going where they went: the deployment's gateway.
 */
export class TenantWebhooks1765500000900 implements MigrationInterface {
  readonly name = 'TenantWebhooks1765500000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications.tenant_endpoints (
        tenant_id text PRIMARY KEY,
        url text NOT NULL,
        secret jsonb NOT NULL,
        secret_set_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
    await q.query(`ALTER TABLE notifications.outbox ADD COLUMN audience text NOT NULL DEFAULT 'person' CHECK (audience IN ('person', 'tenant'))`);
    await q.query(`ALTER TABLE notifications.outbox ALTER COLUMN audience DROP DEFAULT`);
    await q.query(`ALTER TABLE notifications.outbox ADD COLUMN destination text CHECK (destination IN ('deployment', 'tenant'))`);
    await q.query(`CREATE INDEX outbox_tenant ON notifications.outbox (tenant_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notifications.outbox_tenant`);
    await q.query(`ALTER TABLE notifications.outbox DROP COLUMN destination`);
    await q.query(`ALTER TABLE notifications.outbox DROP COLUMN audience`);
    await q.query(`DROP TABLE notifications.tenant_endpoints`);
  }
}
