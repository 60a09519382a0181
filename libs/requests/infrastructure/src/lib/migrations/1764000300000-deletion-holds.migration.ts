import type { MigrationInterface, QueryRunner } from 'typeorm';

/** D5: fields a handler keeps under a legal hold (legal claims) for one deletion, stored with its step so a resumed deletion keeps them too. */
export class DeletionHolds1764000300000 implements MigrationInterface {
  readonly name = 'DeletionHolds1764000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests.deletions ADD COLUMN keep jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests.deletions DROP COLUMN keep`);
  }
}
