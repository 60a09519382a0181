import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A tenant's age after which unverified requests leave the handlers' queue for their own tab (default 14 days). */
export class UnverifiedAfterDays1765500000200 implements MigrationInterface {
  readonly name = 'UnverifiedAfterDays1765500000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests.policies ADD COLUMN unverified_after_days integer NOT NULL DEFAULT 14 CHECK (unverified_after_days BETWEEN 1 AND 365)`);
    // The unverified-and-old tab reads open, unverified requests by age.
    await q.query(
      `CREATE INDEX requests_v1_unverified ON requests.requests_v1 (tenant_id, received_at) WHERE closed_at IS NULL AND verification_method IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX requests.requests_v1_unverified`);
    await q.query(`ALTER TABLE requests.policies DROP COLUMN unverified_after_days`);
  }
}
