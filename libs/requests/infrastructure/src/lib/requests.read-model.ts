import type { DataSource } from 'typeorm';
import { withTenant } from '@attest/database';
import { DomainError } from '@attest/kernel';
import type { RequestPolicies, RequestQueueFilter, RequestsReadModel, RequestView, TenantRequestPolicy } from '@attest/requests-application';
import {
  AT_RISK_DAYS,
  checkDuties,
  checkPolicy,
  DEFAULT_DEADLINE_POLICY,
  DEFAULT_UNVERIFIED_AFTER_DAYS,
  urgencyOf,
  type DeadlinePolicy,
  type RetentionDuty,
  type RequestStatus,
  type WorkingCalendar,
} from '@attest/requests-domain';

interface Row {
  request_id: string;
  tenant_id: string;
  customer_id: string;
  request_type: RequestView['requestType'];
  channel: RequestView['channel'];
  relation: RequestView['relation'];
  scope: RequestView['scope'];
  status: RequestStatus;
  verification_method: string | null;
  handler: string | null;
  escalations: RequestView['escalations'];
  received_at: Date;
  due_on: string;
  max_extended_due_on: string | null;
  extension_notice_by: string | null;
  extension: RequestView['extension'];
  outcome: RequestView['outcome'];
  rejection: RequestView['rejection'];
  closed_at: Date | null;
  duplicates: string[];
}

/** The columns of a view, read `FROM requests.requests_v1 r`; duplicates through the (tenant, customer) index. */
const COLUMNS = `r.request_id, r.tenant_id, r.customer_id, r.request_type, r.channel, r.relation, r.scope, r.status, r.verification_method, r.handler,
  r.escalations, r.received_at, to_char(r.due_on, 'YYYY-MM-DD') AS due_on, to_char(r.max_extended_due_on, 'YYYY-MM-DD') AS max_extended_due_on,
  to_char(r.extension_notice_by, 'YYYY-MM-DD') AS extension_notice_by, r.extension, r.outcome, r.rejection, r.closed_at,
  ARRAY(SELECT d.request_id::text FROM requests.requests_v1 d
         WHERE r.closed_at IS NULL AND d.tenant_id = r.tenant_id AND d.customer_id = r.customer_id AND d.request_type = r.request_type
           AND d.closed_at IS NULL AND d.request_id <> r.request_id
         ORDER BY d.received_at, d.request_id) AS duplicates`;

function view(r: Row, now: Date): RequestView {
  return {
    requestId: r.request_id,
    tenantId: r.tenant_id,
    customerId: r.customer_id,
    requestType: r.request_type,
    channel: r.channel,
    relation: r.relation,
    scope: r.scope,
    status: r.status,
    verified: r.verification_method !== null,
    verificationMethod: r.verification_method,
    handler: r.handler,
    escalations: r.escalations,
    receivedAt: r.received_at.toISOString(),
    dueOn: r.due_on,
    maxExtendedDueOn: r.max_extended_due_on,
    extensionNoticeBy: r.extension_notice_by,
    extension: r.extension,
    urgency: r.closed_at === null ? urgencyOf(r.due_on, now) : null,
    outcome: r.outcome,
    rejection: r.rejection,
    closedAt: r.closed_at?.toISOString() ?? null,
    duplicates: r.duplicates,
  };
}

/**
 * The queue's filter as SQL over `requests.requests_v1 r` (one statement, parameters in order).
 * Only the conditions the filter names are written, and "open" is `r.closed_at IS NULL` itself,
 * so the planner can walk the partial queue index (tenant, due date, id) in order and stop at
 * the page's end (a statement with every condition behind `$n IS NULL OR …` was planned once,
 * generically, as a scan and sort of the tenant's whole table).
 */
function queueWhere(
  tenantId: string,
  filter: Omit<RequestQueueFilter, 'limit'> & { readonly after?: string },
  now: Date,
): { where: string; params: unknown[] } {
  const params: unknown[] = [tenantId];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${String(params.length)}`;
  };
  const where = ['r.tenant_id = $1'];
  const status = filter.status ?? 'open';
  if (status === 'open') where.push('r.closed_at IS NULL');
  else if (status !== 'all') where.push(`r.status = ${param(status)}`);
  if (filter.handler !== undefined) where.push(`r.handler = ${param(filter.handler)}`);
  if (filter.escalated !== undefined) where.push(filter.escalated ? `r.escalations <> '[]'` : `r.escalations = '[]'`);
  if (filter.requestType !== undefined) where.push(`r.request_type = ${param(filter.requestType)}`);
  if (filter.urgency !== undefined) {
    // As `urgencyOf` computes it: overdue before today, at risk within AT_RISK_DAYS, on track after.
    // Every parameter is used (an unused one has no type and fails the statement).
    const today = `${param(now.toISOString().slice(0, 10))}::date`;
    where.push('r.closed_at IS NULL');
    if (filter.urgency === 'overdue') where.push(`r.due_on < ${today}`);
    else if (filter.urgency === 'at-risk') where.push(`r.due_on >= ${today} AND r.due_on < ${today} + ${param(AT_RISK_DAYS)}::integer`);
    else where.push(`r.due_on >= ${today} + ${param(AT_RISK_DAYS)}::integer`);
  }
  if (filter.verified !== undefined) where.push(filter.verified ? 'r.verification_method IS NOT NULL' : 'r.verification_method IS NULL');
  if (filter.channel !== undefined) where.push(`r.channel = ${param(filter.channel)}`);
  if (filter.dueFrom !== undefined) where.push(`r.due_on >= ${param(filter.dueFrom)}::date`);
  if (filter.dueTo !== undefined) where.push(`r.due_on <= ${param(filter.dueTo)}::date`);
  if (filter.stale !== undefined) {
    const stale = `(r.verification_method IS NULL AND r.closed_at IS NULL AND r.received_at < ${param(filter.stale.receivedBefore)})`;
    where.push(filter.stale.only ? stale : `NOT ${stale}`);
  }
  if (filter.after !== undefined) {
    const after = param(filter.after);
    where.push(
      `(r.due_on, r.request_id) > (SELECT a.due_on, a.request_id FROM requests.requests_v1 a WHERE a.tenant_id = $1 AND a.request_id = ${after}::uuid)`,
    );
  }
  return { where: where.join('\n      AND '), params };
}

/** The queue, read as the request-serving role (row-level security per tenant); oldest due first. */
export class PostgresRequestsReadModel implements RequestsReadModel {
  constructor(
    private readonly app: DataSource,
    private readonly owner: DataSource,
  ) {}

  async get(tenantId: string, requestId: string, now: Date): Promise<RequestView | null> {
    const rows = await withTenant<Row[]>(this.app, tenantId, (m) =>
      m.query(`SELECT ${COLUMNS} FROM requests.requests_v1 r WHERE r.tenant_id = $1 AND r.request_id = $2`, [tenantId, requestId]),
    );
    return rows[0] ? view(rows[0], now) : null;
  }

  async forCustomer(tenantId: string, customerId: string, now: Date): Promise<RequestView[]> {
    const rows = await withTenant<Row[]>(this.app, tenantId, (m) =>
      m.query(`SELECT ${COLUMNS} FROM requests.requests_v1 r WHERE r.tenant_id = $1 AND r.customer_id = $2 ORDER BY r.received_at, r.request_id`, [
        tenantId,
        customerId,
      ]),
    );
    return rows.map((r) => view(r, now));
  }

  async queue(tenantId: string, filter: RequestQueueFilter, now: Date): Promise<RequestView[]> {
    const { where, params } = queueWhere(tenantId, filter, now);
    const rows = await withTenant<Row[]>(this.app, tenantId, (m) =>
      m.query(`SELECT ${COLUMNS} FROM requests.requests_v1 r WHERE ${where} ORDER BY r.due_on, r.request_id LIMIT ${String(filter.limit)}`, params),
    );
    return rows.map((r) => view(r, now));
  }

  async matching(tenantId: string, filter: Omit<RequestQueueFilter, 'limit' | 'after'>, now: Date, limit: number): Promise<string[]> {
    const { where, params } = queueWhere(tenantId, filter, now);
    const rows = await withTenant<{ request_id: string }[]>(this.app, tenantId, (m) =>
      m.query(`SELECT r.request_id FROM requests.requests_v1 r WHERE ${where} ORDER BY r.due_on, r.request_id LIMIT ${String(limit)}`, params),
    );
    return rows.map((r) => r.request_id);
  }

  async escalated(now: Date, limit: number): Promise<RequestView[]> {
    const rows = await this.owner.query<Row[]>(
      `SELECT ${COLUMNS} FROM requests.requests_v1 r WHERE r.closed_at IS NULL AND r.escalations <> '[]' ORDER BY r.due_on, r.request_id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => view(r, now));
  }
}

/** D3: tenants' deadline policies; a tenant without one answers under the GDPR month. */
export class PostgresRequestPolicies implements RequestPolicies {
  constructor(
    private readonly owner: DataSource,
    /** The profile fields a retention duty may name. */
    private readonly profileFields: readonly string[],
  ) {}

  async get(tenantId: string): Promise<TenantRequestPolicy> {
    const rows = await this.owner.query<
      { policy: DeadlinePolicy; holidays: string[]; retention_duties: RetentionDuty[]; unverified_after_days: number; updated_by: string; updated_at: Date }[]
    >(`SELECT policy, holidays, retention_duties, unverified_after_days, updated_by, updated_at FROM requests.policies WHERE tenant_id = $1`, [tenantId]);
    const r = rows[0];
    if (!r) {
      return {
        policy: DEFAULT_DEADLINE_POLICY,
        calendar: { holidays: [] },
        retentionDuties: [],
        unverifiedAfterDays: DEFAULT_UNVERIFIED_AFTER_DAYS,
        updatedBy: null,
        updatedAt: null,
      };
    }
    return {
      policy: r.policy,
      calendar: { holidays: r.holidays },
      retentionDuties: r.retention_duties,
      unverifiedAfterDays: r.unverified_after_days,
      updatedBy: r.updated_by,
      updatedAt: r.updated_at.toISOString(),
    };
  }

  async set(
    tenantId: string,
    policy: DeadlinePolicy,
    calendar: WorkingCalendar,
    duties: readonly RetentionDuty[],
    unverifiedAfterDays: number | undefined,
    actor: string,
    now: Date,
  ): Promise<TenantRequestPolicy> {
    checkPolicy(policy, calendar);
    checkDuties(duties, this.profileFields);
    const holidays = [...new Set(calendar.holidays)].sort();
    const retentionDuties = [...duties].sort((a, b) => a.field.localeCompare(b.field));
    if (unverifiedAfterDays !== undefined && !(Number.isInteger(unverifiedAfterDays) && unverifiedAfterDays >= 1 && unverifiedAfterDays <= 365)) {
      throw new DomainError('DSR.POLICY_INVALID', 'unverifiedAfterDays must be a whole number of days from 1 to 365', 'invalid');
    }
    const [row] = await this.owner.query<{ unverified_after_days: number }[]>(
      `INSERT INTO requests.policies (tenant_id, policy, holidays, retention_duties, unverified_after_days, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, coalesce($5::integer, ${DEFAULT_UNVERIFIED_AFTER_DAYS}), $6, $7)
       ON CONFLICT (tenant_id) DO UPDATE SET policy = EXCLUDED.policy, holidays = EXCLUDED.holidays, retention_duties = EXCLUDED.retention_duties,
         unverified_after_days = coalesce($5::integer, requests.policies.unverified_after_days),
         updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
       RETURNING unverified_after_days`,
      [tenantId, JSON.stringify(policy), JSON.stringify(holidays), JSON.stringify(retentionDuties), unverifiedAfterDays ?? null, actor, now],
    );
    return {
      policy,
      calendar: { holidays },
      retentionDuties,
      unverifiedAfterDays: row?.unverified_after_days ?? DEFAULT_UNVERIFIED_AFTER_DAYS,
      updatedBy: actor,
      updatedAt: now.toISOString(),
    };
  }
}
