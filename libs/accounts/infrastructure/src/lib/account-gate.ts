import type { DataSource } from 'typeorm';
import { withTenant } from '@attest/database';
import { DomainError, isoDate, isUuid, type Clock } from '@attest/kernel';
import type { AuthenticatedPrincipal, Authenticator } from '@attest/security';

/** Logins are recorded at most once per account and interval: no write (and no event) per request. */
export const LAST_ACTIVITY_RESOLUTION_MS = 3_600_000;

const REFUSALS: Readonly<Record<string, [string, string]>> = {
  restricted: ['ACCOUNT.LOGIN_RESTRICTED', 'login is restricted for this account; reactivate it with a one-time code'],
  suspended: ['ACCOUNT.SUSPENDED', 'this account is suspended'],
  revoked: ['ACCOUNT.REVOKED', 'this account is revoked'],
  cancelled: ['ACCOUNT.CANCELLED', 'this account is cancelled'],
  unbound: ['ACCOUNT.UNBOUND', 'this account has left the organization'],
  invited: ['ACCOUNT.INVITATION_PENDING', 'accept the invitation first'],
  'invitation-closed': ['ACCOUNT.CANCELLED', 'this invitation is closed'],
};

/**
 * Wraps the authenticator. A tenant whose own account (enterprise or personal
 * user) is cancelled or revoked accepts no credential any more, API keys
 * included (A8, A9). A user whose subject is an Attest account may act only
 * while that account is active (A6, A7), and each such login refreshes the
 * account's last activity (A7, A8) — throttled to one write per hour.
 * Tenants without a registered account (operator, demo) and users without an
 * account (operator staff) pass unchanged.
 */
export class AccountGateAuthenticator implements Authenticator {
  private readonly tenants = new Map<string, { closed: boolean; until: number }>();

  constructor(
    private readonly inner: Authenticator,
    private readonly appDataSource: DataSource,
    private readonly ownerDataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async authenticate(headers: Readonly<Record<string, string | string[] | undefined>>): Promise<AuthenticatedPrincipal | null> {
    const principal = await this.inner.authenticate(headers);
    if (!principal) return principal;
    const subject = principal.via === 'jwt' ? principal.actor.slice('user:'.length) : '';
    const accountId = isUuid(subject) ? subject : null;
    const now = this.clock.now();
    if (!accountId) {
      // API keys and users without an account: only the tenant's state matters.
      if (await this.tenantClosed(principal.tenantId, now)) throw closed();
      return principal;
    }
    // One statement, no transaction: the owner connection with explicit tenant
    // predicates (this is the platform's gate, not a tenant's query).
    const [row] = await this.ownerDataSource.query<{ tenant_status: string | null; account_status: string | null }[]>(
      `SELECT (${TENANT_STATUS_SQL}) AS tenant_status,
              (SELECT status FROM accounts.accounts_v1 WHERE tenant_id = $1 AND account_id = $3::uuid) AS account_status`,
      [principal.tenantId, isoDate(now), accountId],
    );
    if (isClosed(row?.tenant_status)) throw closed();
    if (!row?.account_status) return principal;
    const refusal = REFUSALS[row.account_status];
    if (refusal) throw new DomainError(refusal[0], refusal[1], 'forbidden');
    await withTenant(this.appDataSource, principal.tenantId, (m) =>
      m.query(
        `INSERT INTO accounts.last_activity (account_id, tenant_id, last_login_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET last_login_at = EXCLUDED.last_login_at
         WHERE accounts.last_activity.last_login_at < EXCLUDED.last_login_at - make_interval(secs => $4)`,
        [accountId, principal.tenantId, now, LAST_ACTIVITY_RESOLUTION_MS / 1000],
      ),
    );
    return principal;
  }

  /**
   * Whether the tenant's own account is cancelled or revoked, remembered for
   * a second per tenant: a closed tenant is refused within a second, and the
   * hot path (API-key calls such as processing decisions) saves a round trip.
   */
  private async tenantClosed(tenantId: string, now: Date): Promise<boolean> {
    const cached = this.tenants.get(tenantId);
    if (cached && cached.until > now.getTime()) return cached.closed;
    const [row] = await this.ownerDataSource.query<{ status: string }[]>(TENANT_STATUS_SQL, [tenantId, isoDate(now)]);
    const closed = isClosed(row?.status);
    if (this.tenants.size > 10_000) this.tenants.clear();
    this.tenants.set(tenantId, { closed, until: now.getTime() + TENANT_STATUS_TTL_MS });
    return closed;
  }
}

/**
 * The state of the tenant's own account (enterprise or personal user); `$1` is
 * the tenant id, `$2` today. A10: six months after its agreement ended the
 * tenant's data is in closed storage: `closed-storage`, no longer served.
 */
const TENANT_STATUS_SQL = `SELECT CASE WHEN agreement->>'status' = 'ended' AND (agreement->>'personalDataDeletionDueOn')::date <= $2::date THEN 'closed-storage' ELSE status END
  FROM accounts.accounts_v1 WHERE tenant_id = $1 AND kind IN ('enterprise', 'personal') ORDER BY created_at LIMIT 1`;
const isClosed = (status: string | null | undefined): boolean => status === 'cancelled' || status === 'revoked' || status === 'closed-storage';

/** How long a tenant's open/closed state is remembered per process. */
export const TENANT_STATUS_TTL_MS = 1_000;

const closed = (): DomainError =>
  new DomainError(
    'TENANT.CLOSED',
    'this tenant is closed (cancelled, revoked, or in closed storage after its agreement ended); its credentials no longer work',
    'forbidden',
  );
