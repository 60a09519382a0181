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

async function applyConsent(m: EntityManager, event: RecordedEvent): Promise<void> {
  const e = eventOf<ConsentEvent>(event, CONSENT_EVENT_TYPES);
  if (!e) return;
  const d = e.data;
  const at = event.metadata.occurredAt;
  await m.query(
    `INSERT INTO consent.receipts_v1 (receipt_id, tenant_id, customer_id, event_id, consent_id, action) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [d.receiptId, d.tenantId, d.customerId, event.id, d.consentId, e.type === 'ConsentGranted.v2' ? 'granted' : 'withdrawn'],
  );
  if (e.type === 'ConsentGranted.v2') {
    const g = e.data;
    const target = consentTarget(g.scope, g.thirdParty?.name, g.crossBorder?.country);
    await m.query(
      `INSERT INTO consent.consents_v1 (customer_id, consent_key, tenant_id, consent_id, purpose_key, purpose_version, channel, scope, by_guardian, third_party, country, data_types, status, changed_at, last_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'granted', $13, $14)
       ON CONFLICT (customer_id, consent_key) DO UPDATE SET consent_id = EXCLUDED.consent_id, purpose_version = EXCLUDED.purpose_version,
         by_guardian = EXCLUDED.by_guardian, data_types = EXCLUDED.data_types, status = 'granted', changed_at = EXCLUDED.changed_at, last_position = EXCLUDED.last_position
       WHERE consent.consents_v1.last_position < EXCLUDED.last_position`,
      [
        g.customerId,
        consentKey(g.purposeKey, g.channel, g.scope, target),
        g.tenantId,
        g.consentId,
        g.purposeKey,
        g.purposeVersion,
        g.channel,
        g.scope,
        g.guardianName !== null,
        g.scope === 'third-party' ? target : null,
        g.scope === 'cross-border' ? target : null,
        g.crossBorder?.dataTypes ?? [],
        at,
        event.globalPosition,
      ],
    );
  } else {
    await m.query(
      `UPDATE consent.consents_v1 SET status = 'withdrawn', changed_at = $3, last_position = $4 WHERE customer_id = $1 AND consent_id = $2 AND last_position < $4`,
      [d.customerId, d.consentId, at, event.globalPosition],
    );
  }
}

async function applySubject(m: EntityManager, event: RecordedEvent): Promise<void> {
  const e = eventOf<SubjectEvent>(event, SUBJECT_TYPES);
  if (!e) return;
  const d = e.data;
  if (e.type === 'CustomerCreated.v1' || e.type === 'CustomerUpdated.v1') {
    await m.query(
      `INSERT INTO consent.subjects_v1 (customer_id, tenant_id, under14, last_position) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id) DO UPDATE SET under14 = EXCLUDED.under14, last_position = EXCLUDED.last_position WHERE consent.subjects_v1.last_position < EXCLUDED.last_position`,
      [d.customerId, d.tenantId, e.data.under14, event.globalPosition],
    );
  } else if (e.type === 'CustomerErased.v1') {
    // D4: the erased subject's consents and receipts leave the read models. Its subjects_v1 row (an
    // opaque id and two flags, no personal data) stays as a tombstone, so that decisions deny with
    // SUBJECT_ERASED (the vault's fence) rather than SUBJECT_UNKNOWN.
    for (const table of ['consent.consents_v1', 'consent.receipts_v1']) await m.query(`DELETE FROM ${table} WHERE customer_id = $1`, [d.customerId]);
  } else {
    await m.query(`UPDATE consent.subjects_v1 SET restricted = $2, last_position = $3 WHERE customer_id = $1 AND last_position < $3`, [
      d.customerId,
      e.type === 'CustomerProcessingRestricted.v1',
      event.globalPosition,
    ]);
  }
}

async function applyTenant(m: EntityManager, event: RecordedEvent): Promise<void> {
  const registered = eventOf<TenantRegistered>(event, TENANT_REGISTERED);
  const changed = eventOf<TenantStatusEvent>(event, TENANT_STATUS_TYPES);
  const d = (registered ?? changed)?.data;
  if (!d) return;
  if (registered) {
    await m.query(`INSERT INTO consent.tenants_v1 (tenant_id, account_id, status, last_position) VALUES ($1, $2, 'active', $3) ON CONFLICT DO NOTHING`, [
      d.tenantId,
      d.accountId,
      event.globalPosition,
    ]);
    return;
  }
  if (changed) {
    await m.query(`UPDATE consent.tenants_v1 SET status = $2, last_position = $3 WHERE account_id = $1 AND last_position < $3`, [
      d.accountId,
      TENANT_STATUS[changed.type],
      event.globalPosition,
    ]);
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
    for (const id of subjects) await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`consent-subject:${id}`]);
    for (const event of events) {
      if (PURPOSES.has(event.type)) await applyPurpose(manager, event);
      else if (CONSENTS.has(event.type)) await applyConsent(manager, event);
      else if (SUBJECTS.has(event.type)) await applySubject(manager, event);
      else await applyTenant(manager, event);
    }
  },
  async reset(manager) {
    await manager.query(`TRUNCATE consent.purposes_v1, consent.consents_v1, consent.receipts_v1, consent.subjects_v1, consent.tenants_v1`);
  },
};
