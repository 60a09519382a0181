import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['consent.purposes_v1', 'consent.consents_v1', 'consent.receipts_v1', 'consent.subjects_v1', 'consent.tenants_v1'];

/**
 * Read models of the consent context (rebuilt by the `consent` projection):
 * the purpose register, current consents, receipts, and the facts about
 * subjects and tenants that decisions need — kept here, from their events,
 * so one query answers a decision.
 */
export class ConsentTables1763775000000 implements MigrationInterface {
  readonly name = 'ConsentTables1763775000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS consent`);
    await q.query(`
      CREATE TABLE consent.purposes_v1 (
        tenant_id text NOT NULL,
        purpose_key text NOT NULL,
        version integer NOT NULL,
        consent_from_version integer NOT NULL,
        name text NOT NULL,
        description text NOT NULL,
        legal_basis text NOT NULL,
        method text NOT NULL,
        data_categories text[] NOT NULL,
        channels text[] NOT NULL,
        retention_days integer NOT NULL,
        notice_version text NOT NULL,
        retired boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, purpose_key)
      )`);
    await q.query(`
      CREATE TABLE consent.consents_v1 (
        customer_id uuid NOT NULL,
        consent_key text NOT NULL,
        tenant_id text NOT NULL,
        consent_id uuid NOT NULL,
        purpose_key text NOT NULL,
        purpose_version integer NOT NULL,
        channel text NOT NULL,
        scope text NOT NULL,
        by_guardian boolean NOT NULL,
        third_party text,
        country text,
        data_types text[] NOT NULL,
        status text NOT NULL CHECK (status IN ('granted', 'withdrawn')),
        changed_at timestamptz NOT NULL,
        last_position text NOT NULL,
        PRIMARY KEY (customer_id, consent_key)
      )`);
    await q.query(`CREATE INDEX consents_v1_purpose ON consent.consents_v1 (tenant_id, purpose_key, status)`);
    await q.query(`
      CREATE TABLE consent.receipts_v1 (
        receipt_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        customer_id uuid NOT NULL,
        event_id uuid NOT NULL
      )`);
    await q.query(`
      CREATE TABLE consent.subjects_v1 (
        customer_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        under14 boolean NOT NULL,
        restricted boolean NOT NULL DEFAULT false,
        last_position text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE consent.tenants_v1 (
        tenant_id text PRIMARY KEY,
        account_id uuid NOT NULL UNIQUE,
        status text NOT NULL,
        last_position text NOT NULL
      )`);
    for (const table of TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true))`);
      await q.query(`GRANT SELECT ON ${table} TO attest_app`);
    }
    await q.query(`GRANT USAGE ON SCHEMA consent TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA consent CASCADE`);
  }
}
