import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A cheaper merge of staged records (ADR 0009, decision 8; measured on
 * bench:decisions, where merging was most of PostgreSQL's work):
 *
 * - The check that a staged record leaves only by being merged runs once per
 *   DELETE statement over its transition table (one anti-join), not as a
 *   PL/pgSQL call and probe per row. It runs after the rows are gone, in the
 *   same statement, so a failing check still removes nothing.
 * - `processing.pending` is a queue: rows are inserted and deleted within
 *   moments. Autovacuum is told to clean it after a fixed number of dead rows
 *   (not a fraction of a table that is usually near empty), so the merge's
 *   index scan does not walk over a long tail of dead entries.
 */
export class ProcessingMerge1764600000000 implements MigrationInterface {
  readonly name = 'ProcessingMerge1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER pending_append_only ON processing.pending`);
    await q.query(`
      CREATE FUNCTION processing.guard_pending_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'a staged processing record leaves only by being merged into the log (% refused)', TG_OP USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`
      CREATE FUNCTION processing.guard_pending_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM gone g WHERE NOT EXISTS (SELECT 1 FROM processing.records r WHERE r.tenant_id = g.tenant_id AND r.source_id = g.source_id)) THEN
          RAISE EXCEPTION 'a staged processing record leaves only by being merged into the log (% refused)', TG_OP USING ERRCODE = 'P0001';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER pending_no_update BEFORE UPDATE ON processing.pending FOR EACH ROW EXECUTE FUNCTION processing.guard_pending_update()`);
    await q.query(
      `CREATE TRIGGER pending_delete_merged AFTER DELETE ON processing.pending REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION processing.guard_pending_delete()`,
    );
    await q.query(`ALTER TABLE processing.pending ENABLE ALWAYS TRIGGER pending_no_update`);
    await q.query(`ALTER TABLE processing.pending ENABLE ALWAYS TRIGGER pending_delete_merged`);
    await q.query(`DROP FUNCTION processing.guard_pending()`);
    await q.query(
      `ALTER TABLE processing.pending SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE processing.pending RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold)`,
    );
    await q.query(`DROP TRIGGER pending_delete_merged ON processing.pending`);
    await q.query(`DROP TRIGGER pending_no_update ON processing.pending`);
    await q.query(`DROP FUNCTION processing.guard_pending_delete(), processing.guard_pending_update()`);
    await q.query(`
      CREATE FUNCTION processing.guard_pending() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM processing.records r WHERE r.tenant_id = OLD.tenant_id AND r.source_id = OLD.source_id) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'a staged processing record leaves only by being merged into the log (% refused)', TG_OP USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`CREATE TRIGGER pending_append_only BEFORE UPDATE OR DELETE ON processing.pending FOR EACH ROW EXECUTE FUNCTION processing.guard_pending()`);
    await q.query(`ALTER TABLE processing.pending ENABLE ALWAYS TRIGGER pending_append_only`);
  }
}
