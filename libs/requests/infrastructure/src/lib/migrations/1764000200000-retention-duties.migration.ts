import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * D5: each tenant's retention duties (profile fields kept after a deletion,
 * with the legal reason and for how long), and the values kept: sealed under
 * a key of their own (subject `retained:<customerId>`), so that the
 * customer's key can be destroyed while these stay readable until their
 * duty ends, and then go with their own key.
 */
export class RetentionDuties1764000200000 implements MigrationInterface {
  readonly name = 'RetentionDuties1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests.policies ADD COLUMN retention_duties jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`
      CREATE TABLE requests.retained_data (
        request_id uuid NOT NULL,
        tenant_id text NOT NULL,
        customer_id uuid NOT NULL,
        field text NOT NULL,
        reason text NOT NULL,
        retain_until date NOT NULL,
        value jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (request_id, field)
      )`);
    await q.query(`CREATE INDEX retained_data_until ON requests.retained_data (retain_until)`);
    await q.query(`ALTER TABLE requests.retained_data ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON requests.retained_data TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true))`);
    await q.query(`GRANT SELECT ON requests.retained_data TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE requests.retained_data`);
    await q.query(`ALTER TABLE requests.policies DROP COLUMN retention_duties`);
  }
}
