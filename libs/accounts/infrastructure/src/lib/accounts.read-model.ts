import type { DataSource, EntityManager } from 'typeorm';
import type { AccountKind, AccountStatus, Channel, HoldKind, Verification } from '@attest/accounts-domain';
import type {
  AccountFilter,
  AccountPersonalData,
  AccountsReadModel,
  AccountView,
  ChannelBindingView,
  DepartmentView,
  FunctionDeletionView,
  StatusChangeView,
} from '@attest/accounts-application';
import { withTenant } from '@attest/database';
import { isUuid, type JsonValue } from '@attest/kernel';
import { isErased } from '@attest/privacy';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';

interface AccountRow {
  account_id: string;
  tenant_id: string;
  kind: AccountKind;
  status: AccountStatus;
  verification: Verification | null;
  legal_name: string | null;
  licence_evidence: AccountView['licenceEvidence'];
  department_id: string | null;
  minor: boolean;
  holds: { holdId: string; kind: HoldKind; reference: string }[];
  cancellation_requested: boolean;
  unbinding_requested: boolean;
  invitation_expires_at: Date | null;
  agreement: AccountView['agreement'];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `account_id, tenant_id, kind, status, verification, legal_name, licence_evidence, department_id, minor, holds, cancellation_requested,
  unbinding_requested, invitation_expires_at, agreement, created_at, updated_at`;

const toView = (r: AccountRow): AccountView => ({
  accountId: r.account_id,
  tenantId: r.tenant_id,
  kind: r.kind,
  status: r.status,
  verification: r.verification,
  legalName: r.legal_name,
  licenceEvidence: r.licence_evidence,
  departmentId: r.department_id,
  minor: r.minor,
  holds: r.holds,
  cancellationRequested: r.cancellation_requested,
  unbindingRequested: r.unbinding_requested,
  invitationExpiresAt: r.invitation_expires_at,
  agreement: r.agreement,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * Tenant-scoped reads run as `attest_app` under row-level security; `find`,
 * `list(null, …)` and `lastActivity` span tenants and use the owner
 * connection (platform operators, public flows and the retention jobs).
 */
export class PostgresAccountsReadModel implements AccountsReadModel {
  constructor(
    private readonly appDataSource: DataSource,
    private readonly ownerDataSource: DataSource,
    private readonly privacy: ReadModelPrivacy,
  ) {}

  get(tenantId: string, accountId: string): Promise<AccountView | null> {
    if (!isUuid(accountId)) return Promise.resolve(null);
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const [row] = await m.query<AccountRow[]>(`SELECT ${COLUMNS} FROM accounts.accounts_v1 WHERE tenant_id = $1 AND account_id = $2`, [tenantId, accountId]);
      return row ? toView(row) : null;
    });
  }

  async openMembersWithContact(tenantId: string, contact: { readonly email: string | null; readonly phone: string | null }): Promise<AccountView[]> {
    const manager = this.ownerDataSource.manager;
    const ids = new Set<string>();
    if (contact.email) for (const id of await this.privacy.find(manager, tenantId, 'email', contact.email)) ids.add(id);
    if (contact.phone) for (const id of await this.privacy.find(manager, tenantId, 'phone', contact.phone)) ids.add(id);
    if (ids.size === 0) return [];
    const rows = await manager.query<AccountRow[]>(
      `SELECT ${COLUMNS} FROM accounts.accounts_v1
       WHERE tenant_id = $1 AND account_id = ANY($2::uuid[]) AND kind = 'member' AND status IN ('invited', 'active', 'restricted', 'suspended')
       ORDER BY account_id`,
      [tenantId, [...ids]],
    );
    return rows.map(toView);
  }

  async find(accountId: string): Promise<AccountView | null> {
    if (!isUuid(accountId)) return null;
    const [row] = await this.ownerDataSource.query<AccountRow[]>(`SELECT ${COLUMNS} FROM accounts.accounts_v1 WHERE account_id = $1`, [accountId]);
    return row ? toView(row) : null;
  }

  tenantAccount(tenantId: string): Promise<AccountView | null> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const [row] = await m.query<AccountRow[]>(
        `SELECT ${COLUMNS} FROM accounts.accounts_v1 WHERE tenant_id = $1 AND kind IN ('enterprise', 'personal') ORDER BY created_at LIMIT 1`,
        [tenantId],
      );
      return row ? toView(row) : null;
    });
  }

  async list(tenantId: string | null, filter: AccountFilter): Promise<AccountView[]> {
    const run = async (m: EntityManager | DataSource): Promise<AccountView[]> => {
      const rows = await m.query<AccountRow[]>(
        `SELECT ${COLUMNS} FROM accounts.accounts_v1
         WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR status = $3)
           AND ($4::text IS NULL OR verification = $4) AND ($5::uuid IS NULL OR department_id = $5)
           AND ($6::boolean IS NULL OR cancellation_requested = $6) AND ($7::boolean IS NULL OR unbinding_requested = $7)
           AND ($8::uuid IS NULL OR account_id > $8)
         ORDER BY account_id LIMIT $9`,
        [
          tenantId,
          filter.kind ?? null,
          filter.status ?? null,
          filter.verification ?? null,
          filter.departmentId ?? null,
          filter.cancellationRequested ?? null,
          filter.unbindingRequested ?? null,
          filter.after ?? null,
          filter.limit,
        ],
      );
      return rows.map(toView);
    };
    return tenantId === null ? run(this.ownerDataSource) : withTenant(this.appDataSource, tenantId, run);
  }

  statusHistory(tenantId: string, accountId: string): Promise<StatusChangeView[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows = await m.query<{ account_id: string; status: AccountStatus; event: string; reason: string | null; decided_by: string; at: Date }[]>(
        `SELECT account_id, status, event, reason, decided_by, at FROM accounts.status_history_v1 WHERE tenant_id = $1 AND account_id = $2 ORDER BY position`,
        [tenantId, accountId],
      );
      return rows.map((r) => ({ accountId: r.account_id, status: r.status, event: r.event, reason: r.reason, decidedBy: r.decided_by, at: r.at }));
    });
  }

  departments(tenantId: string): Promise<DepartmentView[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows = await m.query<{ department_id: string; name: string; parent_id: string | null; members: number }[]>(
        `SELECT d.department_id, d.name, d.parent_id,
                (SELECT count(*)::int FROM accounts.accounts_v1 a WHERE a.tenant_id = d.tenant_id AND a.department_id = d.department_id
                   AND a.status IN ('invited', 'active', 'restricted', 'suspended')) AS members
         FROM accounts.departments_v1 d WHERE d.tenant_id = $1 ORDER BY d.created_at, d.department_id`,
        [tenantId],
      );
      return rows.map((r) => ({ departmentId: r.department_id, name: r.name, parentId: r.parent_id, memberCount: r.members }));
    });
  }

  channelBindings(tenantId: string): Promise<ChannelBindingView[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows = await m.query<{ binding_id: string; channel: Channel; bound_at: Date; bound_by: string }[]>(
        `SELECT binding_id, channel, bound_at, bound_by FROM accounts.channel_bindings_v1 WHERE tenant_id = $1 ORDER BY bound_at`,
        [tenantId],
      );
      return rows.map((r) => ({ bindingId: r.binding_id, channel: r.channel, boundAt: r.bound_at, boundBy: r.bound_by }));
    });
  }

  functionDeletions(tenantId: string): Promise<FunctionDeletionView[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows = await m.query<
        { request_id: string; account_id: string; function: string; requested_on: string; due_on: string; completed_on: string | null }[]
      >(
        `SELECT request_id, account_id, function, requested_on::text, due_on::text, completed_on::text FROM accounts.function_deletions_v1
         WHERE tenant_id = $1 ORDER BY due_on, request_id`,
        [tenantId],
      );
      return rows.map((r) => ({
        requestId: r.request_id,
        accountId: r.account_id,
        function: r.function,
        requestedOn: r.requested_on,
        dueOn: r.due_on,
        completedOn: r.completed_on,
      }));
    });
  }

  unbindingApprovalRequired(tenantId: string): Promise<boolean> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const [row] = await m.query<{ required: boolean }[]>(
        `SELECT unbinding_approval_required AS required FROM accounts.organization_settings_v1 WHERE tenant_id = $1`,
        [tenantId],
      );
      return row?.required ?? false;
    });
  }

  async personalData(tenantId: string, accountId: string): Promise<AccountPersonalData | null> {
    if (!isUuid(accountId)) return null;
    const row = await withTenant(this.appDataSource, tenantId, async (m) => {
      const [r] = await m.query<{ name: JsonValue; email: JsonValue; phone: JsonValue; birth_date: JsonValue }[]>(
        `SELECT name, email, phone, birth_date FROM accounts.accounts_v1 WHERE tenant_id = $1 AND account_id = $2`,
        [tenantId, accountId],
      );
      return r ?? null;
    });
    if (!row) return null;
    const open = (column: string, stored: JsonValue): Promise<JsonValue> =>
      this.privacy.open(accountId, { table: 'accounts.accounts_v1', column, row: accountId }, stored).then((v) => (isErased(v) ? null : v));
    const text = (v: JsonValue): string | null => (typeof v === 'string' ? v : null);
    return {
      accountId,
      erased: await this.privacy.isErased(accountId),
      name: text(await open('name', row.name)),
      email: text(await open('email', row.email)),
      phone: text(await open('phone', row.phone)),
      birthDate: text(await open('birth_date', row.birth_date)),
    };
  }

  async lastActivity(accountId: string): Promise<Date | null> {
    const [row] = await this.ownerDataSource.query<{ at: Date }[]>(`SELECT last_login_at AS at FROM accounts.last_activity WHERE account_id = $1`, [accountId]);
    return row?.at ?? null;
  }
}
