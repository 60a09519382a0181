import type { EntityManager } from 'typeorm';
import { ACCOUNT_EVENT_TYPES, ORGANIZATION_EVENT_TYPES, type AccountEvent, type AccountStatus, type OrganizationEvent } from '@attest/accounts-domain';
import { eventOf, type RecordedEvent } from '@attest/event-store';
import { isErased } from '@attest/privacy';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';
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

async function sealed(privacy: ReadModelPrivacy, accountId: string, column: string, value: JsonValue | undefined): Promise<string | null> {
  if (value === undefined || value === null || isErased(value)) return null;
  return JSON.stringify(await privacy.seal(accountId, { table: ACCOUNTS_TABLE, column, row: accountId }, value));
}

async function applyAccountEvent(m: EntityManager, privacy: ReadModelPrivacy, event: RecordedEvent): Promise<void> {
  const e = eventOf<AccountEvent>(event, ACCOUNT_EVENT_TYPES);
  if (!e) return;
  const { accountId, tenantId } = e.data;
  const at = event.metadata.occurredAt;
  const [row] = await m.query<{ last_position: string; status: string; verification: string | null }[]>(
    `SELECT last_position, status, verification FROM accounts.accounts_v1 WHERE account_id = $1 FOR UPDATE`,
    [accountId],
  );
  // Delivered twice (at-least-once, or inline and then by the worker): the second time changes nothing.
  if (row && event.globalPosition <= row.last_position) return;

  const set = async (columns: Record<string, unknown>): Promise<void> => {
    const names = Object.keys(columns);
    const assignments = names.map((n, i) => `${n} = $${String(i + 4)}`).join(', ');
    await m.query(`UPDATE accounts.accounts_v1 SET updated_at = $2, last_position = $3${names.length ? ', ' + assignments : ''} WHERE account_id = $1`, [
      accountId,
      at,
      event.globalPosition,
      ...Object.values(columns),
    ]);
  };
  const insert = async (kind: string, status: string, columns: Record<string, unknown>): Promise<void> => {
    const names = ['account_id', 'tenant_id', 'kind', 'status', 'created_at', 'updated_at', 'last_position', ...Object.keys(columns)];
    const values = [accountId, tenantId, kind, status, at, at, event.globalPosition, ...Object.values(columns)];
    // The worker and the inline projector may both see a new account: the first insert wins.
    await m.query(
      `INSERT INTO accounts.accounts_v1 (${names.join(', ')}) VALUES (${names.map((_, i) => `$${String(i + 1)}`).join(', ')}) ON CONFLICT (account_id) DO NOTHING`,
      values,
    );
  };

  switch (e.type) {
    case 'EnterpriseRegistered.v1': {
      const c = e.data.contact;
      await insert('enterprise', 'active', {
        verification: 'pending',
        legal_name: e.data.legalName,
        licence_evidence: JSON.stringify(e.data.evidence),
        name: await sealed(privacy, accountId, 'name', c.name),
        email: await sealed(privacy, accountId, 'email', c.email),
        phone: await sealed(privacy, accountId, 'phone', c.phone),
      });
      await index(m, privacy, tenantId, accountId, c);
      break;
    }
    case 'PersonalUserRegistered.v1':
      await insert('personal', 'active', {
        phone: await sealed(privacy, accountId, 'phone', e.data.phone),
        birth_date: await sealed(privacy, accountId, 'birth_date', e.data.birthDate),
      });
      await index(m, privacy, tenantId, accountId, { name: null, email: null, phone: e.data.phone });
      break;
    case 'EndUserInvited.v1': {
      const c = e.data.contact;
      // An erased minor's fields are erasure markers in the stored event, whatever its declared shape.
      const minor: unknown = e.data.minor;
      await insert('member', 'invited', {
        department_id: e.data.departmentId,
        name: await sealed(privacy, accountId, 'name', c.name),
        email: await sealed(privacy, accountId, 'email', c.email),
        phone: await sealed(privacy, accountId, 'phone', c.phone),
        // The minor flag is kept in the clear (it drives A12 checks); the birth date is sealed.
        minor: minor !== null,
        birth_date: isErased(minor) || minor === null ? null : await sealed(privacy, accountId, 'birth_date', e.data.minor?.birthDate ?? null),
        invitation_expires_at: e.data.expiresAt,
      });
      await index(m, privacy, tenantId, accountId, c);
      break;
    }
    case 'LicenceEvidenceSubmitted.v1':
      await set({ verification: 'pending', licence_evidence: JSON.stringify(e.data.evidence) });
      break;
    case 'EnterpriseVerified.v1':
      await set({ verification: 'verified' });
      break;
    case 'EnterpriseRejected.v1':
      await set({ verification: 'rejected' });
      break;
    case 'InvitationAccepted.v1':
    case 'InvitationDeclined.v1':
    case 'InvitationExpired.v1':
      await set({ status: statusAfter(e), invitation_expires_at: null });
      break;
    case 'MemberMovedToDepartment.v1':
      await set({ department_id: e.data.departmentId });
      break;
    case 'AccountRestricted.v1':
    case 'AccountSuspended.v1':
    case 'AccountRevoked.v1':
    case 'AccountReactivated.v1':
    case 'AccountReportedStolen.v1':
      await set({ status: statusAfter(e) });
      break;
    case 'AccountCancelled.v1':
    case 'MemberUnbound.v1':
      await set({ status: statusAfter(e), cancellation_requested: false, unbinding_requested: false });
      break;
    case 'OwnerChangeRefused.v1':
      await set({});
      break;
    case 'HoldPlaced.v1':
      await m.query(
        `UPDATE accounts.accounts_v1 SET holds = holds || jsonb_build_array(jsonb_build_object('holdId', $4::text, 'kind', $5::text, 'reference', $6::text)),
           updated_at = $2, last_position = $3 WHERE account_id = $1`,
        [accountId, at, event.globalPosition, e.data.holdId, e.data.kind, e.data.reference],
      );
      break;
    case 'HoldReleased.v1':
      await m.query(
        `UPDATE accounts.accounts_v1 SET holds = COALESCE((SELECT jsonb_agg(h) FROM jsonb_array_elements(holds) h WHERE h->>'holdId' <> $4), '[]'::jsonb),
           updated_at = $2, last_position = $3 WHERE account_id = $1`,
        [accountId, at, event.globalPosition, e.data.holdId],
      );
      break;
    case 'CancellationRequested.v1':
      await set({ cancellation_requested: true });
      break;
    case 'CancellationRejected.v1':
      await set({ cancellation_requested: false });
      break;
    case 'UnbindingRequested.v1':
      await set({ unbinding_requested: true });
      break;
    case 'UnbindingRejected.v1':
      await set({ unbinding_requested: false });
      break;
    case 'AgreementStarted.v1':
    case 'AgreementRenewed.v1':
      await set({ agreement: JSON.stringify({ agreementId: e.data.agreementId, status: 'active', endsOn: e.data.endsOn, personalDataDeletionDueOn: null }) });
      break;
    case 'AgreementEnded.v1':
      await set({
        agreement: JSON.stringify({
          agreementId: e.data.agreementId,
          status: 'ended',
          endsOn: e.data.endedOn,
          personalDataDeletionDueOn: e.data.personalDataDeletionDueOn,
        }),
      });
      break;
    case 'FunctionDataDeletionRequested.v1':
      await m.query(
        `INSERT INTO accounts.function_deletions_v1 (request_id, tenant_id, account_id, function, requested_on, due_on) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (request_id) DO NOTHING`,
        [e.data.requestId, tenantId, accountId, e.data.function, e.data.requestedOn, e.data.dueOn],
      );
      await set({});
      break;
    case 'FunctionDataDeletionCompleted.v1':
      await m.query(`UPDATE accounts.function_deletions_v1 SET completed_on = $2 WHERE request_id = $1`, [e.data.requestId, e.data.completedOn]);
      await set({});
      break;
  }
  const entry = historyEntry(e);
  if (entry) {
    const [current] = await m.query<{ status: string }[]>(`SELECT status FROM accounts.accounts_v1 WHERE account_id = $1`, [accountId]);
    await m.query(
      `INSERT INTO accounts.status_history_v1 (account_id, position, tenant_id, event, status, reason, decided_by, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [accountId, event.globalPosition, tenantId, e.type, current?.status ?? 'unknown', entry.reason, entry.decidedBy, at],
    );
  }
}

async function index(
  m: EntityManager,
  privacy: ReadModelPrivacy,
  tenantId: string,
  accountId: string,
  contact: { name: JsonValue; email: JsonValue; phone: JsonValue },
): Promise<void> {
  const text = (v: JsonValue): string | undefined => (typeof v === 'string' ? v : undefined);
  const values = { name: text(contact.name), email: text(contact.email), phone: text(contact.phone) };
  await privacy.index(m, tenantId, accountId, Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
}

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
      for (const event of events) {
        if (ACCOUNT_TYPES.has(event.type)) await applyAccountEvent(manager, privacy, event);
        else await applyOrganizationEvent(manager, event);
      }
    },
    async reset(manager) {
      await manager.query(
        `TRUNCATE accounts.accounts_v1, accounts.status_history_v1, accounts.departments_v1, accounts.channel_bindings_v1,
                  accounts.organization_settings_v1, accounts.function_deletions_v1`,
      );
    },
  };
}
