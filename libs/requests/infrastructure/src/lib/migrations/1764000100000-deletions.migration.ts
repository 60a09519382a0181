import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * D4/D7: the deletion ledger (where each deletion stands, so a killed process
 * resumes) and the deletion certificates it issued. No personal data.
 */
export class RequestDeletions1764000100000 implements MigrationInterface {
  readonly name = 'RequestDeletions1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE requests.deletions (
        request_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        customer_id uuid NOT NULL,
        step text NOT NULL CHECK (step IN ('erase', 'certify', 'notify', 'complete', 'done')),
        erasure jsonb,
        certificate jsonb,
        signed_note text,
        started_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX deletions_unfinished ON requests.deletions (started_at) WHERE step <> 'done'`);
    await q.query(`ALTER TABLE requests.deletions ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON requests.deletions TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true))`);
    await q.query(`GRANT SELECT ON requests.deletions TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE requests.deletions`);
  }
}
