import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification outbox. A row is written in the same transaction as the
 * fact that causes it (a projection's checkpoint, a one-time code); the
 * dispatcher delivers it as a signed webhook. The payload is sealed under
 * the data subject's key and cleared once delivered.
 */
export class Outbox1763771000000 implements MigrationInterface {
  readonly name = 'Outbox1763771000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS notifications`);
    await q.query(`
      CREATE TABLE notifications.outbox (
        id uuid PRIMARY KEY,
        source_key text NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        subject_id text NOT NULL,
        kind text NOT NULL,
        payload jsonb,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'erased')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_error text,
        created_at timestamptz NOT NULL,
        delivered_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_due ON notifications.outbox (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX outbox_dead ON notifications.outbox (tenant_id, created_at) WHERE status = 'dead'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA notifications CASCADE`);
  }
}
