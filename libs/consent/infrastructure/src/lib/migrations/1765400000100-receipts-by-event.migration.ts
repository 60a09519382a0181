import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A consent receipt found by the event that made it (a processing record's `eventId` leads to its receipt). */
export class ReceiptsByEvent1765400000100 implements MigrationInterface {
  readonly name = 'ReceiptsByEvent1765400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX receipts_v1_event ON consent.receipts_v1 (tenant_id, event_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX consent.receipts_v1_event`);
  }
}
