import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The journal of processing actions that are not events (reads, decisions).
 * Append-only for everyone but the owner: the app role may insert and read
 * its tenant's entries; updates and deletes are refused by a trigger.
 */
export class ProcessingJournal1763773000000 implements MigrationInterface {
  readonly name = 'ProcessingJournal1763773000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS processing`);
    await q.query(`
      CREATE TABLE processing.journal (
        entry_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('read', 'decision', 'export')),
        actor text NOT NULL,
        subject_id text NOT NULL,
        purpose text,
        channel text,
        data_categories text[] NOT NULL,
        outcome text CHECK (outcome IN ('allow', 'deny')),
        reasons text[] NOT NULL,
        legal_basis text,
        correlation_id text NOT NULL,
        command_id text,
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX journal_subject ON processing.journal (tenant_id, subject_id, at)`);
    await q.query(`
      CREATE FUNCTION processing.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'processing.journal is append-only'; END $$`);
    await q.query(`CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON processing.journal FOR EACH ROW EXECUTE FUNCTION processing.refuse_change()`);
    await q.query(`ALTER TABLE processing.journal ENABLE ALWAYS TRIGGER journal_append_only`);
    await q.query(`ALTER TABLE processing.journal ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY tenant_isolation ON processing.journal TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true)) WITH CHECK (tenant_id = current_setting('attest.tenant_id', true))`,
    );
    await q.query(`GRANT USAGE ON SCHEMA processing TO attest_app`);
    await q.query(`GRANT SELECT, INSERT ON processing.journal TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA processing CASCADE`);
  }
}
