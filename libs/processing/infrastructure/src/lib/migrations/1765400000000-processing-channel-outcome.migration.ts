import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The explorer filters by channel and by a decision's outcome (P1, issue 22): both become
 * columns of `processing.records` beside kind, purpose and actor, each with an index in the
 * explorer's order (newest first), so a filter over millions of entries reads one page.
 *
 * Neither is personal data (a channel name, `allow` or `deny`); both are copied from the body
 * as it is hashed, so they change nothing that is verified. Rows written before this migration
 * are filled from their bodies here: the append-only trigger is off for this one statement,
 * which sets only these two new columns (a purged body leaves them empty: the entry is no
 * longer listed anyway). The purge guard now also refuses a purge that changes them.
 */
export class ProcessingChannelOutcome1765400000000 implements MigrationInterface {
  readonly name = 'ProcessingChannelOutcome1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE processing.records ADD COLUMN channel text, ADD COLUMN outcome text`);
    await q.query(`ALTER TABLE processing.records DISABLE TRIGGER records_append_only`);
    await q.query(
      `UPDATE processing.records SET channel = body::json->>'channel', outcome = body::json->>'outcome'
        WHERE body IS NOT NULL AND (body::json->>'channel' IS NOT NULL OR body::json->>'outcome' IS NOT NULL)`,
    );
    await q.query(`ALTER TABLE processing.records ENABLE ALWAYS TRIGGER records_append_only`);
    await q.query(`CREATE INDEX records_channel ON processing.records (tenant_id, channel, at DESC, idx DESC) WHERE channel IS NOT NULL`);
    await q.query(`CREATE INDEX records_outcome ON processing.records (tenant_id, outcome, at DESC, idx DESC) WHERE outcome IS NOT NULL`);
    await q.query(guardRecords(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(guardRecords(false));
    await q.query(`DROP INDEX processing.records_channel, processing.records_outcome`);
    await q.query(`ALTER TABLE processing.records DROP COLUMN channel, DROP COLUMN outcome`);
  }
}

/** The append-only guard of the records: only the purger may empty an expired body (and, from here on, leave channel and outcome as they were). */
function guardRecords(withChannelOutcome: boolean): string {
  const keep = withChannelOutcome ? `AND NEW.channel IS NOT DISTINCT FROM OLD.channel AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome` : '';
  return `
    CREATE OR REPLACE FUNCTION processing.guard_records() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND current_user = 'attest_record_purger'
         AND NEW.tenant_id = OLD.tenant_id AND NEW.idx = OLD.idx AND NEW.leaf_hash = OLD.leaf_hash
         AND NEW.source_id = OLD.source_id AND NEW.kind = OLD.kind AND NEW.at = OLD.at AND NEW.recorded_at = OLD.recorded_at
         ${keep}
         AND OLD.body IS NOT NULL AND NEW.body IS NULL AND NEW.subject IS NULL AND NEW.purpose IS NULL AND NEW.actor IS NULL
         AND NEW.purged_at IS NOT NULL
         AND OLD.recorded_at < now() - make_interval(years => (SELECT years FROM processing.retention_policy))
         AND NOT EXISTS (SELECT 1 FROM processing.legal_holds h WHERE h.tenant_id = OLD.tenant_id AND h.released_at IS NULL)
      THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001';
    END $$`;
}
