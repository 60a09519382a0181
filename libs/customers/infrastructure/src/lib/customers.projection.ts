import type { EntityManager } from 'typeorm';
import { CUSTOMER_EVENT_TYPES, PROFILE_FIELD_NAMES, type CustomerEvent, type Profile } from '@attest/customers-domain';
import type { ConsentEvent } from '@attest/consent-domain';
import { eventOf, type RecordedEvent } from '@attest/event-store';
import type { JsonValue } from '@attest/kernel';
import { isErased } from '@attest/privacy';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';
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

async function apply(m: EntityManager, privacy: ReadModelPrivacy, event: RecordedEvent): Promise<void> {
  const consent = eventOf<ConsentEvent>(event, CONSENT_TYPES);
  if (consent) {
    const d = consent.data;
    if (d.scope !== 'general') return;
    const status = consent.type === 'ConsentGranted.v2' ? 'granted' : 'withdrawn';
    await m.query(
      `UPDATE customers.customers_v1 SET consents = jsonb_set(consents, ARRAY[$2::text], coalesce(consents->$2, '{}'::jsonb) || jsonb_build_object($3::text, $4::text)),
         last_position = $5 WHERE customer_id = $1 AND last_position < $5`,
      [d.customerId, d.purposeKey, d.channel, status, event.globalPosition],
    );
    return;
  }
  const e = eventOf<CustomerEvent>(event, CUSTOMER_EVENT_TYPES);
  if (!e) return;
  const { customerId, tenantId } = e.data;
  const at = event.metadata.occurredAt;
  const [row] = await m.query<{ last_position: string }[]>(`SELECT last_position FROM customers.customers_v1 WHERE customer_id = $1 FOR UPDATE`, [customerId]);
  if (row && event.globalPosition <= row.last_position) return;
  switch (e.type) {
    case 'CustomerCreated.v1':
      await m.query(
        `INSERT INTO customers.customers_v1 (customer_id, tenant_id, fields, tags, under14, created_at, updated_at, last_position)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7) ON CONFLICT (customer_id) DO NOTHING`,
        [customerId, tenantId, JSON.stringify(await sealFields(privacy, customerId, e.data.profile)), e.data.tags, e.data.under14, at, event.globalPosition],
      );
      await index(m, privacy, tenantId, customerId, e.data.profile);
      return;
    case 'CustomerUpdated.v1': {
      await m.query(
        `UPDATE customers.customers_v1 SET fields = fields || $2::jsonb, under14 = $3, updated_at = $4, last_position = $5 WHERE customer_id = $1`,
        [customerId, JSON.stringify(await sealFields(privacy, customerId, e.data.changes)), e.data.under14, at, event.globalPosition],
      );
      // A corrected name, e-mail or phone is found by its new value only (D1 correction).
      const lookups: Partial<Record<'name' | 'email' | 'phone', string | null>> = {};
      for (const kind of ['name', 'email', 'phone'] as const) {
        const v = e.data.changes[kind];
        if (v !== undefined && !isErased(v)) lookups[kind] = typeof v === 'string' ? v : null;
      }
      await privacy.reindex(m, tenantId, customerId, lookups);
      return;
    }
    case 'CustomerTagged.v1':
      await m.query(
        `UPDATE customers.customers_v1 SET tags = ARRAY(SELECT DISTINCT t FROM unnest(array_cat(tags, $2::text[])) t WHERE t <> ALL($3::text[]) ORDER BY t),
           updated_at = $4, last_position = $5 WHERE customer_id = $1`,
        [customerId, e.data.added, e.data.removed, at, event.globalPosition],
      );
      return;
    case 'FollowUpRecorded.v1': {
      const note = e.data.note as JsonValue;
      await m.query(
        `INSERT INTO customers.follow_ups_v1 (follow_up_id, tenant_id, customer_id, channel, note, due_on, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [
          e.data.followUpId,
          tenantId,
          customerId,
          e.data.channel,
          isErased(note)
            ? null
            : JSON.stringify(await privacy.seal(customerId, { table: 'customers.follow_ups_v1', column: 'note', row: e.data.followUpId }, note)),
          e.data.dueOn,
          e.data.recordedBy,
          at,
        ],
      );
      await m.query(`UPDATE customers.customers_v1 SET updated_at = $2, last_position = $3 WHERE customer_id = $1`, [customerId, at, event.globalPosition]);
      return;
    }
    case 'CustomerErased.v1':
      // D4: the customer leaves every table of this read model, and its lookup entries go.
      await m.query(`DELETE FROM customers.follow_ups_v1 WHERE customer_id = $1`, [customerId]);
      await m.query(`DELETE FROM customers.customers_v1 WHERE customer_id = $1`, [customerId]);
      await privacy.forget(m, customerId);
      return;
    case 'CustomerProcessingRestricted.v1':
    case 'CustomerRestrictionLifted.v1':
      await m.query(`UPDATE customers.customers_v1 SET restricted = $2, updated_at = $3, last_position = $4 WHERE customer_id = $1`, [
        customerId,
        e.type === 'CustomerProcessingRestricted.v1',
        at,
        event.globalPosition,
      ]);
      return;
  }
}

async function index(m: EntityManager, privacy: ReadModelPrivacy, tenantId: string, customerId: string, profile: Profile): Promise<void> {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const values = { name: text(profile.name), email: text(profile.email), phone: text(profile.phone) };
  await privacy.index(m, tenantId, customerId, Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
}

/** Customer list and detail (C1), with the consent summary per purpose and channel for filtering. */
export function customersProjection(privacy: ReadModelPrivacy): Projection {
  return {
    name: 'customers',
    version: 1,
    filter: { eventTypes: [...CUSTOMER_EVENT_TYPES, ...CONSENT_TYPES] },
    async apply(events, manager) {
      for (const event of events) await apply(manager, privacy, event);
    },
    async reset(manager) {
      await manager.query(`TRUNCATE customers.customers_v1, customers.follow_ups_v1`);
    },
  };
}
