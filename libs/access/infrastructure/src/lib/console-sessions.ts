import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CONSOLE_SESSION_POLICY, isRole, type ConsoleSignInMethod, type Role } from '@attest/access-domain';
import type { ConsoleOidcSignIn, ConsoleSessionStore, ConsoleSessionView, OpenedConsoleSession } from '@attest/access-application';
import { uuidv7, type Clock } from '@attest/kernel';

const LINK = /^acl_[A-Za-z0-9_-]{43}$/;
const SESSION = /^acs_[A-Za-z0-9_-]{43}$/;

/** SHA-256 of a secret: 256 random bits, so no slow hash is needed. */
function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

const interval = (minutes: number): string => `${String(minutes)} minutes`;
const LIFETIME = interval(CONSOLE_SESSION_POLICY.lifetimeHours * 60);
const IDLE = interval(CONSOLE_SESSION_POLICY.idleMinutes);

interface SessionRow {
  session_id: string;
  tenant_id: string;
  actor: string;
  roles: string[];
  method?: string;
  signed_in_at: Date;
  last_seen_at?: Date;
  expires_at: Date;
}

function view(row: SessionRow, method: ConsoleSignInMethod): ConsoleSessionView {
  return {
    sessionId: row.session_id,
    tenantId: row.tenant_id,
    actor: row.actor,
    roles: row.roles.filter(isRole),
    method,
    signedInAt: row.signed_in_at,
    lastSeenAt: row.last_seen_at ?? row.signed_in_at,
    expiresAt: row.expires_at,
  };
}

/** A sign-in link made for a tenant and roles: the token goes into the URL, its hash into the table. */
export interface IssuedConsoleLink {
  readonly linkId: string;
  readonly token: string;
  readonly expiresAt: Date;
}

/**
 * Console sessions in Postgres (backend-for-frontend). The app connection
 * reaches them only through the owner functions of the access schema; only
 * hashes of link and session secrets are stored.
 */
export class PostgresConsoleSessions implements ConsoleSessionStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Makes a single-use sign-in link (the operator's CLI and `npm start`; needs the owner connection). */
  async issueLink(tenantId: string, roles: readonly Role[], issuedBy: string): Promise<IssuedConsoleLink> {
    const token = `acl_${randomBytes(32).toString('base64url')}`;
    const linkId = uuidv7();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + CONSOLE_SESSION_POLICY.linkMinutes * 60_000);
    await this.dataSource.query(
      `INSERT INTO access.console_links (link_hash, link_id, tenant_id, roles, issued_by, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [hashSecret(token), linkId, tenantId, [...roles], issuedBy, now, expiresAt],
    );
    return { linkId, token, expiresAt };
  }

  async signInWithLink(linkToken: string): Promise<OpenedConsoleSession | null> {
    if (!LINK.test(linkToken)) return null;
    const secret = newSessionSecret();
    const rows = await this.dataSource.query<SessionRow[]>(`SELECT * FROM access.sign_in_with_console_link($1, $2, $3, $4, $5::interval)`, [
      hashSecret(linkToken),
      hashSecret(secret),
      uuidv7(),
      this.clock.now(),
      LIFETIME,
    ]);
    const row = rows[0];
    return row ? { secret, session: view(row, 'link') } : null;
  }

  async open(
    who: { readonly tenantId: string; readonly actor: string; readonly roles: readonly Role[] },
    method: ConsoleSignInMethod,
  ): Promise<OpenedConsoleSession> {
    const secret = newSessionSecret();
    const sessionId = uuidv7();
    const now = this.clock.now();
    await this.dataSource.query(`SELECT access.open_console_session($1, $2, $3, $4, $5, $6, $7, $8::interval)`, [
      hashSecret(secret),
      sessionId,
      who.tenantId,
      who.actor,
      [...who.roles],
      method,
      now,
      LIFETIME,
    ]);
    const expiresAt = new Date(now.getTime() + CONSOLE_SESSION_POLICY.lifetimeHours * 3_600_000);
    return {
      secret,
      session: { sessionId, tenantId: who.tenantId, actor: who.actor, roles: [...who.roles], method, signedInAt: now, lastSeenAt: now, expiresAt },
    };
  }

  async find(secret: string): Promise<ConsoleSessionView | null> {
    if (!SESSION.test(secret)) return null;
    const rows = await this.dataSource.query<SessionRow[]>(`SELECT * FROM access.touch_console_session($1, $2, $3::interval)`, [
      hashSecret(secret),
      this.clock.now(),
      IDLE,
    ]);
    const row = rows[0];
    return row ? view(row, row.method === 'oidc' ? 'oidc' : 'link') : null;
  }

  async beginOidc(signIn: ConsoleOidcSignIn): Promise<string> {
    const secret = `aco_${randomBytes(32).toString('base64url')}`;
    await this.dataSource.query(`SELECT access.begin_console_oidc($1, $2, $3, $4, $5, $6, $7, $8::interval)`, [
      hashSecret(secret),
      signIn.state,
      signIn.nonce,
      signIn.codeVerifier,
      signIn.returnTo,
      signIn.redirectUri,
      this.clock.now(),
      interval(OIDC_SIGN_IN_MINUTES),
    ]);
    return secret;
  }

  async takeOidc(secret: string): Promise<ConsoleOidcSignIn | null> {
    if (!/^aco_[A-Za-z0-9_-]{43}$/.test(secret)) return null;
    const rows = await this.dataSource.query<
      { state: string; nonce: string; code_verifier: string; return_to: string; redirect_uri: string; expires_at: Date }[]
    >(`SELECT * FROM access.take_console_oidc($1, $2)`, [hashSecret(secret), this.clock.now()]);
    const row = rows[0];
    if (!row || row.expires_at.getTime() <= this.clock.now().getTime()) return null;
    return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, returnTo: row.return_to, redirectUri: row.redirect_uri };
  }

  async end(secret: string, reason: string): Promise<boolean> {
    if (!SESSION.test(secret)) return false;
    const rows = await this.dataSource.query<{ ended: boolean }[]>(`SELECT access.end_console_session($1, $2, $3) AS ended`, [
      hashSecret(secret),
      this.clock.now(),
      reason,
    ]);
    return rows[0]?.ended === true;
  }
}

/** An OIDC sign-in waits this long for its callback. */
const OIDC_SIGN_IN_MINUTES = 10;

function newSessionSecret(): string {
  return `acs_${randomBytes(32).toString('base64url')}`;
}
