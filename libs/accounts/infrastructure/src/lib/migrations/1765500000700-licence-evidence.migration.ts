import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A1: the licence evidence an enterprise registered or resubmitted (a document-store reference and
 * its SHA-256, not personal data), on its account, so the platform operator sees what is verified.
 * Rows written before this migration are filled from the log when the log's Postgres table is in
 * this database (the embedded default and the usual Postgres deployment); with the log elsewhere
 * (KurrentDB) they stay empty until `npx attest projections rebuild accounts` (docs/runbook.md).
 */
export class LicenceEvidence1765500000700 implements MigrationInterface {
  readonly name = 'LicenceEvidence1765500000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts.accounts_v1 ADD COLUMN licence_evidence jsonb`);
    await q.query(`
      DO $$ BEGIN
        IF to_regclass('event_store.events') IS NOT NULL THEN
          UPDATE accounts.accounts_v1 a
             SET licence_evidence = latest.evidence
            FROM (SELECT DISTINCT ON (e.stream_id) (e.data->>'accountId')::uuid AS account_id, e.data->'evidence' AS evidence
                    FROM event_store.events e
                   WHERE e.type IN ('EnterpriseRegistered.v1', 'LicenceEvidenceSubmitted.v1')
                   ORDER BY e.stream_id, e.stream_position DESC) latest
           WHERE a.account_id = latest.account_id;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts.accounts_v1 DROP COLUMN licence_evidence`);
  }
}
