import type { DataSource, EntityManager } from 'typeorm';
import { withTenant } from '@attest/database';
import type { JsonValue } from '@attest/kernel';
import type {
  GatedBatch,
  MessageFilter,
  MessageLog,
  MessageState,
  MessageView,
  MessagingSettings,
  MessagingSettingsView,
  StatsRow,
} from '@attest/messaging-application';
import { DEFAULT_STOP_KEYWORDS, isQuietHours } from '@attest/messaging-domain';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuids = (ids: readonly string[]): string[] => ids.filter((id) => UUID.test(id));
export const contentColumn = (messageId: string) => ({ table: 'messaging.messages', column: 'content', row: messageId });

/** What a queued message carries, sealed under the subject's key. */
export interface SealedContent {
  readonly phone: string;
  readonly parameters: readonly string[];
}

const STATS_KEY = `(tenant_id, day, coalesce(campaign_id, '00000000-0000-0000-0000-000000000000'::uuid), template_id, measure, detail)`;

/** Adds counts to the daily statistics (inside the caller's transaction). */
export async function addStats(
  m: EntityManager,
  key: { readonly tenantId: string; readonly day: string; readonly campaignId: string | null; readonly templateId: string },
  counts: ReadonlyMap<string, number>,
): Promise<void> {
  if (counts.size === 0) return;
  const measures: string[] = [];
  const details: string[] = [];
  const values: number[] = [];
  for (const [k, n] of counts) {
    const [measure = '', ...rest] = k.split('|');
    measures.push(measure);
    details.push(rest.join('|'));
    values.push(n);
  }
  await m.query(
    `INSERT INTO messaging.stats_daily_v1 (tenant_id, day, campaign_id, template_id, measure, detail, count)
     SELECT $1, $2::date, $3::uuid, $4, u.measure, u.detail, u.n FROM unnest($5::text[], $6::text[], $7::bigint[]) AS u(measure, detail, n)
     ON CONFLICT ${STATS_KEY} DO UPDATE SET count = messaging.stats_daily_v1.count + EXCLUDED.count`,
    [key.tenantId, key.day, key.campaignId, key.templateId, measures, details, values],
  );
}

const bump = (counts: Map<string, number>, measure: string, detail = ''): void => {
  const k = `${measure}|${detail}`;
  counts.set(k, (counts.get(k) ?? 0) + 1);
};

interface MessageRow {
  message_id: string;
  campaign_id: string | null;
  binding_id: string;
  template_id: string;
  customer_id: string;
  purpose_key: string;
  state: MessageState;
  step: string | null;
  reasons: string[];
  decision_id: string | null;
  error_code: number | null;
  attempts: number;
  wamid: string | null;
  queued_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
  updated_at: Date;
}

const VIEW_COLUMNS = `message_id, campaign_id, binding_id, template_id, customer_id, purpose_key, state, step, reasons, decision_id, error_code, attempts, wamid,
  queued_at, sent_at, delivered_at, read_at, failed_at, updated_at`;

const toView = (r: MessageRow): MessageView => ({
  messageId: r.message_id,
  campaignId: r.campaign_id,
  bindingId: r.binding_id,
  templateId: r.template_id,
  customerId: r.customer_id,
  purposeKey: r.purpose_key,
  state: r.state,
  step: r.step,
  reasons: r.reasons,
  decisionId: r.decision_id,
  errorCode: r.error_code,
  attempts: r.attempts,
  wamid: r.wamid,
  queuedAt: r.queued_at,
  sentAt: r.sent_at,
  deliveredAt: r.delivered_at,
  readAt: r.read_at,
  failedAt: r.failed_at,
  updatedAt: r.updated_at,
});

/**
 * Messaging's outbox and message log (`messaging.messages`: one row per recipient, blocked ones
 * with their reasons), its daily statistics, the suppression list and the campaigns' drafts.
 * Writes as the owner; reads of the log and statistics as `attest_app` in the tenant's scope.
 */
export class PostgresMessageLog implements MessageLog {
  constructor(
    private readonly owner: DataSource,
    private readonly app: DataSource,
    private readonly privacy: ReadModelPrivacy,
  ) {}

  async saveRecipients(tenantId: string, campaignId: string, customerIds: readonly string[]): Promise<void> {
    await this.owner.query(
      `INSERT INTO messaging.campaign_drafts (campaign_id, tenant_id, recipients) VALUES ($1, $2, $3::uuid[])
       ON CONFLICT (campaign_id) DO UPDATE SET recipients = EXCLUDED.recipients`,
      [campaignId, tenantId, uuids(customerIds)],
    );
  }

  async recipients(tenantId: string, campaignId: string): Promise<string[]> {
    const [row] = await this.owner.query<{ recipients: string[] }[]>(
      `SELECT recipients::text[] AS recipients FROM messaging.campaign_drafts WHERE tenant_id = $1 AND campaign_id::text = $2`,
      [tenantId, campaignId],
    );
    return row?.recipients ?? [];
  }

  async saveParameters(tenantId: string, campaignId: string, parameters: readonly string[]): Promise<void> {
    await this.owner.query(
      `INSERT INTO messaging.campaign_drafts (campaign_id, tenant_id, recipients, parameters) VALUES ($1, $2, '{}', $3)
       ON CONFLICT (campaign_id) DO UPDATE SET parameters = EXCLUDED.parameters`,
      [campaignId, tenantId, JSON.stringify(parameters)],
    );
  }

  async parameters(tenantId: string, campaignId: string): Promise<string[]> {
    const [row] = await this.owner.query<{ parameters: string[] }[]>(
      `SELECT parameters FROM messaging.campaign_drafts WHERE tenant_id = $1 AND campaign_id::text = $2`,
      [tenantId, campaignId],
    );
    return row?.parameters ?? [];
  }

  async marketingCounts(tenantId: string, customerIds: readonly string[], since: Date): Promise<Map<string, number>> {
    if (customerIds.length === 0) return new Map();
    const rows = await this.owner.query<{ customer_id: string; n: string }[]>(
      `SELECT customer_id, count(*) AS n FROM messaging.messages
       WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[]) AND category = 'MARKETING' AND created_at >= $3
         AND state NOT IN ('blocked', 'cancelled', 'failed')
       GROUP BY customer_id`,
      [tenantId, uuids(customerIds), since],
    );
    return new Map(rows.map((r) => [r.customer_id, Number(r.n)]));
  }

  async suppressed(tenantId: string, customerIds: readonly string[]): Promise<Set<string>> {
    if (customerIds.length === 0) return new Set();
    const rows = await this.owner.query<{ customer_id: string }[]>(
      `SELECT customer_id FROM messaging.suppressions WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])`,
      [tenantId, uuids(customerIds)],
    );
    return new Set(rows.map((r) => r.customer_id));
  }

  async suppress(tenantId: string, customerId: string, source: string, at: Date): Promise<boolean> {
    const rows = await this.owner.query<{ customer_id: string }[]>(
      `WITH added AS (INSERT INTO messaging.suppressions (tenant_id, customer_id, source, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING customer_id)
       SELECT customer_id FROM added`,
      [tenantId, customerId, source, at],
    );
    // Marketing already queued to the subject is not sent either (K2: at once).
    await this.owner.query(
      `UPDATE messaging.messages SET state = 'cancelled', reasons = ARRAY['MESSAGING.SUPPRESSED'], updated_at = $3
       WHERE tenant_id = $1 AND customer_id = $2 AND category = 'MARKETING' AND state IN ('queued', 'held')`,
      [tenantId, customerId, at],
    );
    return rows.length > 0;
  }

  async enqueue(batch: GatedBatch): Promise<void> {
    if (batch.recipients.length === 0) return;
    const rows: Record<string, JsonValue>[] = [];
    for (const r of batch.recipients) {
      let content: JsonValue = null;
      let token: string | null = null;
      if (r.outcome === 'queued' && r.phone !== null) {
        const sealed: SealedContent = { phone: r.phone, parameters: [...batch.parameters] };
        content = await this.privacy.seal(r.customerId, contentColumn(r.messageId), sealed as unknown as JsonValue);
        token = (await this.privacy.tokens(batch.tenantId, 'phone', r.phone))[0] ?? null;
      }
      rows.push({
        message_id: r.messageId,
        customer_id: r.customerId,
        state: r.outcome === 'blocked' ? 'blocked' : batch.campaignId === null ? 'queued' : 'held',
        step: r.step,
        reasons: [...r.reasons],
        decision_id: r.decisionId,
        consent_ids: [...r.consentIds],
        legal_basis: r.legalBasis,
        content,
        phone_token: token,
        next_attempt_at: r.outcome === 'queued' ? (r.notBefore ?? batch.at).toISOString() : null,
      });
    }
    await this.owner.transaction(async (m) => {
      const inserted = await m.query<{ state: string; step: string | null; reason: string | null }[]>(
        `WITH written AS (
           INSERT INTO messaging.messages (message_id, tenant_id, campaign_id, binding_id, template_id, template_name, language, category, purpose_key, customer_id,
             state, step, reasons, decision_id, consent_ids, legal_basis, content, phone_token, next_attempt_at, created_at, queued_at, updated_at)
           SELECT r.message_id, $2, $3::uuid, $4::uuid, $5, $6, $7, $8, $9, r.customer_id, r.state, r.step,
             ARRAY(SELECT jsonb_array_elements_text(r.reasons)), r.decision_id, ARRAY(SELECT jsonb_array_elements_text(r.consent_ids)), r.legal_basis,
             r.content, r.phone_token, r.next_attempt_at, $10, CASE WHEN r.state = 'blocked' THEN NULL ELSE $10::timestamptz END, $10
           FROM jsonb_to_recordset($1::jsonb) AS r(message_id uuid, customer_id uuid, state text, step text, reasons jsonb, decision_id text, consent_ids jsonb,
             legal_basis text, content jsonb, phone_token text, next_attempt_at timestamptz)
           ON CONFLICT DO NOTHING
           RETURNING state, step, reasons[1] AS reason)
         SELECT * FROM written`,
        [
          JSON.stringify(rows),
          batch.tenantId,
          batch.campaignId,
          batch.bindingId,
          batch.templateId,
          batch.templateName,
          batch.language,
          batch.category,
          batch.purposeKey,
          batch.at,
        ],
      );
      const counts = new Map<string, number>();
      for (const row of inserted) {
        bump(counts, 'requested');
        if (row.state === 'blocked') bump(counts, 'blocked', `${row.step ?? ''}:${row.reason ?? ''}`);
        else bump(counts, 'queued');
      }
      await addStats(
        m,
        { tenantId: batch.tenantId, day: batch.at.toISOString().slice(0, 10), campaignId: batch.campaignId, templateId: batch.templateId },
        counts,
      );
    });
  }

  async stopTemplate(bindingId: string, templateId: string, at: Date): Promise<number> {
    const rows = await this.owner.query<{ message_id: string }[]>(
      `WITH changed AS (UPDATE messaging.messages SET state = 'cancelled', reasons = ARRAY['TEMPLATE.STOPPED'], updated_at = $3
         WHERE binding_id::text = $1 AND template_id = $2 AND state IN ('queued', 'held') RETURNING message_id)
       SELECT message_id FROM changed`,
      [bindingId, templateId, at],
    );
    return rows.length;
  }

  async messages(tenantId: string, filter: MessageFilter): Promise<MessageView[]> {
    const token = filter.phone ? ((await this.privacy.tokens(tenantId, 'phone', filter.phone))[0] ?? '') : null;
    const rows = await withTenant(this.app, tenantId, (m) =>
      m.query<MessageRow[]>(
        `SELECT ${VIEW_COLUMNS} FROM messaging.messages
         WHERE tenant_id = $1 AND ($2::uuid IS NULL OR campaign_id = $2) AND ($3::uuid IS NULL OR customer_id = $3) AND ($4::text IS NULL OR state = $4)
           AND ($5::text IS NULL OR phone_token = $5) AND ($6::uuid IS NULL OR message_id < $6)
         ORDER BY message_id DESC LIMIT $7`,
        [
          tenantId,
          filter.campaignId !== undefined && UUID.test(filter.campaignId)
            ? filter.campaignId
            : filter.campaignId === undefined
              ? null
              : '00000000-0000-0000-0000-000000000000',
          filter.customerId !== undefined && UUID.test(filter.customerId)
            ? filter.customerId
            : filter.customerId === undefined
              ? null
              : '00000000-0000-0000-0000-000000000000',
          filter.state ?? null,
          token,
          filter.after !== undefined && UUID.test(filter.after) ? filter.after : null,
          filter.limit,
        ],
      ),
    );
    return rows.map(toView);
  }

  async message(tenantId: string, messageId: string): Promise<MessageView | null> {
    if (!UUID.test(messageId)) return null;
    const [row] = await withTenant(this.app, tenantId, (m) =>
      m.query<MessageRow[]>(`SELECT ${VIEW_COLUMNS} FROM messaging.messages WHERE tenant_id = $1 AND message_id = $2`, [tenantId, messageId]),
    );
    return row ? toView(row) : null;
  }

  async stats(
    tenantId: string,
    filter: { readonly campaignId?: string; readonly templateId?: string; readonly from?: string; readonly to?: string },
  ): Promise<StatsRow[]> {
    const rows = await withTenant(this.app, tenantId, (m) =>
      m.query<{ day: string; campaign_id: string | null; template_id: string; measure: StatsRow['measure']; detail: string; count: string }[]>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, campaign_id, template_id, measure, detail, count FROM messaging.stats_daily_v1
         WHERE tenant_id = $1 AND ($2::text IS NULL OR campaign_id::text = $2) AND ($3::text IS NULL OR template_id = $3)
           AND ($4::date IS NULL OR day >= $4) AND ($5::date IS NULL OR day <= $5)
         ORDER BY day, campaign_id NULLS FIRST, template_id, measure, detail`,
        [tenantId, filter.campaignId ?? null, filter.templateId ?? null, filter.from ?? null, filter.to ?? null],
      ),
    );
    return rows.map((r) => ({
      day: r.day,
      campaignId: r.campaign_id,
      templateId: r.template_id,
      measure: r.measure,
      detail: r.detail,
      count: Number(r.count),
    }));
  }

  /** The retention job: log rows of finished messages older than the tenant's setting go (statistics stay). */
  async purge(tenantId: string, olderThan: Date): Promise<number> {
    const rows = await this.owner.query<{ message_id: string }[]>(
      `WITH gone AS (DELETE FROM messaging.messages WHERE tenant_id = $1 AND updated_at < $2
         AND state IN ('blocked', 'sent', 'delivered', 'read', 'failed', 'cancelled') RETURNING message_id)
       SELECT message_id FROM gone`,
      [tenantId, olderThan],
    );
    return rows.length;
  }

  /** Tenants with message log rows, with their retention (the retention job's work list). */
  async tenantsWithLogs(): Promise<string[]> {
    const rows = await this.owner.query<{ tenant_id: string }[]>(`SELECT DISTINCT tenant_id FROM messaging.messages`);
    return rows.map((r) => r.tenant_id);
  }
}

export const DEFAULT_MESSAGING_SETTINGS: MessagingSettingsView = {
  marketingCap: 4,
  frequencyWindowDays: 7,
  // None until the tenant sets them: a default would hold every message sent at night without anyone having asked.
  quietHours: null,
  defaultZone: 'UTC',
  stopKeywords: {},
  thirdParty: 'Meta Platforms',
  transferCountry: null,
  logRetentionDays: 400,
};

/** A tenant's messaging rules (`messaging.settings`), with the defaults above until set. */
export class PostgresMessagingSettings implements MessagingSettings {
  constructor(private readonly owner: DataSource) {}

  async get(tenantId: string): Promise<MessagingSettingsView> {
    const [row] = await this.owner.query<{ settings: Partial<MessagingSettingsView> }[]>(`SELECT settings FROM messaging.settings WHERE tenant_id = $1`, [
      tenantId,
    ]);
    return { ...DEFAULT_MESSAGING_SETTINGS, ...(row?.settings ?? {}) };
  }

  async set(tenantId: string, settings: MessagingSettingsView, actor: string, at: Date): Promise<MessagingSettingsView> {
    if (settings.quietHours !== null && !isQuietHours(settings.quietHours)) throw new Error('quiet hours are validated at the edge');
    await this.owner.query(
      `INSERT INTO messaging.settings (tenant_id, settings, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [tenantId, JSON.stringify(settings), at, actor],
    );
    return this.get(tenantId);
  }

  /** The tenant's stop words: the defaults per language, with the tenant's added. */
  async stopKeywords(tenantId: string): Promise<Record<string, readonly string[]>> {
    const own = (await this.get(tenantId)).stopKeywords;
    const merged: Record<string, readonly string[]> = { ...DEFAULT_STOP_KEYWORDS };
    for (const [language, words] of Object.entries(own)) merged[language] = [...(merged[language] ?? []), ...words];
    return merged;
  }
}
