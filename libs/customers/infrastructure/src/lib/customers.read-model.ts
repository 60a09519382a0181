import type { DataSource, EntityManager } from 'typeorm';
import { PROFILE_FIELD_NAMES, type Profile, type ProfileField } from '@attest/customers-domain';
import type { ConsentSummary, CustomerFilter, CustomersReadModel, CustomerView, FollowUpView } from '@attest/customers-application';
import { withTenant } from '@attest/database';
import type { JsonValue } from '@attest/kernel';
import { isUuid } from '@attest/kernel';
import { isErased } from '@attest/privacy';
import type { ReadRouting } from '@attest/projections';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';

interface Row {
  customer_id: string;
  tenant_id: string;
  tags: string[];
  under14: boolean;
  restricted: boolean;
  consents: ConsentSummary;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'customer_id, tenant_id, tags, under14, restricted, consents, created_at, updated_at';
const toView = (r: Row): CustomerView => ({
  customerId: r.customer_id,
  tenantId: r.tenant_id,
  tags: r.tags,
  under14: r.under14,
  restricted: r.restricted,
  consents: r.consents,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * Reads as `attest_app` under row-level security; profiles are opened in memory only. A read
 * that names a consistency token may be served from a replica (`routing`); profile fields,
 * follow-ups and erasure are always read on the primary, so a subject erased there is never
 * shown from a replica that has not replayed the erasure yet.
 */
export class PostgresCustomersReadModel implements CustomersReadModel {
  constructor(
    private readonly appDataSource: DataSource,
    private readonly privacy: ReadModelPrivacy,
    private readonly routing: ReadRouting | null = null,
  ) {}

  /**
   * Runs `read` where the token says (the primary without one). Rows read on a replica lose the
   * subjects erased on the primary (erasure deletes their rows there at once; the replica may not
   * have replayed it yet). A read that fails on the replica is read again on the primary.
   */
  private async routed(tenantId: string, token: string | undefined, read: (m: EntityManager) => Promise<CustomerView[]>): Promise<CustomerView[]> {
    const source = this.routing && token !== undefined ? await this.routing.source('customers', token) : null;
    if (!source || source.from === 'primary') return withTenant(this.appDataSource, tenantId, read);
    let views: CustomerView[];
    try {
      views = await withTenant(source.dataSource, tenantId, read);
    } catch (error) {
      this.routing?.failed(error);
      return withTenant(this.appDataSource, tenantId, read);
    }
    const erased = await this.privacy.erasedAmong(views.map((v) => v.customerId));
    return erased.size === 0 ? views : views.filter((v) => !erased.has(v.customerId));
  }

  async get(tenantId: string, customerId: string, atLeastAsFresh?: string): Promise<CustomerView | null> {
    if (!isUuid(customerId)) {
      // The token is still checked: a malformed one is the caller's error whatever the id.
      if (this.routing && atLeastAsFresh !== undefined) await this.routing.source('customers', atLeastAsFresh);
      return null;
    }
    const [view] = await this.routed(tenantId, atLeastAsFresh, async (m) => {
      const rows = await m.query<Row[]>(`SELECT ${COLUMNS} FROM customers.customers_v1 WHERE tenant_id = $1 AND customer_id = $2`, [tenantId, customerId]);
      return rows.map(toView);
    });
    return view ?? null;
  }

  async list(tenantId: string, filter: CustomerFilter): Promise<CustomerView[]> {
    return this.routed(tenantId, filter.atLeastAsFresh, async (m: EntityManager) => {
      const rows = await m.query<Row[]>(
        `SELECT ${COLUMNS} FROM customers.customers_v1
         WHERE tenant_id = $1 AND ($2::text IS NULL OR $2 = ANY(tags)) AND ($3::uuid IS NULL OR customer_id > $3)
           AND ($4::text IS NULL OR CASE $5::text
                 WHEN 'none' THEN NOT consents ? $4
                 WHEN 'granted' THEN EXISTS (SELECT 1 FROM jsonb_each_text(consents->$4) c WHERE c.value = 'granted')
                 WHEN 'withdrawn' THEN consents ? $4 AND NOT EXISTS (SELECT 1 FROM jsonb_each_text(consents->$4) c WHERE c.value = 'granted')
                 ELSE consents ? $4 END)
         ORDER BY customer_id LIMIT $6`,
        [tenantId, filter.tag ?? null, filter.after ?? null, filter.purpose ?? null, filter.consentStatus ?? null, filter.limit],
      );
      return rows.map(toView);
    });
  }

  async existing(tenantId: string, customerIds: readonly string[]): Promise<Set<string>> {
    const rows = await withTenant(this.appDataSource, tenantId, (m) =>
      m.query<{ customer_id: string }[]>(`SELECT customer_id FROM customers.customers_v1 WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])`, [
        tenantId,
        customerIds.filter(isUuid),
      ]),
    );
    const erased = await this.privacy.erasedAmong(rows.map((r) => r.customer_id));
    return new Set(rows.map((r) => r.customer_id).filter((id) => !erased.has(id)));
  }

  async profiles(
    tenantId: string,
    customerIds: readonly string[],
    fields: readonly ProfileField[] = PROFILE_FIELD_NAMES,
  ): Promise<ReadonlyMap<string, Profile>> {
    const rows = await withTenant(this.appDataSource, tenantId, (m) =>
      m.query<{ customer_id: string; fields: Record<string, JsonValue> }[]>(
        `SELECT customer_id, fields FROM customers.customers_v1 WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])`,
        [tenantId, customerIds.filter(isUuid)],
      ),
    );
    const out = new Map<string, Profile>();
    const erased = await this.privacy.erasedAmong(rows.map((r) => r.customer_id));
    for (const row of rows) {
      if (erased.has(row.customer_id)) continue;
      const profile: Record<string, string | null> = {};
      for (const field of fields) {
        const stored = row.fields[field];
        if (stored === undefined) continue;
        const value = await this.privacy.open(row.customer_id, { table: 'customers.customers_v1', column: `fields.${field}`, row: row.customer_id }, stored);
        profile[field] = typeof value === 'string' && !isErased(value) ? value : null;
      }
      out.set(row.customer_id, profile);
    }
    return out;
  }

  followUps(tenantId: string, customerId: string, withNotes: boolean): Promise<FollowUpView[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows = await m.query<
        { follow_up_id: string; customer_id: string; channel: string; note: JsonValue; due_on: string | null; recorded_by: string; recorded_at: Date }[]
      >(
        `SELECT follow_up_id, customer_id, channel, note, due_on::text, recorded_by, recorded_at FROM customers.follow_ups_v1
         WHERE tenant_id = $1 AND customer_id = $2 ORDER BY recorded_at`,
        [tenantId, customerId],
      );
      const out: FollowUpView[] = [];
      for (const r of rows) {
        const note = withNotes
          ? await this.privacy.open(r.customer_id, { table: 'customers.follow_ups_v1', column: 'note', row: r.follow_up_id }, r.note)
          : null;
        out.push({
          followUpId: r.follow_up_id,
          customerId: r.customer_id,
          channel: r.channel,
          note: typeof note === 'string' ? note : null,
          dueOn: r.due_on,
          recordedBy: r.recorded_by,
          recordedAt: r.recorded_at,
        });
      }
      return out;
    });
  }
}
