import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProjectionCheckpoints1763769700000 implements MigrationInterface {
  readonly name = 'ProjectionCheckpoints1763769700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS projections`);
    await q.query(`
      CREATE TABLE projections.checkpoints (
        name text PRIMARY KEY,
        version integer NOT NULL CHECK (version > 0),
        position text,
        events_handled bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        rebuilt_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE projections.checkpoints`);
  }
}
