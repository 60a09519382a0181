import type { EntityManager } from 'typeorm';
import { CONSENT_EVENT_TYPES, consentKey, consentTarget, PURPOSE_EVENT_TYPES, type ConsentEvent, type PurposeEvent } from '@attest/consent-domain';
import type { AccountEvent } from '@attest/accounts-domain';
import type { CustomerEvent } from '@attest/customers-domain';
import { eventOf, type RecordedEvent } from '@attest/event-store';
import type { Projection } from '@attest/projections';

/** The customer facts decisions need: published events of the customers context, typed by it. */
type SubjectEvent = Extract<
  CustomerEvent,
  { type: 'CustomerCreated.v1' | 'CustomerUpdated.v1' | 'CustomerProcessingRestricted.v1' | 'CustomerRestrictionLifted.v1' | 'CustomerErased.v1' }
>;
const SUBJECT_TYPES: readonly SubjectEvent['type'][] = [
  'CustomerCreated.v1',
  'CustomerUpdated.v1',
  'CustomerProcessingRestricted.v1',
  'CustomerRestrictionLifted.v1',
  'CustomerErased.v1',
];
/** Tenant account states: published events of the accounts context, typed by it. */
type TenantRegistered = Extract<AccountEvent, { type: 'EnterpriseRegistered.v1' | 'PersonalUserRegistered.v1' }>;
const TENANT_REGISTERED: readonly TenantRegistered['type'][] = ['EnterpriseRegistered.v1', 'PersonalUserRegistered.v1'];
type TenantStatusEvent = Extract<
  AccountEvent,
  { type: 'AccountRestricted.v1' | 'AccountSuspended.v1' | 'AccountReportedStolen.v1' | 'AccountRevoked.v1' | 'AccountCancelled.v1' | 'AccountReactivated.v1' }
>;
const TENANT_STATUS: Readonly<Record<TenantStatusEvent['type'], string>> = {
  'AccountRestricted.v1': 'restricted',
  'AccountSuspended.v1': 'suspended',
  'AccountReportedStolen.v1': 'suspended',
  'AccountRevoked.v1': 'revoked',
  'AccountCancelled.v1': 'cancelled',
  'AccountReactivated.v1': 'active',
};
const TENANT_STATUS_TYPES = Object.keys(TENANT_STATUS) as TenantStatusEvent['type'][];

async function applyPurpose(m: EntityManager, event: RecordedEvent): Promise<void> {
  const e = eventOf<PurposeEvent>(event, PURPOSE_EVENT_TYPES);
  if (!e) return;
  const at = event.metadata.occurredAt;
  if (e.type === 'PurposeRetired.v1') {
    await m.query(`UPDATE consent.purposes_v1 SET retired = true, updated_at = $3 WHERE tenant_id = $1 AND purpose_key = $2`, [
      e.data.tenantId,
      e.data.purposeKey,
      at,
    ]);
    return;
  }
  const d = e.data;
  const fromVersion = e.type === 'PurposeDefined.v1' || e.data.reconsentRequired ? d.version : null;
  await m.query(
    `INSERT INTO consent.purposes_v1 (tenant_id, purpose_key, version, consent_from_version, name, description, legal_basis, method, data_categories, channels, retention_days, notice_version, updated_at)
     VALUES ($1, $2, $3::int, coalesce($4::int, $3::int), $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (tenant_id, purpose_key) DO UPDATE SET version = EXCLUDED.version,
       consent_from_version = coalesce($4::int, consent.purposes_v1.consent_from_version), name = EXCLUDED.name, description = EXCLUDED.description,
       legal_basis = EXCLUDED.legal_basis, method = EXCLUDED.method, data_categories = EXCLUDED.data_categories, channels = EXCLUDED.channels,
       retention_days = EXCLUDED.retention_days, notice_version = EXCLUDED.notice_version, retired = false, updated_at = EXCLUDED.updated_at
     WHERE consent.purposes_v1.version < EXCLUDED.version`,
    [
      d.tenantId,
      d.purposeKey,
      d.version,
      fromVersion,
      d.name,
      d.description,
      d.legalBasis,
      d.method,
      d.dataCategories,
      d.channels,
      d.retentionDays,
      d.noticeVersion,
      at,
    ],
  );
}

/** A row of consent.consents_v1 as a grant writes it. */
interface GrantRow {
  readonly customer_id: string;
  readonly consent_key: string;
  readonly tenant_id: string;
  readonly consent_id: string;
  readonly purpose_key: string;
  readonly purpose_version: number;
  readonly channel: string;
  readonly scope: string;
  readonly by_guardian: boolean;
  readonly third_party: string | null;
  readonly country: string | null;
  readonly data_types: readonly string[];
  readonly changed_at: string;
  readonly last_position: string;
}

/**
 * The consent events of a batch, written set-based: receipts in one statement, the newest grant
 * per consent key in one, the newest withdrawal per consent in one (newest by log position, so a
 * redelivered older event changes nothing, as its guard makes it alone) — grants first, so a
 * withdrawal of a consent granted in the same batch finds it. Each row keeps its position
 * guard, so the result is the one event-by-event application gives: a withdrawal matches its
 * consent id only, and a later grant under the same key carries a new id. An erasure of a
 * subject drops what is pending of it (`drop`); the batch's erased subjects' stored rows are
 * deleted before the flush, so what came before an erasure is gone and what came after stays.
 */
class ConsentWrites {
  private receipts: { receipt_id: string; tenant_id: string; customer_id: string; event_id: string; consent_id: string; action: string }[] = [];
  private grants = new Map<string, GrantRow>();
  private withdrawals = new Map<string, { customer_id: string; consent_id: string; changed_at: string; last_position: string }>();

  add(event: RecordedEvent): void {
    const e = eventOf<ConsentEvent>(event, CONSENT_EVENT_TYPES);
    if (!e) return;
    const d = e.data;
    const at = event.metadata.occurredAt;
    const action = e.type === 'ConsentGranted.v2' ? 'granted' : 'withdrawn';
    this.receipts.push({ receipt_id: d.receiptId, tenant_id: d.tenantId, customer_id: d.customerId, event_id: event.id, consent_id: d.consentId, action });
    if (e.type === 'ConsentGranted.v2') {
      const g = e.data;
      const target = consentTarget(g.scope, g.thirdParty?.name, g.crossBorder?.country);
      const key = consentKey(g.purposeKey, g.channel, g.scope, target);
      const slot = `${g.customerId}\n${key}`;
      // The newest by position, not by delivery: a redelivered older grant must not displace it.
      const held = this.grants.get(slot);
      if (held && held.last_position >= event.globalPosition) return;
      this.grants.set(slot, {
        customer_id: g.customerId,
        consent_key: key,
        tenant_id: g.tenantId,
        consent_id: g.consentId,
        purpose_key: g.purposeKey,
        purpose_version: g.purposeVersion,
        channel: g.channel,
        scope: g.scope,
        by_guardian: g.guardianName !== null,
        third_party: g.scope === 'third-party' ? target : null,
        country: g.scope === 'cross-border' ? target : null,
        data_types: g.crossBorder?.dataTypes ?? [],
        changed_at: at,
        last_position: event.globalPosition,
      });
    } else {
      const held = this.withdrawals.get(d.consentId);
      if (held && held.last_position >= event.globalPosition) return;
      this.withdrawals.set(d.consentId, { customer_id: d.customerId, consent_id: d.consentId, changed_at: at, last_position: event.globalPosition });
    }
  }

  async flush(m: EntityManager): Promise<void> {
    if (this.receipts.length > 0) {
      await m.query(
        `INSERT INTO consent.receipts_v1 (receipt_id, tenant_id, customer_id, event_id, consent_id, action)
         SELECT r.receipt_id, r.tenant_id, r.customer_id, r.event_id, r.consent_id, r.action
           FROM jsonb_to_recordset($1::jsonb) AS r(receipt_id uuid, tenant_id text, customer_id uuid, event_id uuid, consent_id uuid, action text)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(this.receipts)],
      );
    }
    if (this.grants.size > 0) {
      await m.query(
        `INSERT INTO consent.consents_v1 (customer_id, consent_key, tenant_id, consent_id, purpose_key, purpose_version, channel, scope, by_guardian, third_party, country, data_types, status, changed_at, last_position)
         SELECT g.customer_id, g.consent_key, g.tenant_id, g.consent_id, g.purpose_key, g.purpose_version, g.channel, g.scope, g.by_guardian, g.third_party, g.country,
                g.data_types, 'granted', g.changed_at, g.last_position
           FROM jsonb_to_recordset($1::jsonb) AS g(customer_id uuid, consent_key text, tenant_id text, consent_id uuid, purpose_key text, purpose_version integer,
                channel text, scope text, by_guardian boolean, third_party text, country text, data_types text[], changed_at timestamptz, last_position text)
         ON CONFLICT (customer_id, consent_key) DO UPDATE SET consent_id = EXCLUDED.consent_id, purpose_version = EXCLUDED.purpose_version,
           by_guardian = EXCLUDED.by_guardian, data_types = EXCLUDED.data_types, status = 'granted', changed_at = EXCLUDED.changed_at, last_position = EXCLUDED.last_position
         WHERE consent.consents_v1.last_position < EXCLUDED.last_position`,
        [JSON.stringify([...this.grants.values()])],
      );
    }
    if (this.withdrawals.size > 0) {
      await m.query(
        `UPDATE consent.consents_v1 AS c SET status = 'withdrawn', changed_at = w.changed_at, last_position = w.last_position
           FROM jsonb_to_recordset($1::jsonb) AS w(customer_id uuid, consent_id uuid, changed_at timestamptz, last_position text)
          WHERE c.customer_id = w.customer_id AND c.consent_id = w.consent_id AND c.last_position < w.last_position`,
        [JSON.stringify([...this.withdrawals.values()])],
      );
    }
    this.receipts = [];
    this.grants = new Map();
    this.withdrawals = new Map();
  }

  /** An erasure: what the batch holds of the subject is dropped, unwritten (the subject's rows are deleted before the flush). */
  drop(customerId: string): void {
    this.receipts = this.receipts.filter((r) => r.customer_id !== customerId);
    for (const [slot, g] of this.grants) if (g.customer_id === customerId) this.grants.delete(slot);
    for (const [id, w] of this.withdrawals) if (w.customer_id === customerId) this.withdrawals.delete(id);
  }
}

/**
 * D4: the erased subject's consents and receipts leave the read models. Its subjects_v1 row (an
 * opaque id and two flags, no personal data) stays as a tombstone, so that decisions deny with
 * SUBJECT_ERASED (the vault's fence) rather than SUBJECT_UNKNOWN.
 */
async function erase(m: EntityManager, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  for (const table of ['consent.consents_v1', 'consent.receipts_v1']) await m.query(`DELETE FROM ${table} WHERE customer_id = ANY($1::uuid[])`, [customerIds]);
}

/** A row of consent.subjects_v1 as the batch leaves it. */
interface SubjectRow {
  readonly customer_id: string;
  readonly tenant_id: string;
  under14: boolean;
  restricted: boolean;
  last_position: string;
}

/**
 * The subject facts of a batch: the rows as read under the subjects' locks (by the caller), the
 * events folded in order with the same position guards as one statement each would apply, and
 * the changed rows written in one statement. An erasure leaves the row (a tombstone) as it is.
 */
async function applySubjects(m: EntityManager, events: readonly RecordedEvent[], rows: Map<string, SubjectRow>): Promise<void> {
  const typed = events.flatMap((event) => {
    const e = eventOf<SubjectEvent>(event, SUBJECT_TYPES);
    return e ? [{ e, position: event.globalPosition }] : [];
  });
  if (typed.length === 0) return;
  const changed = new Set<string>();
  for (const { e, position } of typed) {
    const d = e.data;
    const row = rows.get(d.customerId);
    if (e.type === 'CustomerErased.v1') {
      continue;
    } else if (e.type === 'CustomerCreated.v1' || e.type === 'CustomerUpdated.v1') {
      if (!row)
        rows.set(d.customerId, { customer_id: d.customerId, tenant_id: d.tenantId, under14: e.data.under14, restricted: false, last_position: position });
      else if (row.last_position < position) Object.assign(row, { under14: e.data.under14, last_position: position });
      else continue;
      changed.add(d.customerId);
    } else if (row && row.last_position < position) {
      Object.assign(row, { restricted: e.type === 'CustomerProcessingRestricted.v1', last_position: position });
      changed.add(d.customerId);
    }
  }
  if (changed.size === 0) return;
  await m.query(
    `INSERT INTO consent.subjects_v1 (customer_id, tenant_id, under14, restricted, last_position)
     SELECT s.customer_id, s.tenant_id, s.under14, s.restricted, s.last_position
       FROM jsonb_to_recordset($1::jsonb) AS s(customer_id uuid, tenant_id text, under14 boolean, restricted boolean, last_position text)
     ON CONFLICT (customer_id) DO UPDATE SET under14 = EXCLUDED.under14, restricted = EXCLUDED.restricted, last_position = EXCLUDED.last_position`,
    [JSON.stringify([...changed].map((id) => rows.get(id)))],
  );
}

/**
 * The tenants' status facts of a batch, written in two statements at most: the registrations
 * (the first of a tenant wins), then each account's furthest status change with the position
 * guard its own statement carried. Applied one by one, each change wins only over the positions
 * before it, so the furthest along the log is the one left, if it is ahead of the row. A change before its
 * tenant's registration in the same batch loses to the registration's later position, as it
 * found no row when applied alone.
 */
class TenantWrites {
  private registrations: { tenant_id: string; account_id: string; last_position: string }[] = [];
  private readonly changes = new Map<string, { account_id: string; status: string; last_position: string }>();

  add(event: RecordedEvent): void {
    const registered = eventOf<TenantRegistered>(event, TENANT_REGISTERED);
    if (registered) {
      this.registrations.push({ tenant_id: registered.data.tenantId, account_id: registered.data.accountId, last_position: event.globalPosition });
      return;
    }
    const changed = eventOf<TenantStatusEvent>(event, TENANT_STATUS_TYPES);
    // A redelivered change may follow a later one in the batch: the furthest along the log is the one that would win.
    const before = changed ? this.changes.get(changed.data.accountId) : undefined;
    if (changed && (!before || before.last_position < event.globalPosition)) {
      this.changes.set(changed.data.accountId, {
        account_id: changed.data.accountId,
        status: TENANT_STATUS[changed.type],
        last_position: event.globalPosition,
      });
    }
  }

  async flush(m: EntityManager): Promise<void> {
    if (this.registrations.length > 0) {
      await m.query(
        `INSERT INTO consent.tenants_v1 (tenant_id, account_id, status, last_position)
         SELECT r.tenant_id, r.account_id, 'active', r.last_position FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, account_id uuid, last_position text)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(this.registrations)],
      );
      this.registrations = [];
    }
    if (this.changes.size > 0) {
      await m.query(
        `UPDATE consent.tenants_v1 t SET status = c.status, last_position = c.last_position
           FROM jsonb_to_recordset($1::jsonb) AS c(account_id uuid, status text, last_position text)
          WHERE t.account_id = c.account_id AND t.last_position < c.last_position`,
        [JSON.stringify([...this.changes.values()])],
      );
      this.changes.clear();
    }
  }
}

const PURPOSES: ReadonlySet<string> = new Set(PURPOSE_EVENT_TYPES);
const CONSENTS: ReadonlySet<string> = new Set(CONSENT_EVENT_TYPES);
const SUBJECTS: ReadonlySet<string> = new Set(SUBJECT_TYPES);

/** Purposes, consents, receipts, and the subject and tenant facts of decisions. Idempotent per row position. */
export const consentProjection: Projection = {
  name: 'consent',
  version: 1,
  filter: { eventTypes: [...PURPOSE_EVENT_TYPES, ...CONSENT_EVENT_TYPES, ...SUBJECT_TYPES, ...TENANT_REGISTERED, ...TENANT_STATUS_TYPES] },
  async apply(events, manager) {
    // One lock per subject, taken in a fixed order before any row: the worker and a command's
    // inline projection may apply overlapping batches of one subject at once, and rows locked
    // in different orders (receipt, then consent) would deadlock.
    const subjects = [
      ...new Set(events.filter((e) => CONSENTS.has(e.type) || SUBJECTS.has(e.type)).map((e) => String((e.data as { customerId?: unknown }).customerId))),
    ].sort();
    const subjectIds = [
      ...new Set(
        events.flatMap((e) => {
          const s = eventOf<SubjectEvent>(e, SUBJECT_TYPES);
          return s ? [s.data.customerId] : [];
        }),
      ),
    ];
    // One statement: a function scan of an array yields its elements in order, so the locks are
    // taken in it; they are an uncorrelated subquery in the filter, which PostgreSQL evaluates
    // once before the scan (a one-time filter), so the subjects' rows are read under them.
    const rows =
      subjects.length === 0
        ? []
        : await manager.query<SubjectRow[]>(
            `SELECT customer_id, tenant_id, under14, restricted, last_position FROM consent.subjects_v1
              WHERE (SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM unnest($1::text[]) AS k) >= 0
                AND customer_id = ANY($2::uuid[])`,
            [subjects.map((id) => `consent-subject:${id}`), subjectIds],
          );
    const consents = new ConsentWrites();
    const tenants = new TenantWrites();
    const erased = new Set<string>();
    const subjectEvents: RecordedEvent[] = [];
    for (const event of events) {
      if (PURPOSES.has(event.type)) await applyPurpose(manager, event);
      else if (CONSENTS.has(event.type)) consents.add(event);
      else if (SUBJECTS.has(event.type)) {
        subjectEvents.push(event);
        // Consents and subjects touch different tables; only an erasure (it deletes the subject's
        // consents and receipts) must remove every consent event before it, and none after: the
        // batch's own are dropped here, the stored ones deleted before the batch's are written.
        if (event.type === 'CustomerErased.v1') {
          const customerId = String((event.data as { customerId?: unknown }).customerId);
          consents.drop(customerId);
          erased.add(customerId);
        }
      } else tenants.add(event);
    }
    await erase(manager, [...erased]);
    await consents.flush(manager);
    await tenants.flush(manager);
    await applySubjects(manager, subjectEvents, new Map(rows.map((r) => [r.customer_id, r])));
  },
  async reset(manager) {
    await manager.query(`TRUNCATE consent.purposes_v1, consent.consents_v1, consent.receipts_v1, consent.subjects_v1, consent.tenants_v1`);
  },
};
