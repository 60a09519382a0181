import type { AttestConfig } from '@attest/config';
import type { JobDefinition, JobResult } from '@attest/jobs';
import { RunAccountCommand, type AccountAction } from '@attest/accounts-application';
import { StreamAccountContacts } from '@attest/accounts-infrastructure';
import { DomainError, isoDate, uuidv7, type JsonObject } from '@attest/kernel';
import { AT_RISK_DAYS, retainedSubject } from '@attest/requests-domain';
import { accountCommandHandler } from './console-accounts';
import { eraseCustomer } from './customer-erasure';
import type { Infrastructure } from './infrastructure';

const minus = (at: Date, years: number): Date =>
  new Date(Date.UTC(at.getUTCFullYear() - years, at.getUTCMonth(), at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()));

/** P2: the retention in force, the higher of configuration and database policy (never below three years). */
async function retentionYears(infra: Infrastructure, config: AttestConfig): Promise<number> {
  const [policy] = await infra.dataSource.query<{ years: number }[]>(`SELECT years FROM processing.retention_policy`);
  return Math.max(config.processingRecord.retentionYears, policy?.years ?? 3);
}

/**
 * P2: bodies of processing records older than the retention (at least three
 * years, the higher of configuration and database policy) are purged through
 * the purge role's procedure; leaf hashes stay. A tenant under a legal hold
 * is left alone and counted.
 */
export function processingRecordPurgeJob(infra: Infrastructure, config: AttestConfig): JobDefinition {
  return {
    name: 'processing-record-purge',
    description: 'P2: purge processing-record bodies past the retention (≥ 3 years) unless a legal hold is active; leaf hashes stay',
    intervalSeconds: 86_400,
    async run({ now, dryRun }) {
      const cutoff = minus(now, await retentionYears(infra, config));
      const due = await infra.dataSource.query<{ tenant_id: string; n: string; held: boolean }[]>(
        `SELECT r.tenant_id, count(*)::text AS n,
                EXISTS (SELECT 1 FROM processing.legal_holds h WHERE h.tenant_id = r.tenant_id AND h.released_at IS NULL) AS held
         FROM processing.records r WHERE r.body IS NOT NULL AND r.recorded_at < $1 GROUP BY r.tenant_id ORDER BY r.tenant_id`,
        [cutoff],
      );
      const counts = { tenants: due.length, purged: 0, held: 0, refused: 0 };
      const planned: string[] = [];
      for (const t of due) {
        if (t.held) {
          counts.held += Number(t.n);
          planned.push(`${t.tenant_id}: ${t.n} bodies kept (legal hold)`);
          continue;
        }
        if (dryRun) {
          counts.purged += Number(t.n);
          planned.push(`${t.tenant_id}: would purge ${t.n} bodies recorded before ${cutoff.toISOString()}`);
          continue;
        }
        try {
          counts.purged += await infra.recordLog.purgeExpired(t.tenant_id, cutoff);
        } catch (error) {
          // The database checks the retention against its own clock; a hold placed meanwhile wins too.
          if (error instanceof DomainError && (error.code === 'RECORD.RETENTION_NOT_EXPIRED' || error.code === 'RECORD.LEGAL_HOLD'))
            counts.refused += Number(t.n);
          else throw error;
        }
      }
      return { counts, ...(dryRun ? { planned } : {}) };
    },
  };
}

/** D5: when a retention duty or legal hold ends, the kept field's own key is destroyed and its row removed. */
export function retainedDataExpiryJob(infra: Infrastructure): JobDefinition {
  return {
    name: 'retained-data-expiry',
    description: 'D5: destroy the keys of fields kept after a deletion once their retention duty or legal hold ends',
    intervalSeconds: 86_400,
    async run({ now, dryRun }) {
      const rows = await infra.dataSource.query<{ request_id: string; customer_id: string; field: string }[]>(
        `SELECT request_id, customer_id, field FROM requests.retained_data WHERE retain_until < $1::date ORDER BY retain_until, request_id, field`,
        [isoDate(now)],
      );
      if (dryRun) return { counts: { expired: rows.length }, planned: rows.map((r) => `request ${r.request_id}: ${r.field} would be erased`) };
      for (const r of rows) {
        await infra.vault.erase(retainedSubject(r.customer_id, r.field), 'retention duty ended');
        await infra.dataSource.query(`DELETE FROM requests.retained_data WHERE request_id = $1 AND field = $2`, [r.request_id, r.field]);
      }
      return { counts: { expired: rows.length } };
    },
  };
}

/** A notice a job sends through the outbox; its source key makes it once-only. */
interface Notice {
  readonly sourceKey: string;
  readonly tenantId: string;
  readonly subjectId: string;
  readonly kind: string;
  readonly payload: JsonObject;
  /** The dry run's line (no personal data). */
  readonly line: string;
}

/** A job that finds what is due and sends each notice once (the outbox ignores a source key it has). */
function noticeJob(
  infra: Infrastructure,
  spec: { name: string; description: string; intervalSeconds: number; due: (now: Date) => Promise<Notice[]> },
): JobDefinition {
  return {
    name: spec.name,
    description: spec.description,
    intervalSeconds: spec.intervalSeconds,
    async run({ now, dryRun }): Promise<JobResult> {
      const notices = await spec.due(now);
      if (dryRun) return { counts: { due: notices.length }, planned: notices.map((n) => n.line) };
      let notified = 0;
      await infra.dataSource.transaction(async (m) => {
        for (const n of notices) {
          if (
            (await infra.outbox.enqueue(m, { sourceKey: n.sourceKey, tenantId: n.tenantId, subjectId: n.subjectId, kind: n.kind, payload: n.payload }, now)) !==
            null
          )
            notified += 1;
        }
      });
      return { counts: { due: notices.length, notified } };
    },
  };
}

/**
 * D3: tells the tenant (through the outbox, to its webhook) once when a
 * request becomes at risk and once when it is overdue.
 */
export function requestDeadlinesJob(infra: Infrastructure): JobDefinition {
  return noticeJob(infra, {
    name: 'request-deadlines',
    description: 'D3: reminders for data-subject requests due within five days, and overdue flags, once each',
    intervalSeconds: 3_600,
    async due(now) {
      const rows = await infra.dataSource.query<{ request_id: string; tenant_id: string; due_on: string; urgency: string }[]>(
        `SELECT request_id, tenant_id, to_char(due_on, 'YYYY-MM-DD') AS due_on, CASE WHEN due_on < $1::date THEN 'overdue' ELSE 'at-risk' END AS urgency
         FROM requests.requests_v1 WHERE closed_at IS NULL AND due_on - $1::date < $2 ORDER BY due_on, request_id`,
        [isoDate(now), AT_RISK_DAYS],
      );
      return rows.map((r) => ({
        sourceKey: `dsr-deadline:${r.request_id}:${r.urgency}`,
        tenantId: r.tenant_id,
        subjectId: r.request_id,
        kind: 'request-deadline',
        payload: { requestId: r.request_id, urgency: r.urgency, dueOn: r.due_on },
        line: `request ${r.request_id}: ${r.urgency} (due ${r.due_on})`,
      }));
    },
  });
}

interface IdleAccount {
  account_id: string;
  tenant_id: string;
  last: Date;
}

/**
 * Users (personal accounts and end users) by their last login, or their
 * creation when they never logged in, idle since before `before`.
 */
function idleAccounts(infra: Infrastructure, statuses: readonly string[], before: Date): Promise<IdleAccount[]> {
  return infra.dataSource.query<IdleAccount[]>(
    `SELECT a.account_id, a.tenant_id, COALESCE(l.last_login_at, a.created_at) AS last
     FROM accounts.accounts_v1 a LEFT JOIN accounts.last_activity l ON l.account_id = a.account_id
     WHERE a.kind IN ('personal', 'member') AND a.status = ANY($1::text[]) AND COALESCE(l.last_login_at, a.created_at) < $2
     ORDER BY a.account_id`,
    [statuses, before],
  );
}

/** Runs one account command per idle account; refusals (activity meanwhile, another status) are counted, not failures. */
function accountJob(
  infra: Infrastructure,
  spec: { name: string; description: string; statuses: readonly string[]; before: (now: Date) => Date; action: (a: IdleAccount) => AccountAction },
): JobDefinition {
  return {
    name: spec.name,
    description: spec.description,
    intervalSeconds: 86_400,
    async run({ now, dryRun }) {
      const idle = await idleAccounts(infra, spec.statuses, spec.before(now));
      if (dryRun)
        return {
          counts: { due: idle.length },
          planned: idle.map((a) => `account ${a.account_id} (tenant ${a.tenant_id}): idle since ${a.last.toISOString()}`),
        };
      const handler = await accountCommandHandler(infra);
      const counts = { due: idle.length, done: 0, refused: 0 };
      for (const a of idle) {
        const context = { tenantId: a.tenant_id, actor: `system:job:${spec.name}`, correlationId: uuidv7(), commandId: uuidv7() };
        try {
          const result = await handler.execute(new RunAccountCommand(context, spec.action(a), now));
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
export function inactivityRestrictionJob(infra: Infrastructure, config: AttestConfig): JobDefinition {
  const days = config.accounts.inactivityRestrictionDays;
  return accountJob(infra, {
    name: 'account-inactivity-restriction',
    description: `A7: restrict login of users without a login for ${String(days)} days (reactivation by one-time code)`,
    statuses: ['active'],
    before: (now) => new Date(now.getTime() - days * 86_400_000),
    action: (a) => ({ kind: 'RestrictForInactivity', accountId: a.account_id, lastActivityAt: a.last, inactivityDays: days }),
  });
}

/** A8: no login for more than six months: the account is cancelled and everything the user entered is erased. */
export function inactivityCancellationJob(infra: Infrastructure): JobDefinition {
  return accountJob(infra, {
    name: 'account-inactivity-cancellation',
    description: 'A8: cancel users without a login for more than 6 months and erase their personal data (key destroyed)',
    statuses: ['active', 'restricted'],
    before: (now) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 6, now.getUTCDate())),
    action: (a) => ({ kind: 'CancelForInactivity', accountId: a.account_id, lastActivityAt: a.last }),
  });
}

/** A10: an agreement past its end date ends (the six months for renewal start). */
export function agreementExpiryJob(infra: Infrastructure): JobDefinition {
  return {
    name: 'agreement-expiry',
    description: 'A10: end agreements past their end date; the tenant then has 6 months to renew before its customers’ personal data is deleted',
    intervalSeconds: 86_400,
    async run({ now, dryRun }): Promise<JobResult> {
      const due = await infra.dataSource.query<{ account_id: string; tenant_id: string; ends_on: string }[]>(
        `SELECT account_id, tenant_id, agreement->>'endsOn' AS ends_on FROM accounts.accounts_v1
         WHERE kind IN ('enterprise', 'personal') AND agreement->>'status' = 'active' AND (agreement->>'endsOn')::date < $1::date ORDER BY account_id`,
        [isoDate(now)],
      );
      if (dryRun) return { counts: { due: due.length }, planned: due.map((a) => `tenant ${a.tenant_id}: agreement ended ${a.ends_on}`) };
      const handler = await accountCommandHandler(infra);
      let ended = 0;
      for (const a of due) {
        const context = { tenantId: a.tenant_id, actor: 'system:job:agreement-expiry', correlationId: uuidv7(), commandId: uuidv7() };
        const result = await handler.execute(new RunAccountCommand(context, { kind: 'ExpireAgreement', accountId: a.account_id }, now));
        if (result.events.length > 0) ended += 1;
      }
      return { counts: { due: due.length, ended } };
    },
  };
}

/**
 * A10: six months after a tenant's agreement ended without renewal, every
 * customer's personal data is erased (each customer's key destroyed, the
 * processing record keeping a delete entry); the rest stays in closed
 * storage, which the API no longer serves (the account gate refuses the
 * tenant's credentials). Resumable: the worklist is every customer whose key still exists.
 */
export function tenantDataDeletionJob(infra: Infrastructure): JobDefinition {
  return {
    name: 'tenant-data-deletion',
    description: "A10: erase all customers' personal data of tenants whose agreement ended 6 months ago; the rest goes to closed storage",
    intervalSeconds: 86_400,
    async run({ now, dryRun }) {
      // Every customer the tenant ever had (the consent context keeps a tombstone of erased ones)
      // whose key still exists: a run killed between a customer's erasure event and its key's
      // destruction finds that customer again.
      const due = await infra.dataSource.query<{ tenant_id: string; customers: string[] }[]>(
        `SELECT a.tenant_id, array_agg(s.customer_id::text ORDER BY s.customer_id) AS customers
         FROM accounts.accounts_v1 a JOIN consent.subjects_v1 s ON s.tenant_id = a.tenant_id
         WHERE a.kind IN ('enterprise', 'personal') AND a.agreement->>'status' = 'ended' AND (a.agreement->>'personalDataDeletionDueOn')::date <= $1::date
           AND NOT EXISTS (SELECT 1 FROM key_vault.erased_subjects e WHERE e.subject_id = s.customer_id::text)
         GROUP BY a.tenant_id ORDER BY a.tenant_id`,
        [isoDate(now)],
      );
      const total = due.reduce((n, t) => n + t.customers.length, 0);
      if (dryRun)
        return {
          counts: { tenants: due.length, customers: total },
          planned: due.map((t) => `tenant ${t.tenant_id}: would erase ${String(t.customers.length)} customers`),
        };
      for (const t of due) {
        for (const customerId of t.customers) {
          const context = { tenantId: t.tenant_id, actor: 'system:job:tenant-data-deletion', correlationId: uuidv7(), commandId: uuidv7() };
          await eraseCustomer(infra, context, customerId, 'agreement-ended');
        }
      }
      return { counts: { tenants: due.length, customers: total } };
    },
  };
}

/** A11: specific-function deletions due within three days, or overdue, are flagged to the operator once each. */
export function functionDeletionDeadlinesJob(infra: Infrastructure): JobDefinition {
  return noticeJob(infra, {
    name: 'function-deletion-deadlines',
    description: 'A11: flag specific-function data deletions (15 working days) that are due within 3 days or overdue, once each',
    intervalSeconds: 3_600,
    async due(now) {
      const rows = await infra.dataSource.query<
        { request_id: string; tenant_id: string; account_id: string; function: string; due_on: string; urgency: string }[]
      >(
        `SELECT request_id, tenant_id, account_id, function, to_char(due_on, 'YYYY-MM-DD') AS due_on, CASE WHEN due_on < $1::date THEN 'overdue' ELSE 'at-risk' END AS urgency
         FROM accounts.function_deletions_v1 WHERE completed_on IS NULL AND due_on - $1::date <= 3 ORDER BY due_on, request_id`,
        [isoDate(now)],
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

/**
 * Warnings ahead of every destructive job, through the outbox, once per
 * cycle: users two weeks before an A8 cancellation for inactivity; tenants
 * thirty days before A10 erases their customers' personal data, before P2
 * purges record bodies, and before D5 erases a kept field.
 */
export function destructionWarningsJob(infra: Infrastructure, config: AttestConfig): JobDefinition {
  const contacts = new StreamAccountContacts(infra.store);
  return noticeJob(infra, {
    name: 'destruction-warnings',
    description: 'Warn users 14 days before A8 cancellation; tenants 30 days before A10 deletion, P2 purges and D5 expiries',
    intervalSeconds: 86_400,
    async due(now) {
      const sixMonthsAgo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 6, now.getUTCDate()));
      const users = await idleAccounts(infra, ['active', 'restricted'], new Date(sixMonthsAgo.getTime() + 14 * 86_400_000));
      const tenants = await infra.dataSource.query<{ account_id: string; tenant_id: string; due_on: string }[]>(
        `SELECT account_id, tenant_id, agreement->>'personalDataDeletionDueOn' AS due_on FROM accounts.accounts_v1
         WHERE kind IN ('enterprise', 'personal') AND agreement->>'status' = 'ended'
           AND (agreement->>'personalDataDeletionDueOn')::date - $1::date BETWEEN 0 AND 30 ORDER BY account_id`,
        [isoDate(now)],
      );
      const notices: Notice[] = [];
      for (const u of users) {
        const to = await contacts.contactOf(u.account_id);
        if (!to) continue;
        const cancellationOn = isoDate(new Date(Date.UTC(u.last.getUTCFullYear(), u.last.getUTCMonth() + 6, u.last.getUTCDate() + 1)));
        notices.push({
          sourceKey: `a8-warning:${u.account_id}:${isoDate(u.last)}`,
          tenantId: u.tenant_id,
          subjectId: u.account_id,
          kind: 'inactivity-cancellation-warning',
          payload: { to, accountId: u.account_id, cancellationOn },
          line: `account ${u.account_id}: cancellation on ${cancellationOn} warning`,
        });
      }
      // P2: tenants whose oldest record bodies fall due for purging within 30 days (one notice per tenant and month).
      const years = await retentionYears(infra, config);
      const purgeBy = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate() + 30));
      const purges = await infra.dataSource.query<{ tenant_id: string; n: string }[]>(
        `SELECT tenant_id, count(*)::text AS n FROM processing.records WHERE body IS NOT NULL AND recorded_at < $1 GROUP BY tenant_id ORDER BY tenant_id`,
        [purgeBy],
      );
      const month = isoDate(now).slice(0, 7);
      for (const p of purges) {
        notices.push({
          sourceKey: `p2-warning:${p.tenant_id}:${month}`,
          tenantId: p.tenant_id,
          subjectId: `tenant:${p.tenant_id}`,
          kind: 'processing-record-purge-warning',
          payload: { tenantId: p.tenant_id, records: Number(p.n), purgeFrom: isoDate(new Date(purgeBy.getTime() - 30 * 86_400_000)) },
          line: `tenant ${p.tenant_id}: ${p.n} record bodies due for purge within 30 days`,
        });
      }
      // D5: kept fields whose duty or hold ends within 30 days (one notice per field).
      const expiring = await infra.dataSource.query<{ request_id: string; tenant_id: string; field: string; until: string }[]>(
        `SELECT request_id, tenant_id, field, to_char(retain_until, 'YYYY-MM-DD') AS until FROM requests.retained_data
         WHERE retain_until - $1::date BETWEEN 0 AND 30 ORDER BY retain_until, request_id, field`,
        [isoDate(now)],
      );
      for (const r of expiring) {
        notices.push({
          sourceKey: `d5-warning:${r.request_id}:${r.field}`,
          tenantId: r.tenant_id,
          subjectId: r.request_id,
          kind: 'retained-data-expiry-warning',
          payload: { requestId: r.request_id, field: r.field, erasedAfter: r.until },
          line: `request ${r.request_id}: kept ${r.field} erased after ${r.until}`,
        });
      }
      for (const t of tenants) {
        notices.push({
          sourceKey: `a10-warning:${t.tenant_id}:${t.due_on}`,
          tenantId: t.tenant_id,
          subjectId: t.account_id,
          kind: 'tenant-data-deletion-warning',
          payload: { tenantId: t.tenant_id, deletionOn: t.due_on },
          line: `tenant ${t.tenant_id}: deletion on ${t.due_on} warning`,
        });
      }
      return notices;
    },
  });
}

/** Every timed job a deployment runs. */
export function createJobs(infra: Infrastructure, config: AttestConfig): JobDefinition[] {
  return [
    processingRecordPurgeJob(infra, config),
    retainedDataExpiryJob(infra),
    requestDeadlinesJob(infra),
    inactivityRestrictionJob(infra, config),
    inactivityCancellationJob(infra),
    agreementExpiryJob(infra),
    tenantDataDeletionJob(infra),
    functionDeletionDeadlinesJob(infra),
    destructionWarningsJob(infra, config),
  ];
}
