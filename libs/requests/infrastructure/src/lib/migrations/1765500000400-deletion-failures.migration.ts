import type { MigrationInterface, QueryRunner } from 'typeorm';

/** D7: why a deletion's step last failed (step, error code, when), until a later run moves it on. Never a raw message (it could hold data). */
export class DeletionFailures1765500000400 implements MigrationInterface {
  readonly name = 'DeletionFailures1765500000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests.deletions ADD COLUMN failure jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests.deletions DROP COLUMN failure`);
  }
}
