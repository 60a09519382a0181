import type { DataSource } from 'typeorm';
import { ACCOUNT_POLICY, inactiveForCancellationBefore, inactivityCancellationOn } from '@attest/accounts-domain';
import { RunAccountCommand, type AccountAction, type RunAccountCommandHandler } from '@attest/accounts-application';
import type { JobDefinition, JobResult, UpcomingDestruction, UpcomingDestructions } from '@attest/jobs';
import { DomainError, isoDate, systemClock, uuidv7 } from '@attest/kernel';
import { noticeJob, type DueNotice, type Outbox } from '@attest/notifications';
import type { CommandContext } from '@attest/security';
import type { StreamAccountContacts } from './account-contacts';

/** A10: the customers of a tenant whose agreement ended, held by other contexts and composed by the runtime. */
export interface TenantCustomers {
  /** Every customer the tenant ever had whose key still exists (a run killed midway finds the rest again). */
  toErase(tenantId: string): Promise<string[]>;
  /** The customer's erasure (event, processing record's delete entry, key destroyed); idempotent. */
  erase(context: CommandContext, customerId: string): Promise<void>;
}

export interface AccountJobDependencies {
  readonly owner: DataSource;
  readonly outbox: Outbox;
  /** The accounts context's command handler, composed when a job first needs it. */
  readonly commands: () => Promise<RunAccountCommandHandler>;
  readonly contacts: StreamAccountContacts;
}

const DAY_MS = 86_400_000;
const context = (tenantId: string, job: string): CommandContext => ({ tenantId, actor: `system:job:${job}`, correlationId: uuidv7(), commandId: uuidv7() });

interface IdleAccount {
  account_id: string;
  tenant_id: string;
  last: Date;
}

/** Users (personal accounts and end users) by their last login, or their creation when they never logged in, idle since before `before` (of one tenant, or all). */
function idleAccounts(owner: DataSource, statuses: readonly string[], before: Date, tenantId: string | null = null): Promise<IdleAccount[]> {
  return owner.query<IdleAccount[]>(
    `SELECT a.account_id, a.tenant_id, COALESCE(l.last_login_at, a.created_at) AS last
     FROM accounts.accounts_v1 a LEFT JOIN accounts.last_activity l ON l.account_id = a.account_id
     WHERE a.kind IN ('personal', 'member') AND a.status = ANY($1::text[]) AND COALESCE(l.last_login_at, a.created_at) < $2
       AND ($3::text IS NULL OR a.tenant_id = $3)
     ORDER BY a.account_id`,
    [statuses, before, tenantId],
  );
}

/** Runs one account command per idle account; refusals (activity meanwhile, another status) are counted, not failures. */
function accountJob(
  deps: AccountJobDependencies,
  spec: { name: string; description: string; statuses: readonly string[]; before: (now: Date) => Date; action: (a: IdleAccount) => AccountAction },
): JobDefinition {
  return {
    name: spec.name,
    description: spec.description,
    intervalSeconds: 86_400,
    async run({ now, dryRun }) {
      const idle = await idleAccounts(deps.owner, spec.statuses, spec.before(now));
      if (dryRun)
        return {
          counts: { due: idle.length },
          planned: idle.map((a) => `account ${a.account_id} (tenant ${a.tenant_id}): idle since ${a.last.toISOString()}`),
        };
      const handler = await deps.commands();
      const counts = { due: idle.length, done: 0, refused: 0 };
      for (const a of idle) {
        try {
          const result = await handler.execute(new RunAccountCommand(context(a.tenant_id, spec.name), spec.action(a), now));
          if (result.events.length > 0) counts.done += 1;
        } catch (error) {
          if (error instanceof DomainError) counts.refused += 1;
          else throw error;
        }
      }
      return { counts };
    },
  };
}

/** A7: login restricted after the configured inactivity; the user reactivates with a one-time code. */
export function inactivityRestrictionJob(deps: AccountJobDependencies, days: number): JobDefinition {
  return accountJob(deps, {
    name: 'account-inactivity-restriction',
    description: `A7: restrict login of users without a login for ${String(days)} days (reactivation by one-time code)`,
    statuses: ['active'],
    before: (now) => new Date(now.getTime() - days * DAY_MS),
    action: (a) => ({ kind: 'RestrictForInactivity', accountId: a.account_id, lastActivityAt: a.last, inactivityDays: days }),
  });
}

/** A8: no login for more than six months: the account is cancelled and everything the user entered is erased. */
export function inactivityCancellationJob(deps: AccountJobDependencies): JobDefinition {
  const job = accountJob(deps, {
    name: 'account-inactivity-cancellation',
    description: `A8: cancel users without a login for more than ${String(ACCOUNT_POLICY.inactivityCancellationMonths)} months and erase their personal data (key destroyed)`,
    statuses: ['active', 'restricted'],
    before: inactiveForCancellationBefore,
    action: (a) => ({ kind: 'CancelForInactivity', accountId: a.account_id, lastActivityAt: a.last }),
  });
  return { ...job, destroys: 'A8' };
}

/** A10: an agreement past its end date ends (the months for renewal start). */
export function agreementExpiryJob(deps: AccountJobDependencies): JobDefinition {
  return {
    name: 'agreement-expiry',
    description: `A10: end agreements past their end date; the tenant then has ${String(ACCOUNT_POLICY.agreementRetentionMonths)} months to renew before its customers’ personal data is deleted`,
    intervalSeconds: 86_400,
    async run({ now, dryRun }): Promise<JobResult> {
      const due = await deps.owner.query<{ account_id: string; tenant_id: string; ends_on: string }[]>(
        `SELECT account_id, tenant_id, agreement->>'endsOn' AS ends_on FROM accounts.accounts_v1
         WHERE kind IN ('enterprise', 'personal') AND agreement->>'status' = 'active' AND (agreement->>'endsOn')::date < $1::date ORDER BY account_id`,
        [isoDate(now)],
      );
      if (dryRun) return { counts: { due: due.length }, planned: due.map((a) => `tenant ${a.tenant_id}: agreement ended ${a.ends_on}`) };
      const handler = await deps.commands();
      let ended = 0;
      for (const a of due) {
        const result = await handler.execute(
          new RunAccountCommand(context(a.tenant_id, 'agreement-expiry'), { kind: 'ExpireAgreement', accountId: a.account_id }, now),
        );
        if (result.events.length > 0) ended += 1;
      }
      return { counts: { due: due.length, ended } };
    },
  };
}

/**
 * A10: the months for renewal after a tenant's agreement ended are over:
 * every customer's personal data is erased (each customer's key destroyed,
 * the processing record keeping a delete entry); the rest stays in closed
 * storage, which the API no longer serves (the account gate refuses the
 * tenant's credentials). Resumable: the worklist is every customer whose key still exists.
 */
export function tenantDataDeletionJob(deps: AccountJobDependencies, customers: TenantCustomers): JobDefinition {
  return {
    name: 'tenant-data-deletion',
    description: `A10: erase all customers' personal data of tenants whose agreement ended ${String(ACCOUNT_POLICY.agreementRetentionMonths)} months ago; the rest goes to closed storage`,
    intervalSeconds: 86_400,
    destroys: 'A10',
    async run({ now, dryRun }) {
      const tenants = await deps.owner.query<{ tenant_id: string }[]>(
        `SELECT tenant_id FROM accounts.accounts_v1
         WHERE kind IN ('enterprise', 'personal') AND agreement->>'status' = 'ended' AND (agreement->>'personalDataDeletionDueOn')::date <= $1::date
         ORDER BY tenant_id`,
        [isoDate(now)],
      );
      const due: { tenantId: string; customers: string[] }[] = [];
      for (const t of tenants) {
        const left = await customers.toErase(t.tenant_id);
        if (left.length > 0) due.push({ tenantId: t.tenant_id, customers: left });
      }
      const total = due.reduce((n, t) => n + t.customers.length, 0);
      if (dryRun)
        return {
          counts: { tenants: due.length, customers: total },
          planned: due.map((t) => `tenant ${t.tenantId}: would erase ${String(t.customers.length)} customers`),
        };
      for (const t of due) {
        for (const customerId of t.customers) await customers.erase(context(t.tenantId, 'tenant-data-deletion'), customerId);
      }
      return { counts: { tenants: due.length, customers: total } };
    },
  };
}

/** A11: specific-function deletions due within a few days, or overdue, are flagged to the operator once each. */
export function functionDeletionDeadlinesJob(deps: AccountJobDependencies): JobDefinition {
  const days = ACCOUNT_POLICY.functionDeletionAtRiskDays;
  return noticeJob(deps, {
    name: 'function-deletion-deadlines',
    description: `A11: flag specific-function data deletions (${String(ACCOUNT_POLICY.functionDeletionWorkingDays)} working days) that are due within ${String(days)} days or overdue, once each`,
    intervalSeconds: 3_600,
    async due(now) {
      const rows = await deps.owner.query<{ request_id: string; tenant_id: string; account_id: string; function: string; due_on: string; urgency: string }[]>(
        `SELECT request_id, tenant_id, account_id, function, to_char(due_on, 'YYYY-MM-DD') AS due_on, CASE WHEN due_on < $1::date THEN 'overdue' ELSE 'at-risk' END AS urgency
         FROM accounts.function_deletions_v1 WHERE completed_on IS NULL AND due_on - $1::date <= $2 ORDER BY due_on, request_id`,
        [isoDate(now), days],
      );
      return rows.map((r) => ({
        sourceKey: `a11-deadline:${r.request_id}:${r.urgency}`,
        tenantId: r.tenant_id,
        subjectId: r.account_id,
        kind: 'function-deletion-deadline',
        payload: { requestId: r.request_id, function: r.function, urgency: r.urgency, dueOn: r.due_on },
        line: `tenant ${r.tenant_id}: ${r.function} deletion ${r.urgency} (due ${r.due_on})`,
      }));
    },
  });
}

/** A8: users within the warning period of their cancellation for inactivity (one notice per period of inactivity). */
export function inactivityWarnings(deps: AccountJobDependencies): (now: Date) => Promise<DueNotice[]> {
  return async (now) => {
    const before = new Date(inactiveForCancellationBefore(now).getTime() + ACCOUNT_POLICY.inactivityWarningDays * DAY_MS);
    const notices: DueNotice[] = [];
    for (const u of await idleAccounts(deps.owner, ['active', 'restricted'], before)) {
      const to = await deps.contacts.contactOf(u.account_id);
      if (!to) continue;
      const cancellationOn = inactivityCancellationOn(u.last);
      notices.push({
        sourceKey: `a8-warning:${u.account_id}:${isoDate(u.last)}`,
        tenantId: u.tenant_id,
        subjectId: u.account_id,
        kind: 'inactivity-cancellation-warning',
        payload: { to, accountId: u.account_id, cancellationOn },
        line: `account ${u.account_id}: cancellation on ${cancellationOn} warning`,
      });
    }
    return notices;
  };
}

/** A10: tenants within the warning period of the erasure of their customers' personal data. */
export function tenantDeletionWarnings(deps: AccountJobDependencies): (now: Date) => Promise<DueNotice[]> {
  return async (now) => {
    const tenants = await deps.owner.query<{ account_id: string; tenant_id: string; due_on: string }[]>(
      `SELECT account_id, tenant_id, agreement->>'personalDataDeletionDueOn' AS due_on FROM accounts.accounts_v1
       WHERE kind IN ('enterprise', 'personal') AND agreement->>'status' = 'ended'
         AND (agreement->>'personalDataDeletionDueOn')::date - $1::date BETWEEN 0 AND $2 ORDER BY account_id`,
      [isoDate(now), ACCOUNT_POLICY.tenantDeletionWarningDays],
    );
    return tenants.map((t) => ({
      sourceKey: `a10-warning:${t.tenant_id}:${t.due_on}`,
      tenantId: t.tenant_id,
      subjectId: t.account_id,
      kind: 'tenant-data-deletion-warning',
      payload: { tenantId: t.tenant_id, deletionOn: t.due_on },
      line: `tenant ${t.tenant_id}: deletion on ${t.due_on} warning`,
    }));
  };
}

/**
 * Finishes enterprise cancellations whose member cascade was interrupted (the
 * process stopped between the enterprise's cancellation and its members'):
 * every member of a cancelled tenant account is cancelled and erased.
 * Idempotent; returns how many members it cancelled.
 */
export async function completeTenantClosures(deps: Pick<AccountJobDependencies, 'owner' | 'commands'>): Promise<number> {
  const tenants = await deps.owner.query<{ account_id: string; tenant_id: string }[]>(
    `SELECT t.account_id, t.tenant_id FROM accounts.accounts_v1 t
     WHERE t.kind IN ('enterprise', 'personal') AND t.status = 'cancelled'
       AND EXISTS (SELECT 1 FROM accounts.accounts_v1 m WHERE m.tenant_id = t.tenant_id AND m.kind = 'member'
                   AND m.status NOT IN ('cancelled', 'unbound', 'invitation-closed'))`,
  );
  if (tenants.length === 0) return 0;
  const handler = await deps.commands();
  let cancelled = 0;
  for (const t of tenants) {
    cancelled += await handler.cancelMembersOf(t.account_id, { ...context(t.tenant_id, 'console'), actor: 'system:console' }, systemClock.now());
  }
  return cancelled;
}

const dayBefore = (day: string, days: number): string => isoDate(new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS));

/**
 * A8 and A10 ahead of time, for one tenant: its users whose cancellation for inactivity falls
 * within the horizon, and the erasure of its customers' personal data once its agreement ended.
 */
export function upcomingAccountDestructions(deps: Pick<AccountJobDependencies, 'owner'>): UpcomingDestructions {
  return async (tenantId, now, horizonDays) => {
    const out: UpcomingDestruction[] = [];
    const before = new Date(inactiveForCancellationBefore(now).getTime() + horizonDays * DAY_MS);
    for (const u of await idleAccounts(deps.owner, ['active', 'restricted'], before, tenantId)) {
      const dueOn = inactivityCancellationOn(u.last);
      out.push({
        job: 'account-inactivity-cancellation',
        requirement: 'A8',
        what: 'account-cancellation',
        dueOn,
        subject: u.account_id,
        count: null,
        field: null,
        warningFrom: dayBefore(dueOn, ACCOUNT_POLICY.inactivityWarningDays),
        warningKeyPrefix: `a8-warning:${u.account_id}:${isoDate(u.last)}`,
      });
    }
    const ended = await deps.owner.query<{ due_on: string }[]>(
      `SELECT agreement->>'personalDataDeletionDueOn' AS due_on FROM accounts.accounts_v1
       WHERE tenant_id = $1 AND kind IN ('enterprise', 'personal') AND agreement->>'status' = 'ended'
         AND (agreement->>'personalDataDeletionDueOn')::date - $2::date BETWEEN 0 AND $3`,
      [tenantId, isoDate(now), horizonDays],
    );
    for (const t of ended) {
      out.push({
        job: 'tenant-data-deletion',
        requirement: 'A10',
        what: 'customer-personal-data',
        dueOn: t.due_on,
        subject: null,
        count: null,
        field: null,
        warningFrom: dayBefore(t.due_on, ACCOUNT_POLICY.tenantDeletionWarningDays),
        warningKeyPrefix: `a10-warning:${tenantId}:${t.due_on}`,
      });
    }
    return out;
  };
}
