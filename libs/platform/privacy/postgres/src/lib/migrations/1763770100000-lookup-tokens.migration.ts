import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Blind indexes for read models: keyed HMAC tokens of e-mail, phone and name
 * parts, so features can find a subject without storing plaintext. The HMAC
 * key is itself wrapped by the master key (`key_vault.index_key`).
 */
export class LookupTokens1763770100000 implements MigrationInterface {
  readonly name = 'LookupTokens1763770100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE key_vault.index_key (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        kek_id text NOT NULL,
        wrapped bytea NOT NULL
      )`);
    await q.query(`CREATE SCHEMA IF NOT EXISTS privacy`);
    await q.query(`
      CREATE TABLE privacy.lookup_tokens (
        tenant_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('email', 'phone', 'name')),
        token text NOT NULL,
        subject_id text NOT NULL,
        PRIMARY KEY (tenant_id, kind, token, subject_id)
      )`);
    await q.query(`CREATE INDEX lookup_tokens_subject ON privacy.lookup_tokens (subject_id)`);
    await q.query(`ALTER TABLE privacy.lookup_tokens ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON privacy.lookup_tokens TO attest_app
        USING (tenant_id = current_setting('attest.tenant_id', true))`);
    await q.query(`GRANT USAGE ON SCHEMA privacy TO attest_app`);
    await q.query(`GRANT SELECT ON privacy.lookup_tokens TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA privacy CASCADE`);
    await q.query(`DROP TABLE key_vault.index_key`);
  }
}
