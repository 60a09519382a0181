import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The server's verifications of each tenant's log, kept (issue 22): the daily
 * `processing-record-verification` job and every run asked for in the console or the API store
 * their report here, so the latest result (and an alarm when it failed) is known without
 * recomputing the tree on every look. Append-only like the rest of the record; no personal data
 * (counts, hashes, problem texts about entries). A run is a few hundred bytes: one a day for
 * three years is about a megabyte per tenant.
 */
export class ProcessingVerificationRuns1765400000200 implements MigrationInterface {
  readonly name = 'ProcessingVerificationRuns1765400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE processing.verification_runs (
        run_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('scheduled', 'on-demand')),
        requested_by text,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        ok boolean NOT NULL,
        problem_count integer NOT NULL CHECK (problem_count >= 0),
        report jsonb NOT NULL,
        CHECK (finished_at >= started_at),
        CHECK ((trigger = 'on-demand') = (requested_by IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX verification_runs_latest ON processing.verification_runs (tenant_id, finished_at DESC, run_id DESC)`);
    await q.query(
      `CREATE TRIGGER verification_runs_append_only BEFORE UPDATE OR DELETE ON processing.verification_runs FOR EACH ROW EXECUTE FUNCTION processing.refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER verification_runs_no_truncate BEFORE TRUNCATE ON processing.verification_runs FOR EACH STATEMENT EXECUTE FUNCTION processing.refuse_change()`,
    );
    await q.query(`ALTER TABLE processing.verification_runs ENABLE ALWAYS TRIGGER verification_runs_append_only`);
    await q.query(`ALTER TABLE processing.verification_runs ENABLE ALWAYS TRIGGER verification_runs_no_truncate`);
    await q.query(`ALTER TABLE processing.verification_runs ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY tenant_isolation ON processing.verification_runs TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true)) WITH CHECK (tenant_id = current_setting('attest.tenant_id', true))`,
    );
    await q.query(`GRANT SELECT, INSERT ON processing.verification_runs TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processing.verification_runs`);
  }
}
