import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change of an API key row (revocation, a rebuild of the projection)
 * is announced on `attest_api_keys` with the key's prefix, at commit, so
 * every process drops the row it may have kept (see `ApiKeyCache`). A
 * TRUNCATE announces an empty payload: drop everything.
 */
export class ApiKeyNotify1764200000000 implements MigrationInterface {
  readonly name = 'ApiKeyNotify1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION access.notify_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          PERFORM pg_notify('attest_api_keys', '');
        ELSE
          PERFORM pg_notify('attest_api_keys', OLD.prefix);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER api_key_changed AFTER UPDATE OR DELETE ON access.api_keys_v1 FOR EACH ROW EXECUTE FUNCTION access.notify_api_key_changed()`);
    await q.query(`CREATE TRIGGER api_keys_truncated AFTER TRUNCATE ON access.api_keys_v1 FOR EACH STATEMENT EXECUTE FUNCTION access.notify_api_key_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER api_keys_truncated ON access.api_keys_v1`);
    await q.query(`DROP TRIGGER api_key_changed ON access.api_keys_v1`);
    await q.query(`DROP FUNCTION access.notify_api_key_changed()`);
  }
}
