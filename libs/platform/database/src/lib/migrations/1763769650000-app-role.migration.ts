import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ensureClusterRoleSql } from '../admin';

/**
 * `attest_app`: the role request-serving queries run as. It owns nothing, so
 * row-level security applies to it; migrations and projection writers run as
 * the owner. Roles are per cluster and migrations of
 * several databases may race to create them (see `ensureClusterRoleSql`).
 */
export class AppRole1763769650000 implements MigrationInterface {
  readonly name = 'AppRole1763769650000';

  async up(q: QueryRunner): Promise<void> {
    // Lets the owner's connections switch to it when no separate login is configured.
    await q.query(ensureClusterRoleSql('attest_app', 'NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'));
    await q.query(`CREATE SCHEMA IF NOT EXISTS http`);
    await q.query(`
      CREATE TABLE http.idempotency_keys (
        tenant_id text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'done')),
        status integer,
        body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, key)
      )`);
    await q.query(`ALTER TABLE http.idempotency_keys ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON http.idempotency_keys TO attest_app
        USING (tenant_id = current_setting('attest.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('attest.tenant_id', true))`);
    await q.query(`GRANT USAGE ON SCHEMA http TO attest_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON http.idempotency_keys TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA http CASCADE`);
  }
}
