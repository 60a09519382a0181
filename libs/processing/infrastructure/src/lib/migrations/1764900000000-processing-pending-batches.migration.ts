import type { MigrationInterface, QueryRunner } from 'typeorm';

const REFUSAL = `'a staged processing record leaves only by being merged into the log (% refused)', TG_OP USING ERRCODE = 'P0001'`;

/**
 * Staged records are kept one row per stage call and tenant, not one row per
 * record (ADR 0009, decision 8): `drafts` is a JSON array, stored as the text
 * it arrived as and uncompressed (`STORAGE EXTERNAL`). Measured for 10,000
 * drafts (a bulk decision): the `jsonb` parse of the per-row form took about
 * 150 ms of PostgreSQL's time and the stage wrote 8.4 MB of WAL, with two
 * index entries per record; now one row, no parse beyond `json`'s syntax
 * check and the length check of `n`, 5.5 MB. pglz compression cut the WAL to
 * 0.84 MB but made the stage slower than the uncompressed row (215–320
 * against 150–190 ms), so it is off for this column.
 *
 * The guards stay as they were: no UPDATE, no TRUNCATE, and a DELETE only of
 * rows whose every draft is in the tenant's log (checked once per statement and
 * tenant, through `processing.seen_sources`, which probes the unique index).
 */
export class ProcessingPendingBatches1764900000000 implements MigrationInterface {
  readonly name = 'ProcessingPendingBatches1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // Rows staged before this migration become batches of one, in their order.
    await q.query(`ALTER TABLE processing.pending DISABLE TRIGGER USER`);
    await q.query(`DROP INDEX processing.pending_tenant`);
    await q.query(`ALTER TABLE processing.pending ALTER COLUMN draft TYPE json USING json_build_array(draft)`);
    await q.query(`ALTER TABLE processing.pending RENAME COLUMN draft TO drafts`);
    await q.query(`ALTER TABLE processing.pending DROP COLUMN source_id`);
    await q.query(`ALTER TABLE processing.pending ADD COLUMN n integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE processing.pending ALTER COLUMN n DROP DEFAULT`);
    await q.query(`ALTER TABLE processing.pending ADD CONSTRAINT pending_n CHECK (n > 0 AND n = json_array_length(drafts))`);
    await q.query(`ALTER TABLE processing.pending ALTER COLUMN drafts SET STORAGE EXTERNAL`);
    await q.query(`CREATE INDEX pending_tenant ON processing.pending (tenant_id, seq)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION processing.guard_pending_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        t record;
      BEGIN
        -- Per tenant, one probe of the log for all the source ids of its removed rows (each
        -- row's array read once: as one statement with a lateral array the planner computed
        -- it twice). A draft without a source id, or one the log does not hold, makes the
        -- count fall short.
        FOR t IN
          SELECT g.tenant_id, array_agg(DISTINCT d->>'sourceId') AS ids
          FROM gone g, json_array_elements(g.drafts) d GROUP BY g.tenant_id
        LOOP
          IF cardinality(t.ids) > (SELECT count(*) FROM processing.seen_sources(t.tenant_id, t.ids)) THEN
            RAISE EXCEPTION ${REFUSAL};
          END IF;
        END LOOP;
        RETURN NULL;
      END $$`);
    await enableGuards(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE processing.pending DISABLE TRIGGER USER`);
    await q.query(`CREATE TEMPORARY TABLE pending_down AS
      SELECT p.tenant_id, d.draft::jsonb AS draft, p.staged_at FROM processing.pending p, json_array_elements(p.drafts) WITH ORDINALITY AS d(draft, n) ORDER BY p.seq, d.n`);
    await q.query(`DELETE FROM processing.pending`);
    await q.query(`DROP INDEX processing.pending_tenant`);
    await q.query(`ALTER TABLE processing.pending DROP CONSTRAINT pending_n`);
    await q.query(`ALTER TABLE processing.pending DROP COLUMN n`);
    await q.query(`ALTER TABLE processing.pending ALTER COLUMN drafts SET STORAGE EXTENDED`);
    await q.query(`ALTER TABLE processing.pending ALTER COLUMN drafts TYPE jsonb USING drafts->0`);
    await q.query(`ALTER TABLE processing.pending RENAME COLUMN drafts TO draft`);
    await q.query(`ALTER TABLE processing.pending ADD COLUMN source_id text NOT NULL`);
    await q.query(`CREATE INDEX pending_tenant ON processing.pending (tenant_id, seq)`);
    await q.query(
      `INSERT INTO processing.pending (tenant_id, source_id, draft, staged_at) SELECT tenant_id, draft->>'sourceId', draft, staged_at FROM pending_down`,
    );
    await q.query(`DROP TABLE pending_down`);
    await q.query(`
      CREATE OR REPLACE FUNCTION processing.guard_pending_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM gone g WHERE NOT EXISTS (SELECT 1 FROM processing.records r WHERE r.tenant_id = g.tenant_id AND r.source_id = g.source_id)) THEN
          RAISE EXCEPTION ${REFUSAL};
        END IF;
        RETURN NULL;
      END $$`);
    await enableGuards(q);
  }
}

/** Back on, and ALWAYS (also under `session_replication_role = replica`), as 1764600000000 left them. */
async function enableGuards(q: QueryRunner): Promise<void> {
  for (const trigger of ['pending_no_update', 'pending_delete_merged', 'pending_no_truncate']) {
    await q.query(`ALTER TABLE processing.pending ENABLE ALWAYS TRIGGER ${trigger}`);
  }
}
