import type { DataSource } from 'typeorm';
import { isPermission, isRole, type Permission } from '@attest/access-domain';
import type { AccessReadModel, ApiKeyView } from '@attest/access-application';
import { withTenant } from '@attest/database';
import { isUuid } from '@attest/kernel';

interface KeyRow {
  key_id: string;
  tenant_id: string;
  prefix: string;
  roles: string[];
  label: string;
  issued_by: string;
  issued_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  replaced_by: string | null;
  last_used_at: Date | null;
}

function toView(r: KeyRow): ApiKeyView {
  return {
    keyId: r.key_id,
    tenantId: r.tenant_id,
    prefix: r.prefix,
    roles: r.roles.filter(isRole),
    label: r.label,
    issuedBy: r.issued_by,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    replacedBy: r.replaced_by,
    lastUsedAt: r.last_used_at,
  };
}

const KEYS = `SELECT k.key_id, k.tenant_id, k.prefix, k.roles, k.label, k.issued_by, k.issued_at, k.expires_at, k.revoked_at, k.replaced_by, u.last_used_at
  FROM access.api_keys_v1 k LEFT JOIN access.api_key_uses u ON u.key_id = k.key_id`;

/** Reads as the app role: every query filters by tenant, and RLS enforces it again. */
export class PostgresAccessReadModel implements AccessReadModel {
  constructor(
    private readonly appDataSource: DataSource,
    /** This process's uses not yet written: written first, so a listing shows this process's last use. */
    private readonly uses: { flush(): Promise<void> } | null = null,
  ) {}

  async listApiKeys(tenantId: string): Promise<ApiKeyView[]> {
    await this.uses?.flush();
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows: KeyRow[] = await m.query(`${KEYS} WHERE k.tenant_id = $1 ORDER BY k.issued_at DESC`, [tenantId]);
      return rows.map(toView);
    });
  }

  async getApiKey(tenantId: string, keyId: string): Promise<ApiKeyView | null> {
    if (!isUuid(keyId)) return null;
    await this.uses?.flush();
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows: KeyRow[] = await m.query(`${KEYS} WHERE k.tenant_id = $1 AND k.key_id = $2`, [tenantId, keyId]);
      return rows[0] ? toView(rows[0]) : null;
    });
  }

  activeKeysIssuedBy(tenantId: string, issuer: string): Promise<ApiKeyView[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows: KeyRow[] = await m.query(`${KEYS} WHERE k.tenant_id = $1 AND k.issued_by = $2 AND k.revoked_at IS NULL ORDER BY k.issued_at`, [
        tenantId,
        issuer,
      ]);
      return rows.map(toView);
    });
  }

  delegatedPermissions(tenantId: string, userId: string): Promise<Permission[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows: { permissions: string[] }[] = await m.query(`SELECT permissions FROM access.delegations_v1 WHERE tenant_id = $1 AND user_id = $2`, [
        tenantId,
        userId,
      ]);
      return (rows[0]?.permissions ?? []).filter(isPermission);
    });
  }
}
