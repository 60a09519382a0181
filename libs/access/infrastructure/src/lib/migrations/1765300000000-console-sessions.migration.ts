import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The console's sign-in links and server-side sessions (backend-for-frontend:
 * the browser holds only an opaque cookie). Only hashes of the link and session
 * secrets are stored. The app role gets no table rights: a session is looked up
 * before the tenant is known, so it goes through these owner functions only.
 */
export class ConsoleSessions1765300000000 implements MigrationInterface {
  readonly name = 'ConsoleSessions1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE access.console_links (
        link_hash text PRIMARY KEY,
        link_id uuid NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        roles text[] NOT NULL,
        issued_by text NOT NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE access.console_sessions (
        session_hash text PRIMARY KEY,
        session_id uuid NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        actor text NOT NULL,
        roles text[] NOT NULL,
        -- how the person signed in: a single-use link or the tenant's OIDC provider
        method text NOT NULL CHECK (method IN ('link', 'oidc')),
        signed_in_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        ended_at timestamptz,
        end_reason text
      )`);
    await q.query(`CREATE INDEX console_sessions_tenant ON access.console_sessions (tenant_id, signed_in_at)`);
    // A link is used once: the UPDATE takes it only while it is unused and unexpired,
    // and the session is opened in the same statement.
    await q.query(`
      CREATE FUNCTION access.sign_in_with_console_link(
        p_link_hash text, p_session_hash text, p_session_id uuid, p_now timestamptz, p_lifetime interval)
      RETURNS TABLE (session_id uuid, tenant_id text, actor text, roles text[], signed_in_at timestamptz, expires_at timestamptz)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = access, pg_temp AS $$
        WITH used AS (
          UPDATE access.console_links l SET used_at = p_now
           WHERE l.link_hash = p_link_hash AND l.used_at IS NULL AND l.expires_at > p_now
          RETURNING l.link_id, l.tenant_id, l.roles
        )
        INSERT INTO access.console_sessions (session_hash, session_id, tenant_id, actor, roles, method, signed_in_at, last_seen_at, expires_at)
        SELECT p_session_hash, p_session_id, u.tenant_id, 'link:' || u.link_id::text, u.roles, 'link', p_now, p_now, p_now + p_lifetime FROM used u
        RETURNING console_sessions.session_id, console_sessions.tenant_id, console_sessions.actor, console_sessions.roles,
                  console_sessions.signed_in_at, console_sessions.expires_at
      $$`);
    await q.query(`
      CREATE FUNCTION access.open_console_session(
        p_session_hash text, p_session_id uuid, p_tenant text, p_actor text, p_roles text[], p_method text, p_now timestamptz, p_lifetime interval)
      RETURNS void
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = access, pg_temp AS $$
        INSERT INTO access.console_sessions (session_hash, session_id, tenant_id, actor, roles, method, signed_in_at, last_seen_at, expires_at)
        VALUES (p_session_hash, p_session_id, p_tenant, p_actor, p_roles, p_method, p_now, p_now, p_now + p_lifetime)
      $$`);
    // Every authenticated call: a live session (not ended, within its absolute and idle
    // expiry) is touched and returned; anything else returns no row.
    await q.query(`
      CREATE FUNCTION access.touch_console_session(p_session_hash text, p_now timestamptz, p_idle interval)
      RETURNS TABLE (session_id uuid, tenant_id text, actor text, roles text[], method text, signed_in_at timestamptz, last_seen_at timestamptz, expires_at timestamptz)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = access, pg_temp AS $$
        UPDATE access.console_sessions s SET last_seen_at = p_now
         WHERE s.session_hash = p_session_hash AND s.ended_at IS NULL AND s.expires_at > p_now AND s.last_seen_at + p_idle > p_now
        RETURNING s.session_id, s.tenant_id, s.actor, s.roles, s.method, s.signed_in_at, s.last_seen_at, s.expires_at
      $$`);
    await q.query(`
      CREATE FUNCTION access.end_console_session(p_session_hash text, p_now timestamptz, p_reason text)
      RETURNS boolean
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = access, pg_temp AS $$
        WITH ended AS (
          UPDATE access.console_sessions s SET ended_at = p_now, end_reason = p_reason
           WHERE s.session_hash = p_session_hash AND s.ended_at IS NULL
          RETURNING 1
        )
        SELECT EXISTS (SELECT 1 FROM ended)
      $$`);
    for (const fn of [
      'access.sign_in_with_console_link(text, text, uuid, timestamptz, interval)',
      'access.open_console_session(text, uuid, text, text, text[], text, timestamptz, interval)',
      'access.touch_console_session(text, timestamptz, interval)',
      'access.end_console_session(text, timestamptz, text)',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO attest_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION access.end_console_session(text, timestamptz, text)`);
    await q.query(`DROP FUNCTION access.touch_console_session(text, timestamptz, interval)`);
    await q.query(`DROP FUNCTION access.open_console_session(text, uuid, text, text, text[], text, timestamptz, interval)`);
    await q.query(`DROP FUNCTION access.sign_in_with_console_link(text, text, uuid, timestamptz, interval)`);
    await q.query(`DROP TABLE access.console_sessions`);
    await q.query(`DROP TABLE access.console_links`);
  }
}
