import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staged records (ADR 0009, decision 8): reads, decisions and exports are
 * written here durably before the caller sees any data, in one insert, and
 * merged into the tenant's Merkle log in batches moments later.
 *
 * Append-only like the log: triggers enabled ALWAYS refuse UPDATE and
 * TRUNCATE, and DELETE of any row whose record is not in the log yet — a
 * staged record leaves only by being merged (in the same transaction).
 */
export class ProcessingPending1763900000000 implements MigrationInterface {
  readonly name = 'ProcessingPending1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE processing.pending (
        seq bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        source_id text NOT NULL,
        draft jsonb NOT NULL,
        staged_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX pending_tenant ON processing.pending (tenant_id, seq)`);
    await q.query(`
      CREATE FUNCTION processing.guard_pending() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM processing.records r WHERE r.tenant_id = OLD.tenant_id AND r.source_id = OLD.source_id) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'a staged processing record leaves only by being merged into the log (% refused)', TG_OP USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`CREATE TRIGGER pending_append_only BEFORE UPDATE OR DELETE ON processing.pending FOR EACH ROW EXECUTE FUNCTION processing.guard_pending()`);
    await q.query(`CREATE TRIGGER pending_no_truncate BEFORE TRUNCATE ON processing.pending FOR EACH STATEMENT EXECUTE FUNCTION processing.refuse_change()`);
    await q.query(`ALTER TABLE processing.pending ENABLE ALWAYS TRIGGER pending_append_only`);
    await q.query(`ALTER TABLE processing.pending ENABLE ALWAYS TRIGGER pending_no_truncate`);
    // Written and merged by the owner only; the request-serving role has no access.
    await q.query(`REVOKE ALL ON processing.pending FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processing.pending`);
    await q.query(`DROP FUNCTION processing.guard_pending()`);
  }
}
