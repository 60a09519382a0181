import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenant isolation of the statistics for the app role (its second line of defence). */
export class EventLogStatsRls1763769950000 implements MigrationInterface {
  readonly name = 'EventLogStatsRls1763769950000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE read_models.event_log_stats_v1 ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON read_models.event_log_stats_v1 TO attest_app
        USING (tenant_id = current_setting('attest.tenant_id', true))`);
    await q.query(`GRANT USAGE ON SCHEMA read_models TO attest_app`);
    await q.query(`GRANT SELECT ON read_models.event_log_stats_v1 TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY tenant_isolation ON read_models.event_log_stats_v1`);
    await q.query(`ALTER TABLE read_models.event_log_stats_v1 DISABLE ROW LEVEL SECURITY`);
  }
}
