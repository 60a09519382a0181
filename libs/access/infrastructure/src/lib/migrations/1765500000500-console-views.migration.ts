import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Views people save in the console (a page and its filters, by name), per tenant and actor. */
export class ConsoleViews1765500000500 implements MigrationInterface {
  readonly name = 'ConsoleViews1765500000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE access.console_views (
        tenant_id text NOT NULL,
        actor text NOT NULL,
        name text NOT NULL,
        page text NOT NULL,
        search jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, actor, name)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access.console_views`);
  }
}
