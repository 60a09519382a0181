import type { DataSource } from 'typeorm';
import { isoDate, type JsonValue } from '@attest/kernel';
import type { PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import type { KeptField, RetainedData, RetainedValue } from '@attest/requests-application';
import { retainedSubject } from '@attest/requests-domain';

const column = (requestId: string, field: string) => ({ table: 'requests.retained_data', column: 'value', row: `${requestId}:${field}` });

/** A kept value whose duty or hold ends (its key is destroyed, then its row removed). */
export interface ExpiringValue {
  readonly requestId: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly field: string;
  readonly until: string;
}

/**
 * D5 in Postgres (`requests.retained_data`): each kept value sealed under a
 * key of its own (`retainedSubject(customer, field)`), so it outlives the
 * customer's key and is erased alone when its duty ends.
 */
export class PostgresRetainedData implements RetainedData {
  constructor(
    private readonly owner: DataSource,
    private readonly privacy: ReadModelPrivacy,
    private readonly vault: PostgresKeyVault,
  ) {}

  async keep(
    tenantId: string,
    customerId: string,
    requestId: string,
    values: readonly { readonly kept: KeptField; readonly value: JsonValue }[],
    now: Date,
  ): Promise<void> {
    const sealed = await Promise.all(
      values.map(async (v) => ({
        kept: v.kept,
        value: await this.privacy.seal(retainedSubject(customerId, v.kept.field), column(requestId, v.kept.field), v.value),
      })),
    );
    await this.owner.transaction(async (m) => {
      for (const r of sealed) {
        await m.query(
          `INSERT INTO requests.retained_data (request_id, tenant_id, customer_id, field, reason, retain_until, value, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id, field) DO NOTHING`,
          [requestId, tenantId, customerId, r.kept.field, r.kept.reason, r.kept.until, JSON.stringify(r.value), now],
        );
      }
    });
  }

  keptFor(requestId: string): Promise<{ field: string; reason: string; until: string }[]> {
    return this.owner.query<{ field: string; reason: string; until: string }[]>(
      `SELECT field, reason, to_char(retain_until, 'YYYY-MM-DD') AS until FROM requests.retained_data WHERE request_id = $1 ORDER BY field`,
      [requestId],
    );
  }

  async values(tenantId: string, requestId: string): Promise<RetainedValue[]> {
    const rows = await this.owner.query<{ customer_id: string; field: string; reason: string; until: string; value: JsonValue }[]>(
      `SELECT customer_id, field, reason, to_char(retain_until, 'YYYY-MM-DD') AS until, value FROM requests.retained_data WHERE tenant_id = $1 AND request_id = $2 ORDER BY field`,
      [tenantId, requestId],
    );
    const out: RetainedValue[] = [];
    for (const r of rows) {
      const value = await this.privacy.open(retainedSubject(r.customer_id, r.field), column(requestId, r.field), r.value);
      out.push({ field: r.field, reason: r.reason, retainUntil: r.until, value: typeof value === 'string' ? value : null });
    }
    return out;
  }

  /** Kept values whose duty ends before `today`, or (with `withinDays`) within that many days from it; of one tenant, or all. */
  async ending(today: Date, withinDays?: number, tenantId: string | null = null): Promise<ExpiringValue[]> {
    const rows = await this.owner.query<{ request_id: string; tenant_id: string; customer_id: string; field: string; until: string }[]>(
      `SELECT request_id, tenant_id, customer_id, field, to_char(retain_until, 'YYYY-MM-DD') AS until FROM requests.retained_data
       WHERE CASE WHEN $2::int IS NULL THEN retain_until < $1::date ELSE retain_until - $1::date BETWEEN 0 AND $2::int END
         AND ($3::text IS NULL OR tenant_id = $3)
       ORDER BY retain_until, request_id, field`,
      [isoDate(today), withinDays ?? null, tenantId],
    );
    return rows.map((r) => ({ requestId: r.request_id, tenantId: r.tenant_id, customerId: r.customer_id, field: r.field, until: r.until }));
  }

  /** D5: the value's own key destroyed, then its row removed (repeatable: a destroyed key stays destroyed). */
  async expire(value: ExpiringValue): Promise<void> {
    await this.vault.erase(retainedSubject(value.customerId, value.field), 'retention duty ended');
    await this.owner.query(`DELETE FROM requests.retained_data WHERE request_id = $1 AND field = $2`, [value.requestId, value.field]);
  }
}
