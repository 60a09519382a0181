import type { DataSource } from 'typeorm';
import { preparedQuery } from '@attest/database';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { isRole, isSubjectId, isTenantId, permissionsFor, recentSignInUntil, type Role } from '@attest/access-domain';
import { sessionCookieValue, type AccessReadModel, type ConsoleSessionStore } from '@attest/access-application';
import type { Clock } from '@attest/kernel';
import { AuthenticationError, type AuthenticatedPrincipal, type Authenticator } from '@attest/security';
import type { ApiKeyCache } from './api-key-cache';
import { apiKeyPrefix, hashApiKey, sameHash } from './key-material';

export interface OidcOptions {
  readonly issuer: string;
  readonly audience: string;
  /** JWKS document URL of the provider, or a key resolver (tests). */
  readonly jwks: string | JWTVerifyGetKey;
  readonly tenantClaim: string;
  readonly rolesClaim: string;
}

export interface KeyRecord {
  key_id: string;
  tenant_id: string;
  secret_hash: string;
  roles: string[];
  expires_at: Date;
  revoked_at: Date | null;
}

const invalid = (): AuthenticationError => new AuthenticationError('AUTH.INVALID_CREDENTIALS', 'The credentials are not valid.');

/**
 * `Authorization: Bearer atk_…` → API key (looked up by prefix, compared by
 * hash in constant time on every request; revoked keys fail on the next
 * request, also when the row is kept in an `ApiKeyCache`).
 * `Authorization: Bearer <JWT>` → OIDC access token verified against the
 * provider's JWKS; tenant and roles come from configured claims, delegated
 * permissions from the access read model.
 */
export class AccessAuthenticator implements Authenticator {
  private readonly jwks: JWTVerifyGetKey | null;

  constructor(
    private readonly appDataSource: DataSource,
    private readonly readModel: AccessReadModel,
    private readonly clock: Clock,
    private readonly oidc: OidcOptions | null,
    /** Key rows kept across requests (see `ApiKeyCache`); none kept without it. */
    private readonly keys: ApiKeyCache<KeyRecord> | null = null,
    /** Console sessions: the session cookie is accepted when there is no Authorization header. */
    private readonly sessions: ConsoleSessionStore | null = null,
    /** Notes each key's use (see `ApiKeyUseRecorder`); nothing noted without it. */
    private readonly uses: { touch(keyId: string, at: Date): void } | null = null,
  ) {
    this.jwks = oidc ? (typeof oidc.jwks === 'string' ? createRemoteJWKSet(new URL(oidc.jwks)) : oidc.jwks) : null;
  }

  async authenticate(headers: Readonly<Record<string, string | string[] | undefined>>): Promise<AuthenticatedPrincipal | null> {
    const header = headers['authorization'];
    if (header === undefined) return this.session(headers['cookie']);
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    const token = match?.[1];
    if (!token) throw invalid();
    return token.startsWith('atk_') ? this.apiKey(token) : this.jwt(token);
  }

  private async apiKey(key: string): Promise<AuthenticatedPrincipal> {
    const prefix = apiKeyPrefix(key);
    if (!prefix) throw invalid();
    let record = this.keys?.lookup(prefix);
    if (!record) {
      const token = this.keys?.begin() ?? 0;
      const rows = await preparedQuery<KeyRecord>(this.appDataSource, 'attest_find_api_key', 'SELECT * FROM access.find_api_key($1)', [prefix]);
      record = rows[0];
      if (record) this.keys?.remember(prefix, record, token);
    }
    if (!record || !sameHash(record.secret_hash, hashApiKey(key)) || record.revoked_at) throw invalid();
    const now = this.clock.now();
    if (record.expires_at.getTime() <= now.getTime()) {
      throw new AuthenticationError('AUTH.CREDENTIALS_EXPIRED', 'The API key has expired; issue a new one.');
    }
    this.uses?.touch(record.key_id, now);
    const roles = record.roles.filter(isRole);
    return { actor: `apiKey:${record.key_id}`, tenantId: record.tenant_id, roles, permissions: permissionsFor(roles), via: 'api-key' };
  }

  /** The console session of the request's cookie (`__Host-attest_session` over https, `attest_session` on plain http). */
  private async session(cookie: string | string[] | undefined): Promise<AuthenticatedPrincipal | null> {
    const secret = this.sessions ? sessionCookieValue(cookie) : null;
    if (!this.sessions || secret === null) return null;
    const session = await this.sessions.find(secret);
    if (!session) throw new AuthenticationError('AUTH.SESSION_ENDED', 'The console session has ended (signed out, idle, expired or revoked); sign in again.');
    return {
      actor: session.actor,
      tenantId: session.tenantId,
      roles: session.roles,
      permissions: permissionsFor(session.roles),
      via: 'session',
      signedInAt: session.signedInAt,
      recentSignIn: recentSignInUntil(session.signedInAt).getTime() > this.clock.now().getTime(),
    };
  }

  private async jwt(token: string): Promise<AuthenticatedPrincipal> {
    if (!this.jwks || !this.oidc) throw new AuthenticationError('AUTH.UNSUPPORTED_TOKEN', 'Bearer tokens other than API keys are not accepted here.');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.oidc.issuer,
        audience: this.oidc.audience,
        currentDate: this.clock.now(),
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AuthenticationError('AUTH.CREDENTIALS_EXPIRED', 'The access token has expired.');
      throw invalid();
    }
    const subject = payload['sub'];
    const tenant = payload[this.oidc.tenantClaim];
    const claimed = payload[this.oidc.rolesClaim];
    // Subjects must be opaque ids: an e-mail address would put personal data into every event.
    if (typeof subject !== 'string' || !isSubjectId(subject) || typeof tenant !== 'string' || !isTenantId(tenant)) throw invalid();
    const roles: Role[] = Array.isArray(claimed) ? claimed.filter((r): r is Role => typeof r === 'string' && isRole(r)) : [];
    const delegated = roles.includes('end-user') ? await this.readModel.delegatedPermissions(tenant, subject) : [];
    return { actor: `user:${subject}`, tenantId: tenant, roles, permissions: permissionsFor(roles, delegated), via: 'jwt' };
  }
}
