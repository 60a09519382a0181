import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The durable job runner: each job's schedule and lease (claimed by one
 * instance at a time, taken over when a lease expires), and every run with
 * its counts and error code (the read model of `attest jobs history`).
 */
export class Jobs1764100000000 implements MigrationInterface {
  readonly name = 'Jobs1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS jobs`);
    await q.query(`
      CREATE TABLE jobs.schedule (
        job text PRIMARY KEY,
        next_run_at timestamptz NOT NULL,
        lease_owner text,
        lease_until timestamptz,
        current_run uuid
      )`);
    await q.query(`
      CREATE TABLE jobs.runs (
        run_id uuid PRIMARY KEY,
        job text NOT NULL,
        dry_run boolean NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
        owner text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        counts jsonb NOT NULL DEFAULT '{}',
        planned jsonb NOT NULL DEFAULT '[]',
        error text
      )`);
    await q.query(`CREATE INDEX runs_job ON jobs.runs (job, started_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA jobs CASCADE`);
  }
}
