import type { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT_READ_MODELS = [
  'accounts.accounts_v1',
  'accounts.status_history_v1',
  'accounts.departments_v1',
  'accounts.channel_bindings_v1',
  'accounts.organization_settings_v1',
  'accounts.function_deletions_v1',
];

/**
 * Read models of the accounts context (versioned tables, rebuilt by the
 * `accounts` projection), plus operational tables: identifier claims and
 * one-time codes (owner only), and last activity (the app role records logins).
 */
export class AccountsTables1763772000000 implements MigrationInterface {
  readonly name = 'AccountsTables1763772000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS accounts`);
    await q.query(`
      CREATE TABLE accounts.accounts_v1 (
        account_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        verification text,
        legal_name text,
        department_id uuid,
        name jsonb,
        email jsonb,
        phone jsonb,
        birth_date jsonb,
        minor boolean NOT NULL DEFAULT false,
        holds jsonb NOT NULL DEFAULT '[]',
        cancellation_requested boolean NOT NULL DEFAULT false,
        unbinding_requested boolean NOT NULL DEFAULT false,
        invitation_expires_at timestamptz,
        agreement jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        last_position text NOT NULL
      )`);
    await q.query(`CREATE INDEX accounts_v1_tenant ON accounts.accounts_v1 (tenant_id, kind, status, account_id)`);
    await q.query(`CREATE INDEX accounts_v1_pending ON accounts.accounts_v1 (verification) WHERE verification = 'pending'`);
    await q.query(`
      CREATE TABLE accounts.status_history_v1 (
        account_id uuid NOT NULL,
        position text NOT NULL,
        tenant_id text NOT NULL,
        event text NOT NULL,
        status text NOT NULL,
        reason text,
        decided_by text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (account_id, position)
      )`);
    await q.query(`
      CREATE TABLE accounts.departments_v1 (
        tenant_id text NOT NULL,
        department_id uuid NOT NULL,
        name text NOT NULL,
        parent_id uuid,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, department_id)
      )`);
    await q.query(`
      CREATE TABLE accounts.channel_bindings_v1 (
        binding_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        channel text NOT NULL,
        bound_by text NOT NULL,
        bound_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE accounts.organization_settings_v1 (
        tenant_id text PRIMARY KEY,
        unbinding_approval_required boolean NOT NULL
      )`);
    await q.query(`
      CREATE TABLE accounts.function_deletions_v1 (
        request_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        account_id uuid NOT NULL,
        function text NOT NULL,
        requested_on date NOT NULL,
        due_on date NOT NULL,
        completed_on date
      )`);
    for (const table of TENANT_READ_MODELS) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true))`);
      await q.query(`GRANT SELECT ON ${table} TO attest_app`);
    }
    await q.query(`
      CREATE TABLE accounts.last_activity (
        account_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        last_login_at timestamptz NOT NULL
      )`);
    await q.query(`ALTER TABLE accounts.last_activity ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON accounts.last_activity TO attest_app
        USING (tenant_id = current_setting('attest.tenant_id', true)) WITH CHECK (tenant_id = current_setting('attest.tenant_id', true))`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON accounts.last_activity TO attest_app`);
    await q.query(`GRANT USAGE ON SCHEMA accounts TO attest_app`);
    await q.query(`
      CREATE TABLE accounts.identifier_claims (
        kind text NOT NULL,
        token text NOT NULL,
        account_id uuid NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, token)
      )`);
    await q.query(`CREATE INDEX identifier_claims_account ON accounts.identifier_claims (account_id)`);
    await q.query(`
      CREATE TABLE accounts.otp_challenges (
        challenge_id uuid PRIMARY KEY,
        purpose text NOT NULL,
        account_id uuid NOT NULL,
        tenant_id text NOT NULL,
        target jsonb NOT NULL,
        target_token text NOT NULL,
        code_hash text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz
      )`);
    await q.query(`CREATE INDEX otp_challenges_target ON accounts.otp_challenges (target_token, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA accounts CASCADE`);
  }
}
