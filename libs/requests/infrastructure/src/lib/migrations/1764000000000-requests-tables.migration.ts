import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data-subject requests: the handlers' queue (read model of the `requests`
 * projection), each tenant's deadline policy, and the one-time-code
 * challenges (a keyed hash only). No personal data in any of them.
 */
export class RequestsTables1764000000000 implements MigrationInterface {
  readonly name = 'RequestsTables1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS requests`);
    await q.query(`
      CREATE TABLE requests.requests_v1 (
        request_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        customer_id uuid NOT NULL,
        request_type text NOT NULL,
        channel text NOT NULL,
        relation text NOT NULL,
        scope jsonb NOT NULL,
        status text NOT NULL,
        verification_method text,
        handler text,
        escalations jsonb NOT NULL DEFAULT '[]',
        received_at timestamptz NOT NULL,
        due_on date NOT NULL,
        max_extended_due_on date,
        extension_notice_by date,
        extension jsonb,
        outcome jsonb,
        rejection jsonb,
        closed_at timestamptz,
        last_position text NOT NULL
      )`);
    await q.query(`CREATE INDEX requests_v1_queue ON requests.requests_v1 (tenant_id, due_on, request_id) WHERE closed_at IS NULL`);
    await q.query(`CREATE INDEX requests_v1_customer ON requests.requests_v1 (tenant_id, customer_id)`);
    await q.query(`CREATE INDEX requests_v1_escalated ON requests.requests_v1 (due_on) WHERE closed_at IS NULL AND escalations <> '[]'`);
    await q.query(`
      CREATE TABLE requests.policies (
        tenant_id text PRIMARY KEY,
        policy jsonb NOT NULL,
        holidays jsonb NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE requests.challenges (
        challenge_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        request_id uuid NOT NULL,
        code_hash bytea NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    for (const table of ['requests.requests_v1', 'requests.policies']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true))`);
      await q.query(`GRANT SELECT ON ${table} TO attest_app`);
    }
    await q.query(`GRANT USAGE ON SCHEMA requests TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA requests CASCADE`);
  }
}
