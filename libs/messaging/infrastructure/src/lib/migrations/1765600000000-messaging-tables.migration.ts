import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The messaging context's tables (ADR 0015). Personal data only sealed: a number's secrets under
 * a key of the binding (`whatsapp-number:<bindingId>`), a recipient's phone and a message's
 * parameters under the subject's key, a phone's lookup as a keyed hash. Statistics hold counts only.
 */
export class MessagingTables1765600000000 implements MigrationInterface {
  readonly name = 'MessagingTables1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS messaging`);
    await q.query(`
      CREATE TABLE messaging.numbers_v1 (
        binding_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        base_url text NOT NULL,
        api_version text NOT NULL,
        phone_number_id text NOT NULL UNIQUE,
        business_account_id text NOT NULL,
        rate_per_second integer NOT NULL CHECK (rate_per_second BETWEEN 1 AND 1000),
        secrets jsonb NOT NULL,
        configured_at timestamptz NOT NULL,
        configured_by text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE messaging.templates_v1 (
        binding_id uuid NOT NULL,
        template_id text NOT NULL,
        tenant_id text NOT NULL,
        name text NOT NULL,
        language text NOT NULL,
        category text NOT NULL,
        status text NOT NULL,
        parameters integer NOT NULL,
        purpose_key text,
        legal_basis text,
        mapped_category text,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (binding_id, template_id)
      )`);
    await q.query(`CREATE INDEX templates_v1_name ON messaging.templates_v1 (binding_id, name, language)`);
    await q.query(`
      CREATE TABLE messaging.campaigns_v1 (
        campaign_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        name text NOT NULL,
        binding_id uuid NOT NULL,
        template_id text NOT NULL,
        status text NOT NULL,
        recipients integer NOT NULL,
        selection text NOT NULL,
        queued integer,
        blocked jsonb,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        started_at timestamptz
      )`);
    await q.query(`CREATE INDEX campaigns_v1_tenant ON messaging.campaigns_v1 (tenant_id, campaign_id DESC)`);
    await q.query(`
      CREATE TABLE messaging.campaign_drafts (
        campaign_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        recipients uuid[] NOT NULL,
        parameters jsonb NOT NULL DEFAULT '[]'
      )`);
    await q.query(`
      CREATE TABLE messaging.messages (
        message_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        campaign_id uuid,
        binding_id uuid NOT NULL,
        template_id text NOT NULL,
        template_name text NOT NULL,
        language text NOT NULL,
        category text NOT NULL,
        purpose_key text NOT NULL,
        customer_id uuid NOT NULL,
        state text NOT NULL CHECK (state IN ('blocked', 'queued', 'held', 'sending', 'accepted', 'in-doubt', 'sent', 'delivered', 'read', 'failed', 'cancelled')),
        step text,
        reasons text[] NOT NULL DEFAULT '{}',
        decision_id text,
        consent_ids text[] NOT NULL DEFAULT '{}',
        legal_basis text,
        content jsonb,
        phone_token text,
        wamid text UNIQUE,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        error_code integer,
        created_at timestamptz NOT NULL,
        queued_at timestamptz,
        sent_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        failed_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    // A campaign gates each recipient once: a start retried after a crash skips those already gated.
    await q.query(`CREATE UNIQUE INDEX messages_campaign_customer ON messaging.messages (campaign_id, customer_id) WHERE campaign_id IS NOT NULL`);
    await q.query(`CREATE INDEX messages_due ON messaging.messages (binding_id, next_attempt_at) WHERE state = 'queued'`);
    await q.query(`CREATE INDEX messages_tenant ON messaging.messages (tenant_id, message_id DESC)`);
    await q.query(`CREATE INDEX messages_customer ON messaging.messages (tenant_id, customer_id, created_at)`);
    await q.query(`CREATE INDEX messages_phone ON messaging.messages (tenant_id, phone_token) WHERE phone_token IS NOT NULL`);
    await q.query(`
      CREATE TABLE messaging.stats_daily_v1 (
        tenant_id text NOT NULL,
        day date NOT NULL,
        campaign_id uuid,
        template_id text NOT NULL,
        measure text NOT NULL,
        detail text NOT NULL DEFAULT '',
        count bigint NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX stats_daily_v1_key ON messaging.stats_daily_v1 (tenant_id, day, coalesce(campaign_id, '00000000-0000-0000-0000-000000000000'::uuid), template_id, measure, detail)`,
    );
    await q.query(`
      CREATE TABLE messaging.suppressions (
        tenant_id text NOT NULL,
        customer_id uuid NOT NULL,
        source text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, customer_id)
      )`);
    await q.query(`
      CREATE TABLE messaging.windows (
        tenant_id text NOT NULL,
        phone_token text NOT NULL,
        last_inbound_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, phone_token)
      )`);
    await q.query(`
      CREATE TABLE messaging.settings (
        tenant_id text PRIMARY KEY,
        settings jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
    for (const table of ['messaging.templates_v1', 'messaging.campaigns_v1', 'messaging.messages', 'messaging.stats_daily_v1']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true))`);
      await q.query(`GRANT SELECT ON ${table} TO attest_app`);
    }
    await q.query(`GRANT USAGE ON SCHEMA messaging TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA messaging CASCADE`);
  }
}
