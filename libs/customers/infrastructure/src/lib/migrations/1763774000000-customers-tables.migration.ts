import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the customers context (rebuilt by the `customers` projection). */
export class CustomersTables1763774000000 implements MigrationInterface {
  readonly name = 'CustomersTables1763774000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS customers`);
    await q.query(`
      CREATE TABLE customers.customers_v1 (
        customer_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        fields jsonb NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        under14 boolean NOT NULL DEFAULT false,
        restricted boolean NOT NULL DEFAULT false,
        consents jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        last_position text NOT NULL
      )`);
    await q.query(`CREATE INDEX customers_v1_tenant ON customers.customers_v1 (tenant_id, customer_id)`);
    await q.query(`CREATE INDEX customers_v1_tags ON customers.customers_v1 USING gin (tags)`);
    await q.query(`
      CREATE TABLE customers.follow_ups_v1 (
        follow_up_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        customer_id uuid NOT NULL,
        channel text NOT NULL,
        note jsonb,
        due_on date,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX follow_ups_v1_customer ON customers.follow_ups_v1 (tenant_id, customer_id, recorded_at)`);
    for (const table of ['customers.customers_v1', 'customers.follow_ups_v1']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true))`);
      await q.query(`GRANT SELECT ON ${table} TO attest_app`);
    }
    await q.query(`GRANT USAGE ON SCHEMA customers TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA customers CASCADE`);
  }
}
