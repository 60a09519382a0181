import type { EntityManager } from 'typeorm';
import { ACCOUNT_EVENT_TYPES, ORGANIZATION_EVENT_TYPES, type AccountEvent, type AccountStatus, type OrganizationEvent } from '@attest/accounts-domain';
import { eventOf, type RecordedEvent } from '@attest/event-store';
import { isErased } from '@attest/privacy';
import type { LookupKind, ReadModelPrivacy, TokenChange } from '@attest/privacy-postgres';
import type { JsonValue } from '@attest/kernel';
import type { Projection } from '@attest/projections';

const ACCOUNTS_TABLE = 'accounts.accounts_v1';

/** The status an account is in after an event, when the event changes it. */
export function statusAfter(event: AccountEvent): AccountStatus | null {
  switch (event.type) {
    case 'EnterpriseRegistered.v1':
    case 'PersonalUserRegistered.v1':
    case 'InvitationAccepted.v1':
    case 'AccountReactivated.v1':
      return 'active';
    case 'EndUserInvited.v1':
      return 'invited';
    case 'InvitationDeclined.v1':
    case 'InvitationExpired.v1':
      return 'invitation-closed';
    case 'AccountRestricted.v1':
      return 'restricted';
    case 'AccountSuspended.v1':
    case 'AccountReportedStolen.v1':
      return 'suspended';
    case 'AccountRevoked.v1':
      return 'revoked';
    case 'AccountCancelled.v1':
      return 'cancelled';
    case 'MemberUnbound.v1':
      return 'unbound';
    default:
      return null;
  }
}

/** Events that belong in an account's status history: state and verification changes. */
function historyEntry(event: AccountEvent): { reason: string | null; decidedBy: string } | null {
  switch (event.type) {
    case 'EnterpriseRegistered.v1':
    case 'PersonalUserRegistered.v1':
    case 'InvitationAccepted.v1':
    case 'InvitationDeclined.v1':
    case 'InvitationExpired.v1':
      return { reason: null, decidedBy: `user:${event.data.accountId}` };
    case 'EndUserInvited.v1':
      return { reason: null, decidedBy: event.data.invitedBy };
    case 'LicenceEvidenceSubmitted.v1':
      return { reason: 'licence-evidence', decidedBy: `user:${event.data.accountId}` };
    case 'EnterpriseVerified.v1':
      return { reason: null, decidedBy: event.data.verifiedBy };
    case 'EnterpriseRejected.v1':
      return { reason: event.data.reasons.join(','), decidedBy: event.data.rejectedBy };
    case 'AccountRestricted.v1':
    case 'AccountSuspended.v1':
    case 'AccountRevoked.v1':
    case 'AccountReactivated.v1':
      return { reason: event.data.reason, decidedBy: event.data.decidedBy };
    case 'AccountReportedStolen.v1':
      return { reason: 'stolen-report', decidedBy: event.data.reportedBy };
    case 'AccountCancelled.v1':
      return { reason: event.data.reason, decidedBy: event.data.decidedBy };
    case 'MemberUnbound.v1':
      return { reason: event.data.approvedBy ? 'approved' : 'requested', decidedBy: event.data.approvedBy ?? event.data.requestedBy };
    case 'OwnerChangeRefused.v1':
      return { reason: 'transfer-refused', decidedBy: event.data.attemptedBy };
    default:
      return null;
  }
}

async function sealed(privacy: ReadModelPrivacy, accountId: string, column: string, value: JsonValue | undefined): Promise<JsonValue> {
  if (value === undefined || value === null || isErased(value)) return null;
  return privacy.seal(accountId, { table: ACCOUNTS_TABLE, column, row: accountId }, value);
}

/** The columns of accounts.accounts_v1, as `jsonb_to_recordset` reads a row back. */
const COLUMNS = `account_id uuid, tenant_id text, kind text, status text, verification text, legal_name text, department_id uuid, name jsonb,
  email jsonb, phone jsonb, birth_date jsonb, minor boolean, holds jsonb, cancellation_requested boolean, unbinding_requested boolean,
  invitation_expires_at timestamptz, agreement jsonb, created_at timestamptz, updated_at timestamptz, last_position text, licence_evidence jsonb`;
const NAMES = COLUMNS.split(',').map((c) => c.trim().split(' ')[0] ?? '');
/** Everything but the key and what an account is created with for good (tenant, kind, creation time). */
const MUTABLE = NAMES.filter((n) => !['account_id', 'tenant_id', 'kind', 'created_at'].includes(n));

/** A row of accounts.accounts_v1 as the batch leaves it: JSON values, as `row_to_json` gives them (personal fields sealed). */
interface Row {
  readonly account_id: string;
  status: string;
  holds: { holdId: string; kind: string; reference: string }[];
  last_position: string;
  [column: string]: JsonValue;
}

/**
 * One batch of account and organization events, applied in a handful of statements: the rows of
 * every account the batch names are read and locked at once (`FOR UPDATE`, in id order), the
 * events folded into them in log order with the guard each event's statements used to carry (an
 * event at or before its account's position changes nothing), and at the end the rows that
 * changed are written in one upsert, the status history in one insert and the lookup entries in
 * two. A new account's row is inserted by its registration or invitation; if another transaction
 * inserted it meanwhile, the row further along the log wins. Organization events and
 * function-data deletions are rare: they keep a statement each, run in log order.
 */
class Batch {
  private readonly rows = new Map<string, Row>();
  private readonly dirty = new Set<string>();
  private history: Record<string, JsonValue>[] = [];
  private readonly tokens = new Map<string, TokenChange>();

  constructor(
    private readonly m: EntityManager,
    private readonly privacy: ReadModelPrivacy,
  ) {}

  async load(accountIds: readonly string[]): Promise<void> {
    if (accountIds.length === 0) return;
    const rows = await this.m.query<{ row: Row }[]>(
      `SELECT row_to_json(a) AS row FROM accounts.accounts_v1 a WHERE account_id = ANY($1::uuid[]) ORDER BY account_id FOR UPDATE`,
      [accountIds],
    );
    for (const { row } of rows) this.rows.set(row.account_id, row);
  }

  /** Replaces every lookup entry of the account with these values (the last in the batch wins). */
  private index(tenantId: string, accountId: string, contact: { name: JsonValue; email: JsonValue; phone: JsonValue }): void {
    const values: Partial<Record<LookupKind, string>> = {};
    for (const kind of KINDS) {
      const v = contact[kind];
      if (typeof v === 'string') values[kind] = v;
    }
    this.tokens.set(`${tenantId}\n${accountId}`, { tenantId, subjectId: accountId, kinds: KINDS, values });
  }

  private insert(e: AccountEvent, position: string, at: string, kind: string, status: string, columns: Record<string, JsonValue>): void {
    // A row already there stays as it is (the first registration wins).
    if (this.rows.has(e.data.accountId)) return;
    this.rows.set(e.data.accountId, {
      account_id: e.data.accountId,
      tenant_id: e.data.tenantId,
      kind,
      status,
      verification: null,
      legal_name: null,
      department_id: null,
      name: null,
      email: null,
      phone: null,
      birth_date: null,
      minor: false,
      holds: [],
      cancellation_requested: false,
      unbinding_requested: false,
      invitation_expires_at: null,
      agreement: null,
      created_at: at,
      updated_at: at,
      last_position: position,
      licence_evidence: null,
      ...columns,
    });
    this.dirty.add(e.data.accountId);
  }

  async apply(event: RecordedEvent): Promise<void> {
    if (!ACCOUNT_TYPES.has(event.type)) {
      await applyOrganizationEvent(this.m, event);
      return;
    }
    const e = eventOf<AccountEvent>(event, ACCOUNT_EVENT_TYPES);
    if (!e) return;
    const { accountId, tenantId } = e.data;
    const at = event.metadata.occurredAt;
    const position = event.globalPosition;
    const found = this.rows.get(accountId);
    // Delivered twice (at-least-once, or inline and then by the worker): the second time changes nothing.
    if (found && position <= found.last_position) return;
    const privacy = this.privacy;
    /** The row's columns set by this event, when the account has a row. */
    const set = (columns: Record<string, JsonValue>): void => {
      if (!found) return;
      Object.assign(found, columns, { updated_at: at, last_position: position });
      this.dirty.add(accountId);
    };

    switch (e.type) {
      case 'EnterpriseRegistered.v1': {
        const c = e.data.contact;
        this.insert(e, position, at, 'enterprise', 'active', {
          verification: 'pending',
          legal_name: e.data.legalName,
          licence_evidence: e.data.evidence,
          name: await sealed(privacy, accountId, 'name', c.name),
          email: await sealed(privacy, accountId, 'email', c.email),
          phone: await sealed(privacy, accountId, 'phone', c.phone),
        });
        this.index(tenantId, accountId, c);
        break;
      }
      case 'PersonalUserRegistered.v1':
        this.insert(e, position, at, 'personal', 'active', {
          phone: await sealed(privacy, accountId, 'phone', e.data.phone),
          birth_date: await sealed(privacy, accountId, 'birth_date', e.data.birthDate),
        });
        this.index(tenantId, accountId, { name: null, email: null, phone: e.data.phone });
        break;
      case 'EndUserInvited.v1': {
        const c = e.data.contact;
        // An erased minor's fields are erasure markers in the stored event, whatever its declared shape.
        const minor: unknown = e.data.minor;
        this.insert(e, position, at, 'member', 'invited', {
          department_id: e.data.departmentId,
          name: await sealed(privacy, accountId, 'name', c.name),
          email: await sealed(privacy, accountId, 'email', c.email),
          phone: await sealed(privacy, accountId, 'phone', c.phone),
          // The minor flag is kept in the clear (it drives A12 checks); the birth date is sealed.
          minor: minor !== null,
          birth_date: isErased(minor) || minor === null ? null : await sealed(privacy, accountId, 'birth_date', e.data.minor?.birthDate ?? null),
          invitation_expires_at: e.data.expiresAt,
        });
        this.index(tenantId, accountId, c);
        break;
      }
      case 'LicenceEvidenceSubmitted.v1':
        set({ verification: 'pending', licence_evidence: e.data.evidence });
        break;
      case 'EnterpriseVerified.v1':
        set({ verification: 'verified' });
        break;
      case 'EnterpriseRejected.v1':
        set({ verification: 'rejected' });
        break;
      case 'InvitationAccepted.v1':
      case 'InvitationDeclined.v1':
      case 'InvitationExpired.v1':
        set({ status: statusAfter(e), invitation_expires_at: null });
        break;
      case 'MemberMovedToDepartment.v1':
        set({ department_id: e.data.departmentId });
        break;
      case 'AccountRestricted.v1':
      case 'AccountSuspended.v1':
      case 'AccountRevoked.v1':
      case 'AccountReactivated.v1':
      case 'AccountReportedStolen.v1':
        set({ status: statusAfter(e) });
        break;
      case 'AccountCancelled.v1':
      case 'MemberUnbound.v1':
        set({ status: statusAfter(e), cancellation_requested: false, unbinding_requested: false });
        break;
      case 'OwnerChangeRefused.v1':
        set({});
        break;
      case 'HoldPlaced.v1':
        if (found) set({ holds: [...found.holds, { holdId: e.data.holdId, kind: e.data.kind, reference: e.data.reference }] });
        break;
      case 'HoldReleased.v1':
        if (found) set({ holds: found.holds.filter((h) => h.holdId !== e.data.holdId) });
        break;
      case 'CancellationRequested.v1':
        set({ cancellation_requested: true });
        break;
      case 'CancellationRejected.v1':
        set({ cancellation_requested: false });
        break;
      case 'UnbindingRequested.v1':
        set({ unbinding_requested: true });
        break;
      case 'UnbindingRejected.v1':
        set({ unbinding_requested: false });
        break;
      case 'AgreementStarted.v1':
      case 'AgreementRenewed.v1':
        set({ agreement: { agreementId: e.data.agreementId, status: 'active', endsOn: e.data.endsOn, personalDataDeletionDueOn: null } });
        break;
      case 'AgreementEnded.v1':
        set({
          agreement: {
            agreementId: e.data.agreementId,
            status: 'ended',
            endsOn: e.data.endedOn,
            personalDataDeletionDueOn: e.data.personalDataDeletionDueOn,
          },
        });
        break;
      case 'FunctionDataDeletionRequested.v1':
        await this.m.query(
          `INSERT INTO accounts.function_deletions_v1 (request_id, tenant_id, account_id, function, requested_on, due_on) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (request_id) DO NOTHING`,
          [e.data.requestId, tenantId, accountId, e.data.function, e.data.requestedOn, e.data.dueOn],
        );
        set({});
        break;
      case 'FunctionDataDeletionCompleted.v1':
        await this.m.query(`UPDATE accounts.function_deletions_v1 SET completed_on = $2 WHERE request_id = $1`, [e.data.requestId, e.data.completedOn]);
        set({});
        break;
    }
    const entry = historyEntry(e);
    if (entry) {
      this.history.push({
        account_id: accountId,
        position,
        tenant_id: tenantId,
        event: e.type,
        // The status after the event; an event of an account with no row is kept in its history all the same.
        status: this.rows.get(accountId)?.status ?? 'unknown',
        reason: entry.reason,
        decided_by: entry.decidedBy,
        at,
      });
    }
  }

  /** Writes what changed. */
  async flush(): Promise<void> {
    if (this.dirty.size > 0) {
      await this.m.query(
        `INSERT INTO accounts.accounts_v1 (${NAMES.join(', ')}) SELECT ${NAMES.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${COLUMNS})
         ON CONFLICT (account_id) DO UPDATE SET ${MUTABLE.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
         WHERE accounts_v1.last_position < EXCLUDED.last_position`,
        [JSON.stringify([...this.dirty].map((id) => this.rows.get(id)))],
      );
      this.dirty.clear();
    }
    if (this.history.length > 0) {
      await this.m.query(
        `INSERT INTO accounts.status_history_v1 (account_id, position, tenant_id, event, status, reason, decided_by, at)
         SELECT h.account_id, h.position, h.tenant_id, h.event, h.status, h.reason, h.decided_by, h.at
           FROM jsonb_to_recordset($1::jsonb) AS h(account_id uuid, position text, tenant_id text, event text, status text, reason text, decided_by text, at timestamptz)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(this.history)],
      );
      this.history = [];
    }
    if (this.tokens.size > 0) {
      await this.privacy.replaceTokens(this.m, [...this.tokens.values()]);
      this.tokens.clear();
    }
  }
}

const KINDS: readonly LookupKind[] = ['name', 'email', 'phone'];

async function applyOrganizationEvent(m: EntityManager, event: RecordedEvent): Promise<void> {
  const e = eventOf<OrganizationEvent>(event, ORGANIZATION_EVENT_TYPES);
  if (!e) return;
  const at = event.metadata.occurredAt;
  const tenantId = e.data.tenantId;
  switch (e.type) {
    case 'DepartmentCreated.v1':
      await m.query(
        `INSERT INTO accounts.departments_v1 (tenant_id, department_id, name, parent_id, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [tenantId, e.data.departmentId, e.data.name, e.data.parentId, at],
      );
      break;
    case 'DepartmentRenamed.v1':
      await m.query(`UPDATE accounts.departments_v1 SET name = $3 WHERE tenant_id = $1 AND department_id = $2`, [tenantId, e.data.departmentId, e.data.name]);
      break;
    case 'DepartmentRemoved.v1':
      await m.query(`DELETE FROM accounts.departments_v1 WHERE tenant_id = $1 AND department_id = $2`, [tenantId, e.data.departmentId]);
      break;
    case 'ChannelAccountBound.v1':
      // The external number stays in the (encrypted) event only: the read model needs the binding, not the number.
      await m.query(
        `INSERT INTO accounts.channel_bindings_v1 (binding_id, tenant_id, channel, bound_by, bound_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [e.data.bindingId, tenantId, e.data.channel, e.data.boundBy, at],
      );
      break;
    case 'ChannelAccountUnbound.v1':
      await m.query(`DELETE FROM accounts.channel_bindings_v1 WHERE binding_id = $1`, [e.data.bindingId]);
      break;
    case 'UnbindingPolicySet.v1':
      await m.query(
        `INSERT INTO accounts.organization_settings_v1 (tenant_id, unbinding_approval_required) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET unbinding_approval_required = EXCLUDED.unbinding_approval_required`,
        [tenantId, e.data.approvalRequired],
      );
      break;
  }
}

const ACCOUNT_TYPES: ReadonlySet<string> = new Set(ACCOUNT_EVENT_TYPES);

/** Accounts, status history, organization tree, channel bindings, settings and function-data deletions. */
export function accountsProjection(privacy: ReadModelPrivacy): Projection {
  return {
    name: 'accounts',
    version: 1,
    filter: { eventTypes: [...ACCOUNT_EVENT_TYPES, ...ORGANIZATION_EVENT_TYPES] },
    async apply(events, manager) {
      const ids = new Set<string>();
      for (const event of events) {
        const id = ACCOUNT_TYPES.has(event.type) ? (event.data as { accountId?: unknown }).accountId : undefined;
        if (typeof id === 'string') ids.add(id);
      }
      const batch = new Batch(manager, privacy);
      await batch.load([...ids].sort());
      for (const event of events) await batch.apply(event);
      await batch.flush();
    },
    async reset(manager) {
      await manager.query(
        `TRUNCATE accounts.accounts_v1, accounts.status_history_v1, accounts.departments_v1, accounts.channel_bindings_v1,
                  accounts.organization_settings_v1, accounts.function_deletions_v1`,
      );
    },
  };
}
