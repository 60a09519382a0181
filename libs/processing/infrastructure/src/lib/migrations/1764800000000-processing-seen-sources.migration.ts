import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which of some source ids a tenant's log already holds (the dedupe of every
 * append), as a function with a generic plan. Planned per call, the answer
 * depended on the statistics: for a tenant they did not know yet (a new
 * tenant, or a log analysed while small) PostgreSQL took the tenant's rows to
 * be few and read all of them through another index, on every append. On
 * bench:processing-record, a new tenant's appends fell to 419 records/s; the
 * generic plan probes the `(tenant_id, source_id)` unique index whatever the
 * statistics say.
 */
export class ProcessingSeenSources1764800000000 implements MigrationInterface {
  readonly name = 'ProcessingSeenSources1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION processing.seen_sources(p_tenant text, p_sources text[])
      RETURNS SETOF text
      LANGUAGE plpgsql STABLE
      SET plan_cache_mode = force_generic_plan
      AS $$
      BEGIN
        RETURN QUERY SELECT r.source_id FROM processing.records r WHERE r.tenant_id = p_tenant AND r.source_id = ANY(p_sources);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION processing.seen_sources(text, text[])`);
  }
}
