import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccessTables1763769900000 implements MigrationInterface {
  readonly name = 'AccessTables1763769900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS access`);
    await q.query(`
      CREATE TABLE access.api_keys_v1 (
        key_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        prefix text NOT NULL UNIQUE,
        secret_hash text NOT NULL,
        roles text[] NOT NULL,
        label text NOT NULL,
        issued_by text NOT NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_position text NOT NULL
      )`);
    await q.query(`CREATE INDEX api_keys_v1_tenant ON access.api_keys_v1 (tenant_id, issued_at)`);
    await q.query(`
      CREATE TABLE access.delegations_v1 (
        tenant_id text NOT NULL,
        user_id text NOT NULL,
        permissions text[] NOT NULL,
        updated_at timestamptz NOT NULL,
        last_position text NOT NULL,
        PRIMARY KEY (tenant_id, user_id)
      )`);
    for (const table of ['access.api_keys_v1', 'access.delegations_v1']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table} TO attest_app
          USING (tenant_id = current_setting('attest.tenant_id', true))`);
      await q.query(`GRANT SELECT ON ${table} TO attest_app`);
    }
    await q.query(`GRANT USAGE ON SCHEMA access TO attest_app`);
    // Authentication must find a key before the tenant is known: this function,
    // running as the owner, is the one cross-tenant lookup the app role may make.
    await q.query(`
      CREATE FUNCTION access.find_api_key(p_prefix text)
      RETURNS TABLE (key_id uuid, tenant_id text, secret_hash text, roles text[], expires_at timestamptz, revoked_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = access, pg_temp AS $$
        SELECT k.key_id, k.tenant_id, k.secret_hash, k.roles, k.expires_at, k.revoked_at
        FROM access.api_keys_v1 k WHERE k.prefix = p_prefix
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION access.find_api_key(text) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION access.find_api_key(text) TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA access CASCADE`);
  }
}
