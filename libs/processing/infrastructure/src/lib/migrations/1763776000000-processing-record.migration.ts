import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ensureClusterRoleSql } from '@attest/database';

/**
 * The processing record (P1, P2): one RFC 6962 Merkle log per tenant.
 *
 * - `records` holds the leaves (canonical body + leaf hash), `nodes` every
 *   perfect subtree hash (for proofs), `logs` each log's size (the append
 *   lock), `checkpoints` the signed tree heads. All but `logs` are
 *   append-only: triggers enabled ALWAYS (they fire even under
 *   session_replication_role = replica) refuse UPDATE, DELETE and TRUNCATE.
 * - The only change ever allowed is purging: `processing.purge_expired`,
 *   executable by the `attest_purge` role only, runs as the NOLOGIN role
 *   `attest_record_purger`, and the trigger lets that role — and nobody else —
 *   clear the body of a record past retention, never its leaf hash, while no
 *   legal hold is active.
 * - The retention (years, at least 3) can only be raised.
 *
 * It replaces the interim `processing.journal` (reads and decisions now go
 * straight into the log).
 */
export class ProcessingRecord1763776000000 implements MigrationInterface {
  readonly name = 'ProcessingRecord1763776000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS processing.journal`);
    // The owner may call the purge (as attest_purge) and hand the function to its NOLOGIN owner.
    await q.query(ensureClusterRoleSql('attest_record_purger', 'NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT'));
    await q.query(ensureClusterRoleSql('attest_purge', 'NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'));
    await q.query(
      `CREATE TABLE processing.retention_policy (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), years integer NOT NULL CHECK (years >= 3))`,
    );
    await q.query(`INSERT INTO processing.retention_policy (years) VALUES (3)`);
    await q.query(`
      CREATE FUNCTION processing.retention_only_up() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' OR NEW.years < OLD.years THEN
          RAISE EXCEPTION 'the processing record retention can only be raised' USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER retention_only_up BEFORE UPDATE OR DELETE ON processing.retention_policy FOR EACH ROW EXECUTE FUNCTION processing.retention_only_up()`,
    );
    await q.query(
      `CREATE TRIGGER retention_no_truncate BEFORE TRUNCATE ON processing.retention_policy FOR EACH STATEMENT EXECUTE FUNCTION processing.retention_only_up()`,
    );
    await q.query(`ALTER TABLE processing.retention_policy ENABLE ALWAYS TRIGGER retention_only_up`);
    await q.query(`ALTER TABLE processing.retention_policy ENABLE ALWAYS TRIGGER retention_no_truncate`);

    await q.query(
      `CREATE TABLE processing.logs (tenant_id text PRIMARY KEY, size bigint NOT NULL DEFAULT 0 CHECK (size >= 0), created_at timestamptz NOT NULL DEFAULT now())`,
    );
    await q.query(`
      CREATE TABLE processing.records (
        tenant_id text NOT NULL,
        idx bigint NOT NULL CHECK (idx >= 0),
        leaf_hash bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
        body text,
        source_id text NOT NULL,
        kind text NOT NULL,
        subject text,
        purpose text,
        actor text,
        at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        purged_at timestamptz,
        PRIMARY KEY (tenant_id, idx),
        UNIQUE (tenant_id, source_id)
      )`);
    await q.query(`CREATE INDEX records_subject ON processing.records (tenant_id, subject, at DESC, idx DESC) WHERE subject IS NOT NULL`);
    await q.query(`CREATE INDEX records_purpose ON processing.records (tenant_id, purpose, at DESC, idx DESC) WHERE purpose IS NOT NULL`);
    await q.query(`CREATE INDEX records_actor ON processing.records (tenant_id, actor, at DESC, idx DESC) WHERE actor IS NOT NULL`);
    await q.query(`CREATE INDEX records_kind ON processing.records (tenant_id, kind, at DESC, idx DESC)`);
    await q.query(`CREATE INDEX records_at ON processing.records (tenant_id, at DESC, idx DESC)`);
    await q.query(`CREATE INDEX records_recorded ON processing.records (tenant_id, recorded_at) WHERE body IS NOT NULL`);
    await q.query(`
      CREATE TABLE processing.nodes (
        tenant_id text NOT NULL,
        level smallint NOT NULL CHECK (level >= 0 AND level < 63),
        idx bigint NOT NULL CHECK (idx >= 0),
        hash bytea NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (tenant_id, level, idx)
      )`);
    await q.query(`
      CREATE TABLE processing.checkpoints (
        checkpoint_id bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        root bytea NOT NULL,
        note text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX checkpoints_size ON processing.checkpoints (tenant_id, size DESC, checkpoint_id DESC)`);
    await q.query(`
      CREATE TABLE processing.legal_holds (
        hold_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        reason text NOT NULL,
        placed_by text NOT NULL,
        placed_at timestamptz NOT NULL,
        released_by text,
        released_at timestamptz
      )`);
    await q.query(`CREATE INDEX legal_holds_active ON processing.legal_holds (tenant_id) WHERE released_at IS NULL`);

    // P4–P6: the register of processing activities (versioned), impact assessments, incidents.
    await q.query(`
      CREATE TABLE processing.activities (
        tenant_id text NOT NULL, activity_id uuid NOT NULL, version integer NOT NULL CHECK (version >= 1),
        body jsonb NOT NULL, recorded_by text NOT NULL, recorded_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, activity_id, version)
      )`);
    await q.query(`
      CREATE TABLE processing.assessments (
        tenant_id text NOT NULL, assessment_id uuid NOT NULL, activity_ids uuid[] NOT NULL,
        body jsonb NOT NULL, recorded_by text NOT NULL, recorded_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, assessment_id)
      )`);
    await q.query(`
      CREATE TABLE processing.incidents (
        tenant_id text NOT NULL, incident_id uuid NOT NULL, body jsonb NOT NULL,
        reported_by text NOT NULL, reported_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, incident_id)
      )`);
    await q.query(`
      CREATE TABLE processing.incident_updates (
        update_id bigserial PRIMARY KEY, tenant_id text NOT NULL, incident_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('authority-notified', 'subjects-notified', 'remedy', 'closed')),
        body jsonb NOT NULL, recorded_by text NOT NULL, recorded_at timestamptz NOT NULL,
        FOREIGN KEY (tenant_id, incident_id) REFERENCES processing.incidents (tenant_id, incident_id)
      )`);
    for (const table of ['activities', 'assessments', 'incidents', 'incident_updates']) {
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON processing.${table} FOR EACH ROW EXECUTE FUNCTION processing.refuse_change()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON processing.${table} FOR EACH STATEMENT EXECUTE FUNCTION processing.refuse_change()`,
      );
      await q.query(`ALTER TABLE processing.${table} ENABLE ALWAYS TRIGGER ${table}_append_only`);
      await q.query(`ALTER TABLE processing.${table} ENABLE ALWAYS TRIGGER ${table}_no_truncate`);
      await q.query(`ALTER TABLE processing.${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY tenant_isolation ON processing.${table} TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true)) WITH CHECK (tenant_id = current_setting('attest.tenant_id', true))`,
      );
      await q.query(`GRANT SELECT, INSERT ON processing.${table} TO attest_app`);
    }
    await q.query(`GRANT USAGE ON SEQUENCE processing.incident_updates_update_id_seq TO attest_app`);

    // Append-only, for everyone; the purge path is the single exception.
    await q.query(`
      CREATE FUNCTION processing.guard_records() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_user = 'attest_record_purger'
           AND NEW.tenant_id = OLD.tenant_id AND NEW.idx = OLD.idx AND NEW.leaf_hash = OLD.leaf_hash
           AND NEW.source_id = OLD.source_id AND NEW.kind = OLD.kind AND NEW.at = OLD.at AND NEW.recorded_at = OLD.recorded_at
           AND OLD.body IS NOT NULL AND NEW.body IS NULL AND NEW.subject IS NULL AND NEW.purpose IS NULL AND NEW.actor IS NULL
           AND NEW.purged_at IS NOT NULL
           AND OLD.recorded_at < now() - make_interval(years => (SELECT years FROM processing.retention_policy))
           AND NOT EXISTS (SELECT 1 FROM processing.legal_holds h WHERE h.tenant_id = OLD.tenant_id AND h.released_at IS NULL)
        THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001';
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION processing.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001'; END $$`);
    await q.query(`
      CREATE FUNCTION processing.guard_holds() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.released_at IS NULL AND NEW.released_at IS NOT NULL AND NEW.released_by IS NOT NULL
           AND NEW.hold_id = OLD.hold_id AND NEW.tenant_id = OLD.tenant_id AND NEW.reason = OLD.reason
           AND NEW.placed_by = OLD.placed_by AND NEW.placed_at = OLD.placed_at THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'a legal hold is only ever released, once (% refused)', TG_OP USING ERRCODE = 'P0001';
      END $$`);
    for (const [table, fn] of [
      ['records', 'processing.guard_records()'],
      ['nodes', 'processing.refuse_change()'],
      ['checkpoints', 'processing.refuse_change()'],
      ['legal_holds', 'processing.guard_holds()'],
    ] as const) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON processing.${table} FOR EACH ROW EXECUTE FUNCTION ${fn}`);
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON processing.${table} FOR EACH STATEMENT EXECUTE FUNCTION processing.refuse_change()`,
      );
      await q.query(`ALTER TABLE processing.${table} ENABLE ALWAYS TRIGGER ${table}_append_only`);
      await q.query(`ALTER TABLE processing.${table} ENABLE ALWAYS TRIGGER ${table}_no_truncate`);
    }

    // The one way to remove expired bodies.
    await q.query(`
      CREATE FUNCTION processing.purge_expired(p_tenant text, p_before timestamptz) RETURNS bigint
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        v_years integer;
        v_count bigint;
      BEGIN
        SELECT years INTO v_years FROM processing.retention_policy;
        IF p_before > now() - make_interval(years => v_years) THEN
          RAISE EXCEPTION 'records younger than the retention of % years cannot be purged', v_years USING ERRCODE = 'P0001', HINT = 'RECORD.RETENTION_NOT_EXPIRED';
        END IF;
        IF EXISTS (SELECT 1 FROM processing.legal_holds WHERE tenant_id = p_tenant AND released_at IS NULL) THEN
          RAISE EXCEPTION 'a legal hold blocks purging the processing record of %', p_tenant USING ERRCODE = 'P0001', HINT = 'RECORD.LEGAL_HOLD';
        END IF;
        UPDATE processing.records
           SET body = NULL, subject = NULL, purpose = NULL, actor = NULL, purged_at = now()
         WHERE tenant_id = p_tenant AND recorded_at < p_before AND body IS NOT NULL;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        RETURN v_count;
      END $$`);
    await q.query(`ALTER FUNCTION processing.purge_expired(text, timestamptz) OWNER TO attest_record_purger`);
    await q.query(`REVOKE ALL ON FUNCTION processing.purge_expired(text, timestamptz) FROM PUBLIC`);
    await q.query(`GRANT USAGE ON SCHEMA processing TO attest_record_purger, attest_purge`);
    await q.query(`GRANT SELECT, UPDATE ON processing.records TO attest_record_purger`);
    await q.query(`GRANT SELECT ON processing.retention_policy, processing.legal_holds TO attest_record_purger`);
    await q.query(`GRANT EXECUTE ON FUNCTION processing.purge_expired(text, timestamptz) TO attest_purge`);
    for (const table of ['records', 'legal_holds']) {
      await q.query(`CREATE POLICY purger_reads_all ON processing.${table} TO attest_record_purger USING (true) WITH CHECK (true)`);
    }

    // The app role: insert and read its tenant's records, move its log's size.
    for (const table of ['records', 'nodes', 'checkpoints', 'legal_holds', 'logs']) {
      await q.query(`ALTER TABLE processing.${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY tenant_isolation ON processing.${table} TO attest_app USING (tenant_id = current_setting('attest.tenant_id', true)) WITH CHECK (tenant_id = current_setting('attest.tenant_id', true))`,
      );
    }
    await q.query(`GRANT SELECT, INSERT ON processing.records, processing.nodes, processing.checkpoints, processing.legal_holds TO attest_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON processing.logs TO attest_app`);
    await q.query(`GRANT SELECT ON processing.retention_policy TO attest_app`);
    await q.query(`GRANT USAGE ON SEQUENCE processing.checkpoints_checkpoint_id_seq TO attest_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processing.incident_updates, processing.incidents, processing.assessments, processing.activities`);
    await q.query(
      `DROP TABLE processing.records, processing.nodes, processing.checkpoints, processing.legal_holds, processing.logs, processing.retention_policy`,
    );
    await q.query(
      `DROP FUNCTION processing.purge_expired(text, timestamptz), processing.guard_records(), processing.guard_holds(), processing.retention_only_up()`,
    );
  }
}
