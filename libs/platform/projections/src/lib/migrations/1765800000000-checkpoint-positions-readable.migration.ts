import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `attest_app` may read each projection's checkpoint position (name and position only): a
 * process serving reads from a replica (`ReplicaReads`) compares the caller's consistency
 * token with what the replica has applied, connected as that role.
 */
export class CheckpointPositionsReadable1765800000000 implements MigrationInterface {
  readonly name = 'CheckpointPositionsReadable1765800000000';

  // The role comes from @attest/database's migrations, which run first in every deployment; a
  // database with this lib's migrations alone (its own specs) has no reads to serve.
  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'attest_app') THEN
        GRANT USAGE ON SCHEMA projections TO attest_app;
        GRANT SELECT (name, position) ON projections.checkpoints TO attest_app;
      END IF;
    END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'attest_app') THEN
        REVOKE SELECT (name, position) ON projections.checkpoints FROM attest_app;
        REVOKE USAGE ON SCHEMA projections FROM attest_app;
      END IF;
    END $$`);
  }
}
