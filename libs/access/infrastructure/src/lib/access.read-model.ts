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
  };
}

const KEY_COLUMNS = 'key_id, tenant_id, prefix, roles, label, issued_by, issued_at, expires_at, revoked_at';

/** Reads as the app role: every query filters by tenant, and RLS enforces it again. */
export class PostgresAccessReadModel implements AccessReadModel {
  constructor(private readonly appDataSource: DataSource) {}

  listApiKeys(tenantId: string): Promise<ApiKeyView[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows: KeyRow[] = await m.query(`SELECT ${KEY_COLUMNS} FROM access.api_keys_v1 WHERE tenant_id = $1 ORDER BY issued_at DESC`, [tenantId]);
      return rows.map(toView);
    });
  }

  getApiKey(tenantId: string, keyId: string): Promise<ApiKeyView | null> {
    if (!isUuid(keyId)) return Promise.resolve(null);
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows: KeyRow[] = await m.query(`SELECT ${KEY_COLUMNS} FROM access.api_keys_v1 WHERE tenant_id = $1 AND key_id = $2`, [tenantId, keyId]);
      return rows[0] ? toView(rows[0]) : null;
    });
  }

  activeKeysIssuedBy(tenantId: string, issuer: string): Promise<ApiKeyView[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows: KeyRow[] = await m.query(
        `SELECT ${KEY_COLUMNS} FROM access.api_keys_v1 WHERE tenant_id = $1 AND issued_by = $2 AND revoked_at IS NULL ORDER BY issued_at`,
        [tenantId, issuer],
      );
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
