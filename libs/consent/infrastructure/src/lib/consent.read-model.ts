import type { DataSource } from 'typeorm';
import type { ActiveConsent, Channel, ConsentScope, DataCategory, LegalBasis, Purpose } from '@attest/consent-domain';
import type { ChannelOverview, ConsentReadModel, PurposeOverview, SubjectFacts } from '@attest/consent-application';
import { preparedQuery, withTenant } from '@attest/database';
import { Coalescer, isUuid, pick } from '@attest/kernel';

interface PurposeRow {
  purpose_key: string;
  version: number;
  consent_from_version: number;
  name: string;
  description: string;
  legal_basis: LegalBasis;
  method: string;
  data_categories: DataCategory[];
  channels: Channel[];
  retention_days: number;
  notice_version: string;
  retired: boolean;
}

const toPurpose = (r: PurposeRow): Purpose => ({
  purposeKey: r.purpose_key,
  version: r.version,
  consentFromVersion: r.consent_from_version,
  name: r.name,
  description: r.description,
  legalBasis: r.legal_basis,
  method: r.method,
  dataCategories: r.data_categories,
  channels: r.channels,
  retentionDays: r.retention_days,
  noticeVersion: r.notice_version,
  retired: r.retired,
});

const PURPOSE_COLUMNS =
  'purpose_key, version, consent_from_version, name, description, legal_basis, method, data_categories, channels, retention_days, notice_version, retired';

interface SubjectRow {
  customer_id: string;
  under14: boolean;
  restricted: boolean;
  erased: boolean;
  consents: ConsentRow[] | null;
}

interface ConsentRow {
  consent_key: string;
  consent_id: string;
  purpose_key: string;
  purpose_version: number;
  channel: Channel;
  scope: ConsentScope;
  by_guardian: boolean;
  third_party: string | null;
  country: string | null;
  data_types: DataCategory[];
  status: 'granted' | 'withdrawn';
}

/**
 * Decision reads use the owner connection with an explicit tenant predicate
 * in every statement: one round trip per read on the hot path (P3 targets).
 * Everything else reads as `attest_app` under row-level security.
 */
type DecisionFactsResult = { purpose: Purpose | null; tenantActive: boolean; subjects: ReadonlyMap<string, SubjectFacts> };

export class PostgresConsentReadModel implements ConsentReadModel {
  private readonly groups = new Map<string, Coalescer<readonly string[], DecisionFactsResult>>();

  constructor(
    private readonly appDataSource: DataSource,
    private readonly ownerDataSource: DataSource,
  ) {}

  purposes(tenantId: string): Promise<Purpose[]> {
    return withTenant(this.appDataSource, tenantId, async (m) =>
      (await m.query<PurposeRow[]>(`SELECT ${PURPOSE_COLUMNS} FROM consent.purposes_v1 WHERE tenant_id = $1 ORDER BY purpose_key`, [tenantId])).map(toPurpose),
    );
  }

  async purpose(tenantId: string, purposeKey: string): Promise<Purpose | null> {
    const [row] = await this.ownerDataSource.query<PurposeRow[]>(
      `SELECT ${PURPOSE_COLUMNS} FROM consent.purposes_v1 WHERE tenant_id = $1 AND purpose_key = $2`,
      [tenantId, purposeKey],
    );
    return row ? toPurpose(row) : null;
  }

  async subjects(tenantId: string, customerIds: readonly string[], purposeKey: string): Promise<ReadonlyMap<string, SubjectFacts>> {
    return (await this.decisionFacts(tenantId, customerIds, purposeKey)).subjects;
  }

  /**
   * Concurrent decisions for the same tenant and purpose share one query
   * when they overlap (the same grouping as the journal's group commit; a few
   * reads may be in flight at once). Each caller gets the facts of its own
   * subjects only.
   */
  decisionFacts(tenantId: string, customerIds: readonly string[], purposeKey: string): Promise<DecisionFactsResult> {
    const key = `${tenantId}\n${purposeKey}`;
    let group = this.groups.get(key);
    if (!group) {
      group = new Coalescer<readonly string[], DecisionFactsResult>((batches) => this.readGroup(tenantId, purposeKey, batches), {
        onIdle: () => {
          this.groups.delete(key);
        },
      });
      this.groups.set(key, group);
    }
    return group.submit(customerIds);
  }

  private async readGroup(tenantId: string, purposeKey: string, batches: readonly (readonly string[])[]): Promise<DecisionFactsResult[]> {
    const all = await this.readFacts(tenantId, batches.flat(), purposeKey);
    return batches.map((customerIds) => ({ purpose: all.purpose, tenantActive: all.tenantActive, subjects: pick(all.subjects, customerIds) }));
  }

  private async readFacts(tenantId: string, customerIds: readonly string[], purposeKey: string): Promise<DecisionFactsResult> {
    const ids = [...new Set(customerIds.filter(isUuid))];
    // A function with a generic plan (migration 1764700000000): as a prepared statement it was re-planned on every call.
    const [row] = await preparedQuery<{ purpose: PurposeRow | null; tenant_status: string | null; subjects: SubjectRow[] }>(
      this.ownerDataSource,
      'attest_decision_facts_v2',
      `SELECT purpose, tenant_status, subjects FROM consent.decision_facts($1, $2::uuid[], $3)`,
      [tenantId, ids, purposeKey],
    );
    const subjects = new Map<string, SubjectFacts>();
    for (const r of row?.subjects ?? []) {
      const consents = new Map<string, ActiveConsent>();
      const withdrawn = new Set<string>();
      for (const c of r.consents ?? []) {
        if (c.status === 'withdrawn') {
          withdrawn.add(c.consent_key);
          continue;
        }
        consents.set(c.consent_key, {
          consentId: c.consent_id,
          purposeKey: c.purpose_key,
          purposeVersion: c.purpose_version,
          channel: c.channel,
          scope: c.scope,
          byGuardian: c.by_guardian,
          thirdParty: c.third_party,
          country: c.country,
          dataTypes: c.data_types,
        });
      }
      subjects.set(r.customer_id, { exists: true, erased: r.erased, restricted: r.restricted, under14: r.under14, consents, withdrawn });
    }
    return { purpose: row?.purpose ? toPurpose(row.purpose) : null, tenantActive: !row?.tenant_status || row.tenant_status === 'active', subjects };
  }

  receiptSubject(tenantId: string, receiptId: string): Promise<string | null> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const [row] = await m.query<{ customer_id: string }[]>(`SELECT customer_id FROM consent.receipts_v1 WHERE tenant_id = $1 AND receipt_id = $2`, [
        tenantId,
        receiptId,
      ]);
      return row?.customer_id ?? null;
    });
  }

  receiptOfEvent(tenantId: string, eventId: string): Promise<string | null> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const [row] = await m.query<{ receipt_id: string }[]>(`SELECT receipt_id FROM consent.receipts_v1 WHERE tenant_id = $1 AND event_id = $2`, [
        tenantId,
        eventId,
      ]);
      return row?.receipt_id ?? null;
    });
  }

  receiptOfConsent(tenantId: string, consentId: string): Promise<string | null> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const [row] = await m.query<{ receipt_id: string }[]>(
        `SELECT receipt_id FROM consent.receipts_v1 WHERE tenant_id = $1 AND consent_id = $2 AND action = 'granted'`,
        [tenantId, consentId],
      );
      return row?.receipt_id ?? null;
    });
  }

  overview(tenantId: string): Promise<PurposeOverview[]> {
    return withTenant(this.appDataSource, tenantId, async (m) => {
      const rows = await m.query<{ purpose_key: string; version: number; granted: number; withdrawn: number }[]>(
        `SELECT p.purpose_key, p.version,
                count(DISTINCT c.customer_id) FILTER (WHERE c.status = 'granted' AND c.scope = 'general')::int AS granted,
                count(DISTINCT c.customer_id) FILTER (WHERE c.status = 'withdrawn' AND c.scope = 'general')::int AS withdrawn
         FROM consent.purposes_v1 p LEFT JOIN consent.consents_v1 c ON c.tenant_id = p.tenant_id AND c.purpose_key = p.purpose_key
         WHERE p.tenant_id = $1 GROUP BY p.purpose_key, p.version ORDER BY p.purpose_key`,
        [tenantId],
      );
      const perChannel = await m.query<{ purpose_key: string; channel: string; granted: number; withdrawn: number }[]>(
        `SELECT c.purpose_key, c.channel,
                count(DISTINCT c.customer_id) FILTER (WHERE c.status = 'granted')::int AS granted,
                count(DISTINCT c.customer_id) FILTER (WHERE c.status = 'withdrawn')::int AS withdrawn
         FROM consent.consents_v1 c
         WHERE c.tenant_id = $1 AND c.scope = 'general' GROUP BY c.purpose_key, c.channel ORDER BY c.purpose_key, c.channel`,
        [tenantId],
      );
      const channels = new Map<string, ChannelOverview[]>();
      for (const r of perChannel) {
        const list = channels.get(r.purpose_key) ?? [];
        list.push({ channel: r.channel, granted: r.granted, withdrawn: r.withdrawn });
        channels.set(r.purpose_key, list);
      }
      return rows.map((r) => ({
        purposeKey: r.purpose_key,
        version: r.version,
        granted: r.granted,
        withdrawn: r.withdrawn,
        channels: channels.get(r.purpose_key) ?? [],
      }));
    });
  }
}
