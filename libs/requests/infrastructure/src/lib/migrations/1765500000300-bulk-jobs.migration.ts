import type { MigrationInterface, QueryRunner } from 'typeorm';

/** D2 bulk actions: a job per action asked for, an item per request it reaches, each with its result. */
export class BulkJobs1765500000300 implements MigrationInterface {
  readonly name = 'BulkJobs1765500000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE requests.bulk_jobs (
        job_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        action jsonb NOT NULL,
        filter jsonb NOT NULL,
        excluded uuid[] NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX bulk_jobs_tenant ON requests.bulk_jobs (tenant_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE requests.bulk_job_items (
        job_id uuid NOT NULL REFERENCES requests.bulk_jobs (job_id),
        request_id uuid NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
        claimed_at timestamptz,
        finished_at timestamptz,
        code text,
        message text,
        PRIMARY KEY (job_id, request_id)
      )`);
    await q.query(`CREATE INDEX bulk_job_items_open ON requests.bulk_job_items (job_id, request_id) WHERE state IN ('pending', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE requests.bulk_job_items`);
    await q.query(`DROP TABLE requests.bulk_jobs`);
  }
}
