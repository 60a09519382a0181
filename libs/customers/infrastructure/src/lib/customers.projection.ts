import type { EntityManager } from 'typeorm';
import { CUSTOMER_EVENT_TYPES, PROFILE_FIELD_NAMES, type CustomerEvent, type Profile } from '@attest/customers-domain';
import type { ConsentEvent } from '@attest/consent-domain';
import { eventOf, type RecordedEvent } from '@attest/event-store';
import type { JsonValue } from '@attest/kernel';
import { isErased } from '@attest/privacy';
import type { LookupKind, ReadModelPrivacy } from '@attest/privacy-postgres';
import type { Projection } from '@attest/projections';

const TABLE = 'customers.customers_v1';
/** The consent context's published events (typed by it), read here only for the list's consent summary. */
const CONSENT_TYPES: readonly ConsentEvent['type'][] = ['ConsentGranted.v2', 'ConsentWithdrawn.v1'];

async function sealFields(privacy: ReadModelPrivacy, customerId: string, profile: Profile): Promise<Record<string, JsonValue>> {
  const out: Record<string, JsonValue> = {};
  for (const field of PROFILE_FIELD_NAMES) {
    const value = profile[field] as JsonValue | undefined;
    if (value === undefined) continue;
    out[field] = value === null || isErased(value) ? null : await privacy.seal(customerId, { table: TABLE, column: `fields.${field}`, row: customerId }, value);
  }
  return out;
}

/** A row of customers.customers_v1 as the batch leaves it (fields sealed, as stored). */
interface Row {
  readonly customer_id: string;
  readonly tenant_id: string;
  fields: Record<string, JsonValue>;
  tags: string[];
  /** Tags changed by a CustomerTagged: written sorted and distinct, as its statement did. */
  sort_tags: boolean;
  under14: boolean;
  restricted: boolean;
  consents: Record<string, Record<string, string>>;
  readonly created_at: string;
  updated_at: string;
  last_position: string;
}

/**
 * One batch, applied in few statements: every customer the batch names is locked first (one
 * advisory lock each, in id order, in one statement; the worker and a command's inline
 * projection both run this, so no one else writes these rows meanwhile), their rows are read
 * once, the events folded into them in log order with the position guards each statement
 * used to apply alone, and what changed is written at the end: the rows in one statement, the
 * follow-ups in one, the lookup entries in two. An erasure drops what the batch holds of the
 * customer, unwritten, and the batch's erasures are deleted together before anything is written:
 * so what came before an erasure is gone and what came after it stays, as one event at a time
 * leaves them.
 */
class Batch {
  private readonly rows = new Map<string, Row>();
  private readonly dirty = new Set<string>();
  private followUps: Record<string, JsonValue>[] = [];
  private tokens = new Map<string, { tenantId: string; subjectId: string; kinds: Set<LookupKind>; values: Map<LookupKind, string> }>();
  private readonly erased = new Set<string>();

  constructor(
    private readonly m: EntityManager,
    private readonly privacy: ReadModelPrivacy,
  ) {}

  async load(customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    // One statement: the locks are an uncorrelated subquery in the filter, which PostgreSQL
    // evaluates once before the scan (a one-time filter), so the rows are read under them.
    const rows = await this.m.query<(Omit<Row, 'sort_tags' | 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date })[]>(
      `SELECT customer_id, tenant_id, fields, tags, under14, restricted, consents, created_at, updated_at, last_position
         FROM customers.customers_v1
        WHERE (SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM unnest($2::text[]) AS k) >= 0
          AND customer_id = ANY($1::uuid[])`,
      [customerIds, customerIds.map((id) => `customers-row:${id}`)],
    );
    for (const r of rows) {
      this.rows.set(r.customer_id, { ...r, sort_tags: false, created_at: r.created_at.toISOString(), updated_at: r.updated_at.toISOString() });
    }
  }

  private touch(row: Row, at: string, position: string): void {
    row.updated_at = at;
    row.last_position = position;
    this.dirty.add(row.customer_id);
  }

  private lookups(tenantId: string, subjectId: string, kinds: readonly LookupKind[], values: Partial<Record<LookupKind, string | null>>, all: boolean): void {
    const key = `${tenantId}\n${subjectId}`;
    let change = this.tokens.get(key);
    if (!change || all) {
      change = { tenantId, subjectId, kinds: new Set(), values: new Map() };
      this.tokens.set(key, change);
    }
    for (const kind of kinds) {
      change.kinds.add(kind);
      const v = values[kind];
      if (typeof v === 'string') change.values.set(kind, v);
      else change.values.delete(kind);
    }
  }

  async apply(event: RecordedEvent): Promise<void> {
    const consent = eventOf<ConsentEvent>(event, CONSENT_TYPES);
    if (consent) {
      const d = consent.data;
      if (d.scope !== 'general') return;
      const row = this.rows.get(d.customerId);
      if (!row || row.last_position >= event.globalPosition) return;
      row.consents = {
        ...row.consents,
        [d.purposeKey]: { ...row.consents[d.purposeKey], [d.channel]: consent.type === 'ConsentGranted.v2' ? 'granted' : 'withdrawn' },
      };
      row.last_position = event.globalPosition;
      this.dirty.add(row.customer_id);
      return;
    }
    const e = eventOf<CustomerEvent>(event, CUSTOMER_EVENT_TYPES);
    if (!e) return;
    const { customerId, tenantId } = e.data;
    const at = event.metadata.occurredAt;
    const position = event.globalPosition;
    const row = this.rows.get(customerId);
    if (row && position <= row.last_position) return;
    switch (e.type) {
      case 'CustomerCreated.v1': {
        if (!row) {
          this.rows.set(customerId, {
            customer_id: customerId,
            tenant_id: tenantId,
            fields: await sealFields(this.privacy, customerId, e.data.profile),
            tags: [...e.data.tags],
            sort_tags: false,
            under14: e.data.under14,
            restricted: false,
            consents: {},
            created_at: at,
            updated_at: at,
            last_position: position,
          });
          this.dirty.add(customerId);
        }
        const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
        const p = e.data.profile;
        this.lookups(tenantId, customerId, KINDS, { name: text(p.name), email: text(p.email), phone: text(p.phone) }, true);
        return;
      }
      case 'CustomerUpdated.v1': {
        if (row) {
          row.fields = { ...row.fields, ...(await sealFields(this.privacy, customerId, e.data.changes)) };
          row.under14 = e.data.under14;
          this.touch(row, at, position);
        }
        // A corrected name, e-mail or phone is found by its new value only (D1 correction).
        const kinds = KINDS.filter((k) => e.data.changes[k] !== undefined && !isErased(e.data.changes[k]));
        const values = Object.fromEntries(kinds.map((k) => [k, typeof e.data.changes[k] === 'string' ? e.data.changes[k] : null]));
        this.lookups(tenantId, customerId, kinds, values, false);
        return;
      }
      case 'CustomerTagged.v1':
        if (row) {
          row.tags = [...new Set([...row.tags, ...e.data.added])].filter((t) => !e.data.removed.includes(t));
          row.sort_tags = true;
          this.touch(row, at, position);
        }
        return;
      case 'FollowUpRecorded.v1': {
        const note = e.data.note as JsonValue;
        this.followUps.push({
          follow_up_id: e.data.followUpId,
          tenant_id: tenantId,
          customer_id: customerId,
          channel: e.data.channel,
          note: isErased(note) ? null : await this.privacy.seal(customerId, { table: 'customers.follow_ups_v1', column: 'note', row: e.data.followUpId }, note),
          due_on: e.data.dueOn,
          recorded_by: e.data.recordedBy,
          recorded_at: at,
        });
        if (row) this.touch(row, at, position);
        return;
      }
      case 'CustomerErased.v1':
        // D4: the customer leaves every table of this read model, and its lookup entries go.
        this.rows.delete(customerId);
        this.dirty.delete(customerId);
        this.followUps = this.followUps.filter((f) => f['customer_id'] !== customerId);
        for (const [key, change] of this.tokens) if (change.subjectId === customerId) this.tokens.delete(key);
        this.erased.add(customerId);
        return;
      case 'CustomerProcessingRestricted.v1':
      case 'CustomerRestrictionLifted.v1':
        if (row) {
          row.restricted = e.type === 'CustomerProcessingRestricted.v1';
          this.touch(row, at, position);
        }
        return;
    }
  }

  /** Deletes the erased customers, then writes what changed. */
  async flush(): Promise<void> {
    if (this.erased.size > 0) {
      const ids = [...this.erased];
      await this.m.query(`DELETE FROM customers.follow_ups_v1 WHERE customer_id = ANY($1::uuid[])`, [ids]);
      await this.m.query(`DELETE FROM customers.customers_v1 WHERE customer_id = ANY($1::uuid[])`, [ids]);
      await this.privacy.forgetAll(this.m, ids);
      this.erased.clear();
    }
    if (this.dirty.size > 0) {
      await this.m.query(
        `INSERT INTO customers.customers_v1 (customer_id, tenant_id, fields, tags, under14, restricted, consents, created_at, updated_at, last_position)
         SELECT r.customer_id, r.tenant_id, r.fields,
                CASE WHEN r.sort_tags THEN ARRAY(SELECT DISTINCT t FROM unnest(r.tags) t ORDER BY t) ELSE r.tags END,
                r.under14, r.restricted, r.consents, r.created_at, r.updated_at, r.last_position
           FROM jsonb_to_recordset($1::jsonb) AS r(customer_id uuid, tenant_id text, fields jsonb, tags text[], sort_tags boolean, under14 boolean,
                restricted boolean, consents jsonb, created_at timestamptz, updated_at timestamptz, last_position text)
         ON CONFLICT (customer_id) DO UPDATE SET fields = EXCLUDED.fields, tags = EXCLUDED.tags, under14 = EXCLUDED.under14, restricted = EXCLUDED.restricted,
           consents = EXCLUDED.consents, updated_at = EXCLUDED.updated_at, last_position = EXCLUDED.last_position`,
        [JSON.stringify([...this.dirty].map((id) => this.rows.get(id)))],
      );
      this.dirty.clear();
    }
    if (this.followUps.length > 0) {
      await this.m.query(
        `INSERT INTO customers.follow_ups_v1 (follow_up_id, tenant_id, customer_id, channel, note, due_on, recorded_by, recorded_at)
         SELECT f.follow_up_id, f.tenant_id, f.customer_id, f.channel, f.note, f.due_on, f.recorded_by, f.recorded_at
           FROM jsonb_to_recordset($1::jsonb) AS f(follow_up_id uuid, tenant_id text, customer_id uuid, channel text, note jsonb, due_on date, recorded_by text, recorded_at timestamptz)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(this.followUps)],
      );
      this.followUps = [];
    }
    if (this.tokens.size > 0) {
      await this.privacy.replaceTokens(
        this.m,
        [...this.tokens.values()].map((c) => ({ tenantId: c.tenantId, subjectId: c.subjectId, kinds: [...c.kinds], values: Object.fromEntries(c.values) })),
      );
      this.tokens = new Map();
    }
  }
}

const KINDS: readonly LookupKind[] = ['name', 'email', 'phone'];

/**
 * A consent event alone: its purpose and channel set in the row's summary, with the position
 * guard. The customer's lock is taken first (a one-time filter, as in `Batch.load`), so a
 * batch that read the row under it has written it before this reads it.
 */
async function applyConsent(m: EntityManager, event: RecordedEvent): Promise<void> {
  const consent = eventOf<ConsentEvent>(event, CONSENT_TYPES);
  if (!consent || consent.data.scope !== 'general') return;
  const d = consent.data;
  await m.query(
    `UPDATE customers.customers_v1
        SET consents = jsonb_set(consents, ARRAY[$2::text], coalesce(consents->$2, '{}'::jsonb) || jsonb_build_object($3::text, $4::text)),
            last_position = $5
      WHERE (SELECT count(pg_advisory_xact_lock(hashtextextended($6::text, 0)))) >= 0
        AND customer_id = $1 AND last_position < $5`,
    [
      d.customerId,
      d.purposeKey,
      d.channel,
      consent.type === 'ConsentGranted.v2' ? 'granted' : 'withdrawn',
      event.globalPosition,
      `customers-row:${d.customerId}`,
    ],
  );
}

/** Customer list and detail (C1), with the consent summary per purpose and channel for filtering. */
export function customersProjection(privacy: ReadModelPrivacy): Projection {
  return {
    name: 'customers',
    version: 1,
    // Every row is one customer's, of one tenant; only that tenant's events change it.
    partitionableByTenant: true,
    filter: { eventTypes: [...CUSTOMER_EVENT_TYPES, ...CONSENT_TYPES] },
    async apply(events, manager) {
      if (events.every((event) => CONSENT_TYPES.includes(event.type as ConsentEvent['type']))) {
        // A consent change alone (what a consent command applies inline): one statement per
        // event, under the same lock, instead of reading and rewriting the whole row.
        for (const event of events) await applyConsent(manager, event);
        return;
      }
      const ids = new Set<string>();
      for (const event of events) {
        const id = (event.data as { customerId?: unknown }).customerId;
        if (typeof id === 'string') ids.add(id);
      }
      const batch = new Batch(manager, privacy);
      await batch.load([...ids].sort());
      for (const event of events) await batch.apply(event);
      await batch.flush();
    },
    async reset(manager) {
      await manager.query(`TRUNCATE customers.customers_v1, customers.follow_ups_v1`);
    },
  };
}
