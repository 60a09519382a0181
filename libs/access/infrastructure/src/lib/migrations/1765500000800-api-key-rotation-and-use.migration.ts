import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rotation: the key that replaced a key (ApiKeyRotated.v1; nothing to fill, no key was rotated
 * before this migration). Last use: `access.api_key_uses`, one row per key with the time of its
 * last request, written by each API process in batches (ApiKeyUseRecorder) through a function that
 * runs as the owner and takes the tenant from the key itself. Operational data, not a projection:
 * a rebuild of the access projection leaves it alone, and it holds no personal data.
 */
export class ApiKeyRotationAndUse1765500000800 implements MigrationInterface {
  readonly name = 'ApiKeyRotationAndUse1765500000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE access.api_keys_v1 ADD COLUMN replaced_by uuid`);
    await q.query(`
      CREATE TABLE access.api_key_uses (
        key_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        last_used_at timestamptz NOT NULL
      )`);
    await q.query(`ALTER TABLE access.api_key_uses ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON access.api_key_uses TO attest_app
        USING (tenant_id = current_setting('attest.tenant_id', true))`);
    await q.query(`GRANT SELECT ON access.api_key_uses TO attest_app`);
    await q.query(`
      CREATE FUNCTION access.record_api_key_uses(p_keys uuid[], p_at timestamptz[])
      RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = access, pg_temp AS $$
        INSERT INTO access.api_key_uses (key_id, tenant_id, last_used_at)
        SELECT k.key_id, k.tenant_id, u.at FROM unnest(p_keys, p_at) AS u(key_id, at) JOIN access.api_keys_v1 k ON k.key_id = u.key_id
        ON CONFLICT (key_id) DO UPDATE SET last_used_at = GREATEST(access.api_key_uses.last_used_at, EXCLUDED.last_used_at)
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION access.record_api_key_uses(uuid[], timestamptz[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION access.record_api_key_uses(uuid[], timestamptz[]) TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION access.record_api_key_uses(uuid[], timestamptz[])`);
    await q.query(`DROP TABLE access.api_key_uses`);
    await q.query(`ALTER TABLE access.api_keys_v1 DROP COLUMN replaced_by`);
  }
}
