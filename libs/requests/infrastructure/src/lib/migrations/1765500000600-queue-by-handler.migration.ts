import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * D2: "my requests" (the console's default view) in due order from an index: a handler's open
 * requests walked by (tenant, handler, due date, id), so the first page of a tenant with many open
 * requests, few of them this handler's, does not scan the others.
 */
export class QueueByHandler1765500000600 implements MigrationInterface {
  readonly name = 'QueueByHandler1765500000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX requests_v1_handler_queue ON requests.requests_v1 (tenant_id, handler, due_on, request_id) WHERE closed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX requests.requests_v1_handler_queue`);
  }
}
