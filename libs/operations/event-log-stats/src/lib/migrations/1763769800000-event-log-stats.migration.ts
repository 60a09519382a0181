import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EventLogStats1763769800000 implements MigrationInterface {
  readonly name = 'EventLogStats1763769800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS read_models`);
    await q.query(`
      CREATE TABLE read_models.event_log_stats_v1 (
        tenant_id text NOT NULL,
        event_type text NOT NULL,
        events bigint NOT NULL,
        first_recorded_at timestamptz NOT NULL,
        last_recorded_at timestamptz NOT NULL,
        last_position text NOT NULL,
        PRIMARY KEY (tenant_id, event_type)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE read_models.event_log_stats_v1`);
  }
}
