import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read every processing decision makes (P3), as one function with a
 * generic plan. As a prepared statement PostgreSQL planned it anew on almost
 * every call (a custom plan looks cheaper for each array of ids): 0.28 ms of
 * planning against 0.12 ms of execution, measured on bench:decisions with
 * pg_stat_statements (7,913 plans for 8,254 calls). The generic plan has the
 * same shape (primary-key index scans) for 2 ids and for 3,000, so this
 * function is planned once per connection and kept.
 */
export class DecisionFacts1764700000000 implements MigrationInterface {
  readonly name = 'DecisionFacts1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION consent.decision_facts(p_tenant text, p_customers uuid[], p_purpose text)
      RETURNS TABLE (purpose jsonb, tenant_status text, subjects json)
      LANGUAGE plpgsql STABLE
      SET plan_cache_mode = force_generic_plan
      AS $$
      BEGIN
        RETURN QUERY SELECT
          (SELECT to_jsonb(p) FROM (
             SELECT v.purpose_key, v.version, v.consent_from_version, v.name, v.description, v.legal_basis, v.method,
                    v.data_categories, v.channels, v.retention_days, v.notice_version, v.retired
             FROM consent.purposes_v1 v WHERE v.tenant_id = p_tenant AND v.purpose_key = p_purpose) p),
          (SELECT t.status FROM consent.tenants_v1 t WHERE t.tenant_id = p_tenant),
          (SELECT coalesce(json_agg(x), '[]'::json) FROM (
             SELECT s.customer_id, s.under14, s.restricted,
                    EXISTS (SELECT 1 FROM key_vault.erased_subjects e WHERE e.subject_id = s.customer_id::text) AS erased,
                    (SELECT json_agg(json_build_object('consent_key', c.consent_key, 'consent_id', c.consent_id, 'purpose_key', c.purpose_key,
                        'purpose_version', c.purpose_version, 'channel', c.channel, 'scope', c.scope, 'by_guardian', c.by_guardian,
                        'third_party', c.third_party, 'country', c.country, 'data_types', c.data_types, 'status', c.status))
                       FROM consent.consents_v1 c WHERE c.customer_id = s.customer_id AND c.purpose_key = p_purpose) AS consents
             FROM consent.subjects_v1 s WHERE s.tenant_id = p_tenant AND s.customer_id = ANY(p_customers)) x);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION consent.decision_facts(text, uuid[], text)`);
  }
}
