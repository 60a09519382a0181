import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A consent receipt found by the consent it was made for (a decision's
 * processing record names the consents it rested on; the console shows their
 * receipts). `consent_id` and `action` (granted | withdrawn) come from the
 * consent events; rows written before this migration are filled from the log
 * when the log's Postgres table is in this database (the embedded default and
 * the usual Postgres deployment). With the log elsewhere (KurrentDB) they stay
 * empty until `npx attest projections rebuild consent` (docs/runbook.md).
 */
export class ReceiptsByConsent1765500000000 implements MigrationInterface {
  readonly name = 'ReceiptsByConsent1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent.receipts_v1 ADD COLUMN consent_id uuid, ADD COLUMN action text CHECK (action IN ('granted', 'withdrawn'))`);
    // Read once, here only: the ids are not personal data and are stored in the clear in the event.
    await q.query(`
      DO $$ BEGIN
        IF to_regclass('event_store.events') IS NOT NULL THEN
          UPDATE consent.receipts_v1 r
             SET consent_id = (e.data->>'consentId')::uuid,
                 action = CASE WHEN e.type LIKE 'ConsentGranted.%' THEN 'granted' ELSE 'withdrawn' END
            FROM event_store.events e
           WHERE e.event_id = r.event_id AND (e.type LIKE 'ConsentGranted.%' OR e.type LIKE 'ConsentWithdrawn.%');
        END IF;
      END $$`);
    await q.query(`CREATE INDEX receipts_v1_consent ON consent.receipts_v1 (tenant_id, consent_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX consent.receipts_v1_consent`);
    await q.query(`ALTER TABLE consent.receipts_v1 DROP COLUMN action, DROP COLUMN consent_id`);
  }
}
