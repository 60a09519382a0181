import type { DataSource } from 'typeorm';
import { withTenant } from '@attest/database';
import type { RequestPolicies, RequestQueueFilter, RequestsReadModel, RequestView, TenantRequestPolicy } from '@attest/requests-application';
import {
  AT_RISK_DAYS,
  checkDuties,
  checkPolicy,
  DEFAULT_DEADLINE_POLICY,
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
}

const COLUMNS = `request_id, tenant_id, customer_id, request_type, channel, relation, scope, status, verification_method, handler, escalations, received_at,
  to_char(due_on, 'YYYY-MM-DD') AS due_on, to_char(max_extended_due_on, 'YYYY-MM-DD') AS max_extended_due_on,
  to_char(extension_notice_by, 'YYYY-MM-DD') AS extension_notice_by, extension, outcome, rejection, closed_at`;

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
  };
}

/** The queue, read as the request-serving role (row-level security per tenant); oldest due first. */
export class PostgresRequestsReadModel implements RequestsReadModel {
  constructor(
    private readonly app: DataSource,
    private readonly owner: DataSource,
  ) {}

  async get(tenantId: string, requestId: string, now: Date): Promise<RequestView | null> {
    const rows = await withTenant<Row[]>(this.app, tenantId, (m) =>
      m.query(`SELECT ${COLUMNS} FROM requests.requests_v1 WHERE tenant_id = $1 AND request_id = $2`, [tenantId, requestId]),
    );
    return rows[0] ? view(rows[0], now) : null;
  }

  async forCustomer(tenantId: string, customerId: string, now: Date): Promise<RequestView[]> {
    const rows = await withTenant<Row[]>(this.app, tenantId, (m) =>
      m.query(`SELECT ${COLUMNS} FROM requests.requests_v1 WHERE tenant_id = $1 AND customer_id = $2 ORDER BY received_at, request_id`, [tenantId, customerId]),
    );
    return rows.map((r) => view(r, now));
  }

  async queue(tenantId: string, filter: RequestQueueFilter, now: Date): Promise<RequestView[]> {
    const status = filter.status ?? 'open';
    // Urgency is a function of the due date and today, as `urgencyOf` computes it.
    const today = now.toISOString().slice(0, 10);
    const rows = await withTenant<Row[]>(this.app, tenantId, (m) =>
      m.query(
        `SELECT ${COLUMNS} FROM requests.requests_v1
         WHERE tenant_id = $1
           AND ($2::text = 'all' OR ($2 = 'open' AND closed_at IS NULL) OR status = $2)
           AND ($3::text IS NULL OR handler = $3)
           AND ($4::boolean IS NULL OR (escalations <> '[]') = $4)
           AND ($5::text IS NULL OR request_type = $5)
           AND ($6::text IS NULL OR (closed_at IS NULL AND CASE WHEN due_on < $7::date THEN 'overdue' WHEN due_on - $7::date < $9 THEN 'at-risk' ELSE 'on-track' END = $6))
         ORDER BY due_on, request_id
         LIMIT $8`,
        [
          tenantId,
          status,
          filter.handler ?? null,
          filter.escalated ?? null,
          filter.requestType ?? null,
          filter.urgency ?? null,
          today,
          filter.limit,
          AT_RISK_DAYS,
        ],
      ),
    );
    return rows.map((r) => view(r, now));
  }

  async escalated(now: Date, limit: number): Promise<RequestView[]> {
    const rows = await this.owner.query<Row[]>(
      `SELECT ${COLUMNS} FROM requests.requests_v1 WHERE closed_at IS NULL AND escalations <> '[]' ORDER BY due_on, request_id LIMIT $1`,
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
      { policy: DeadlinePolicy; holidays: string[]; retention_duties: RetentionDuty[]; updated_by: string; updated_at: Date }[]
    >(`SELECT policy, holidays, retention_duties, updated_by, updated_at FROM requests.policies WHERE tenant_id = $1`, [tenantId]);
    const r = rows[0];
    if (!r) return { policy: DEFAULT_DEADLINE_POLICY, calendar: { holidays: [] }, retentionDuties: [], updatedBy: null, updatedAt: null };
    return {
      policy: r.policy,
      calendar: { holidays: r.holidays },
      retentionDuties: r.retention_duties,
      updatedBy: r.updated_by,
      updatedAt: r.updated_at.toISOString(),
    };
  }

  async set(
    tenantId: string,
    policy: DeadlinePolicy,
    calendar: WorkingCalendar,
    duties: readonly RetentionDuty[],
    actor: string,
    now: Date,
  ): Promise<TenantRequestPolicy> {
    checkPolicy(policy, calendar);
    checkDuties(duties, this.profileFields);
    const holidays = [...new Set(calendar.holidays)].sort();
    const retentionDuties = [...duties].sort((a, b) => a.field.localeCompare(b.field));
    await this.owner.query(
      `INSERT INTO requests.policies (tenant_id, policy, holidays, retention_duties, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id) DO UPDATE SET policy = EXCLUDED.policy, holidays = EXCLUDED.holidays, retention_duties = EXCLUDED.retention_duties,
         updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [tenantId, JSON.stringify(policy), JSON.stringify(holidays), JSON.stringify(retentionDuties), actor, now],
    );
    return { policy, calendar: { holidays }, retentionDuties, updatedBy: actor, updatedAt: now.toISOString() };
  }
}
