import type { DataSource } from 'typeorm';
import type { JobDefinition, UpcomingDestructions } from '@attest/jobs';
import { isoDate } from '@attest/kernel';
import { noticeJob, type DueNotice, type Outbox } from '@attest/notifications';
import { AT_RISK_DAYS, RETAINED_DATA_WARNING_DAYS } from '@attest/requests-domain';
import type { PostgresRetainedData } from './retained-data';

/** D5: when a retention duty or legal hold ends, the kept field's own key is destroyed and its row removed. */
export function retainedDataExpiryJob(retained: PostgresRetainedData): JobDefinition {
  return {
    name: 'retained-data-expiry',
    description: 'D5: destroy the keys of fields kept after a deletion once their retention duty or legal hold ends',
    intervalSeconds: 86_400,
    destroys: 'D5',
    async run({ now, dryRun }) {
      const due = await retained.ending(now);
      if (dryRun) return { counts: { expired: due.length }, planned: due.map((r) => `request ${r.requestId}: ${r.field} would be erased`) };
      for (const r of due) await retained.expire(r);
      return { counts: { expired: due.length } };
    },
  };
}

/** D3: tells the tenant (through the outbox, to its webhook) once when a request becomes at risk and once when it is overdue. */
export function requestDeadlinesJob(deps: { readonly owner: DataSource; readonly outbox: Outbox }): JobDefinition {
  return noticeJob(deps, {
    name: 'request-deadlines',
    description: 'D3: reminders for data-subject requests due within five days, and overdue flags, once each',
    intervalSeconds: 3_600,
    async due(now) {
      const rows = await deps.owner.query<{ request_id: string; tenant_id: string; due_on: string; urgency: string }[]>(
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

/** D5: kept fields whose duty or hold ends within the warning period (one notice per field). */
export function retainedDataWarnings(retained: PostgresRetainedData): (now: Date) => Promise<DueNotice[]> {
  return async (now) =>
    (await retained.ending(now, RETAINED_DATA_WARNING_DAYS)).map((r) => ({
      sourceKey: `d5-warning:${r.requestId}:${r.field}`,
      tenantId: r.tenantId,
      subjectId: r.requestId,
      kind: 'retained-data-expiry-warning',
      payload: { requestId: r.requestId, field: r.field, erasedAfter: r.until },
      line: `request ${r.requestId}: kept ${r.field} erased after ${r.until}`,
    }));
}

/** D5 ahead of time, for one tenant: the kept fields whose duty or hold ends within the horizon. */
export function upcomingRetainedExpiries(retained: PostgresRetainedData): UpcomingDestructions {
  return async (tenantId, now, horizonDays) =>
    (await retained.ending(now, horizonDays, tenantId)).map((r) => ({
      job: 'retained-data-expiry',
      requirement: 'D5',
      what: 'retained-field',
      dueOn: r.until,
      subject: r.requestId,
      count: null,
      field: r.field,
      warningFrom: isoDate(new Date(Date.parse(`${r.until}T00:00:00Z`) - RETAINED_DATA_WARNING_DAYS * 86_400_000)),
      warningKeyPrefix: `d5-warning:${r.requestId}:${r.field}`,
    }));
}
