import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A console OIDC sign-in in flight (ADR 0013): between the redirect to the
 * provider and its callback, the state, nonce and PKCE verifier wait here, found
 * by the hash of a short-lived cookie's secret and used once. The app role reaches
 * the table only through the two owner functions.
 */
export class ConsoleOidc1765300000100 implements MigrationInterface {
  readonly name = 'ConsoleOidc1765300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE access.console_oidc_sign_ins (
        txn_hash text PRIMARY KEY,
        state text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        return_to text NOT NULL,
        redirect_uri text NOT NULL,
        started_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE FUNCTION access.begin_console_oidc(
        p_txn_hash text, p_state text, p_nonce text, p_code_verifier text, p_return_to text, p_redirect_uri text, p_now timestamptz, p_ttl interval)
      RETURNS void
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = access, pg_temp AS $$
        DELETE FROM access.console_oidc_sign_ins WHERE expires_at < p_now;
        INSERT INTO access.console_oidc_sign_ins (txn_hash, state, nonce, code_verifier, return_to, redirect_uri, started_at, expires_at)
        VALUES (p_txn_hash, p_state, p_nonce, p_code_verifier, p_return_to, p_redirect_uri, p_now, p_now + p_ttl)
      $$`);
    // Used once: the row is deleted as it is read; an expired one is deleted and not returned.
    await q.query(`
      CREATE FUNCTION access.take_console_oidc(p_txn_hash text, p_now timestamptz)
      RETURNS TABLE (state text, nonce text, code_verifier text, return_to text, redirect_uri text, expires_at timestamptz)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = access, pg_temp AS $$
        DELETE FROM access.console_oidc_sign_ins s WHERE s.txn_hash = p_txn_hash
        RETURNING s.state, s.nonce, s.code_verifier, s.return_to, s.redirect_uri, s.expires_at
      $$`);
    for (const fn of ['access.begin_console_oidc(text, text, text, text, text, text, timestamptz, interval)', 'access.take_console_oidc(text, timestamptz)']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO attest_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION access.take_console_oidc(text, timestamptz)`);
    await q.query(`DROP FUNCTION access.begin_console_oidc(text, text, text, text, text, text, timestamptz, interval)`);
    await q.query(`DROP TABLE access.console_oidc_sign_ins`);
  }
}
