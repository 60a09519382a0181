import type { DataSource, EntityManager } from 'typeorm';
import { withTenant } from '@attest/database';
import type { RecordedEvent } from '@attest/event-store';
import type { CampaignStatusView, CampaignView, MessagingReadModel, TemplateView } from '@attest/messaging-application';
import {
  CAMPAIGN_EVENT_TYPES,
  TEMPLATE_EVENT_TYPES,
  templateBlock,
  type CampaignEvent,
  type TemplateCategory,
  type TemplateEvent,
} from '@attest/messaging-domain';
import type { Projection } from '@attest/projections';
import type { ConsentWithdrawn } from '@attest/consent-domain';
import type { CustomerErased, CustomerProcessingRestricted } from '@attest/customers-domain';

// The other contexts' published events messaging consumes. An erased subject's log rows lose their
// sealed content and lookup; a withdrawal on whatsapp, or a restriction of processing, cancels the
// subject's messages still waiting — a decision taken when a campaign started does not outlive them.
const ERASED: CustomerErased['type'] = 'CustomerErased.v1';
const WITHDRAWN: ConsentWithdrawn['type'] = 'ConsentWithdrawn.v1';
const RESTRICTED: CustomerProcessingRestricted['type'] = 'CustomerProcessingRestricted.v1';

const TEMPLATES = new Set<string>(TEMPLATE_EVENT_TYPES);
const asTemplate = (e: RecordedEvent): TemplateEvent => ({ type: e.type, data: e.data }) as TemplateEvent;
const asCampaign = (e: RecordedEvent): CampaignEvent => ({ type: e.type, data: e.data }) as CampaignEvent;

async function applyTemplate(m: EntityManager, e: TemplateEvent, at: string): Promise<void> {
  const d = e.data;
  switch (e.type) {
    case 'WhatsAppTemplateSynced.v1':
      await m.query(
        `INSERT INTO messaging.templates_v1 (binding_id, template_id, tenant_id, name, language, category, status, parameters, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (binding_id, template_id) DO UPDATE SET name = EXCLUDED.name, language = EXCLUDED.language, category = EXCLUDED.category,
           status = EXCLUDED.status, parameters = EXCLUDED.parameters, updated_at = EXCLUDED.updated_at`,
        [d.bindingId, d.templateId, d.tenantId, e.data.name, e.data.language, e.data.category, e.data.status, e.data.parameters, at],
      );
      return;
    case 'WhatsAppTemplateStatusChanged.v1':
      await m.query(`UPDATE messaging.templates_v1 SET status = $3, updated_at = $4 WHERE binding_id = $1 AND template_id = $2`, [
        d.bindingId,
        d.templateId,
        e.data.status,
        at,
      ]);
      return;
    case 'WhatsAppTemplateMapped.v1':
      await m.query(
        `UPDATE messaging.templates_v1 SET purpose_key = $3, legal_basis = $4, mapped_category = $5, updated_at = $6 WHERE binding_id = $1 AND template_id = $2`,
        [d.bindingId, d.templateId, e.data.purposeId, e.data.legalBasis, e.data.category, at],
      );
      return;
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Moves a campaign's unsent messages between waiting states. */
async function queue(m: EntityManager, campaignId: string, from: readonly string[], to: 'queued' | 'held' | 'cancelled'): Promise<void> {
  await m.query(`UPDATE messaging.messages SET state = $3, updated_at = now() WHERE campaign_id = $1 AND state = ANY($2::text[])`, [campaignId, from, to]);
}

async function applyCampaign(m: EntityManager, e: CampaignEvent, at: string): Promise<void> {
  const id = e.data.campaignId;
  switch (e.type) {
    case 'WhatsAppCampaignCreated.v1':
      await m.query(
        `INSERT INTO messaging.campaigns_v1 (campaign_id, tenant_id, name, binding_id, template_id, status, recipients, selection, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9) ON CONFLICT (campaign_id) DO NOTHING`,
        [id, e.data.tenantId, e.data.name, e.data.bindingId, e.data.templateId, e.data.recipients, e.data.selection, at, e.data.createdBy],
      );
      return;
    // The campaign's queue follows its events (here, so a crash between an event and its effect cannot
    // part them, and a replay ends where the events do): started and resumed release the held messages,
    // paused holds the queued ones, cancelled drops both. Sent messages are never touched.
    case 'WhatsAppCampaignStarted.v1':
      await m.query(`UPDATE messaging.campaigns_v1 SET status = 'running', queued = $2, blocked = $3, started_at = $4 WHERE campaign_id = $1`, [
        id,
        e.data.queued,
        JSON.stringify(e.data.blocked),
        at,
      ]);
      await queue(m, id, ['held'], 'queued');
      return;
    case 'WhatsAppCampaignPaused.v1':
      await m.query(`UPDATE messaging.campaigns_v1 SET status = 'paused' WHERE campaign_id = $1`, [id]);
      await queue(m, id, ['queued'], 'held');
      return;
    case 'WhatsAppCampaignResumed.v1':
      await m.query(`UPDATE messaging.campaigns_v1 SET status = 'running' WHERE campaign_id = $1`, [id]);
      await queue(m, id, ['held'], 'queued');
      return;
    case 'WhatsAppCampaignCancelled.v1':
      await m.query(`UPDATE messaging.campaigns_v1 SET status = 'cancelled' WHERE campaign_id = $1`, [id]);
      await queue(m, id, ['queued', 'held'], 'cancelled');
      return;
    default: {
      const never: never = e;
      return never;
    }
  }
}

/**
 * The other contexts' events of a batch that change waiting messages, applied together: each
 * waiting message is cancelled by the first of them, in log order, that reaches it (a whatsapp
 * withdrawal for its purpose, or a restriction, at or after its creation), with that event's
 * reason and time, as one statement per event leaves it; erased subjects' messages lose their
 * content and number's hash. Written before any campaign event, which moves messages too. The
 * outer WHERE repeats the state test: a row another transaction changed while this one waited for
 * its lock (a dispatcher's claim) is re-checked against it, not against the subquery's snapshot.
 */
class MessageChanges {
  private cancels: { ord: number; tenant_id: string; customer_id: string; purpose_key: string | null; at: string; reason: string }[] = [];
  private erased: { tenant_id: string; customer_id: string }[] = [];

  /** Takes the event if it is one of these; false otherwise. */
  add(event: RecordedEvent): boolean {
    const data = event.data as { customerId?: unknown; purposeKey?: unknown; channel?: unknown };
    const subject = { tenant_id: event.metadata.tenantId, customer_id: String(data.customerId) };
    const at = event.metadata.occurredAt;
    const ord = this.cancels.length;
    if (event.type === WITHDRAWN) {
      // Only messages gated before the withdrawal: replayed, it leaves later ones (after a new consent) alone.
      if (data.channel === 'whatsapp') this.cancels.push({ ord, ...subject, purpose_key: String(data.purposeKey), at, reason: 'CONSENT_WITHDRAWN' });
    } else if (event.type === RESTRICTED) this.cancels.push({ ord, ...subject, purpose_key: null, at, reason: 'CUSTOMER_RESTRICTED' });
    // The content is unreadable already (its key is gone); the ciphertext and the number's keyed hash go too.
    else if (event.type === ERASED) this.erased.push(subject);
    else return false;
    return true;
  }

  async flush(m: EntityManager): Promise<void> {
    if (this.cancels.length > 0) {
      await m.query(
        `UPDATE messaging.messages m SET state = 'cancelled', reasons = ARRAY[f.reason], updated_at = f.at
           FROM (SELECT DISTINCT ON (w.message_id) w.message_id, c.reason, c.at
                   FROM jsonb_to_recordset($1::jsonb) AS c(ord integer, tenant_id text, customer_id uuid, purpose_key text, at timestamptz, reason text)
                   JOIN messaging.messages w ON w.tenant_id = c.tenant_id AND w.customer_id = c.customer_id
                    AND (c.purpose_key IS NULL OR w.purpose_key = c.purpose_key) AND w.created_at <= c.at
                  WHERE w.state IN ('queued', 'held')
                  ORDER BY w.message_id, c.ord) AS f
          WHERE m.message_id = f.message_id AND m.state IN ('queued', 'held') AND m.created_at <= f.at`,
        [JSON.stringify(this.cancels)],
      );
      this.cancels = [];
    }
    if (this.erased.length > 0) {
      await m.query(
        `UPDATE messaging.messages m SET content = NULL, phone_token = NULL
           FROM (SELECT DISTINCT tenant_id, customer_id FROM jsonb_to_recordset($1::jsonb) AS e(tenant_id text, customer_id uuid)) AS e
          WHERE m.tenant_id = e.tenant_id AND m.customer_id = e.customer_id AND (m.content IS NOT NULL OR m.phone_token IS NOT NULL)`,
        [JSON.stringify(this.erased)],
      );
      this.erased = [];
    }
  }
}

/** Templates and campaigns of bound WhatsApp numbers (idempotent: a repeat writes the same row). */
export const messagingProjection: Projection = {
  name: 'messaging',
  version: 1,
  filter: { eventTypes: [...TEMPLATE_EVENT_TYPES, ...CAMPAIGN_EVENT_TYPES, ERASED, WITHDRAWN, RESTRICTED] },
  async apply(events, manager) {
    const changes = new MessageChanges();
    for (const event of events) {
      if (changes.add(event)) continue;
      await changes.flush(manager);
      if (TEMPLATES.has(event.type)) await applyTemplate(manager, asTemplate(event), event.metadata.occurredAt);
      else await applyCampaign(manager, asCampaign(event), event.metadata.occurredAt);
    }
    await changes.flush(manager);
  },
  async reset(manager) {
    await manager.query(`TRUNCATE messaging.templates_v1, messaging.campaigns_v1`);
  },
};

interface TemplateRow {
  binding_id: string;
  template_id: string;
  name: string;
  language: string;
  category: TemplateCategory;
  status: string;
  parameters: number;
  purpose_key: string | null;
  legal_basis: string | null;
  mapped_category: TemplateCategory | null;
  updated_at: Date;
}

const toTemplate = (r: TemplateRow): TemplateView => ({
  bindingId: r.binding_id,
  templateId: r.template_id,
  name: r.name,
  language: r.language,
  category: r.category,
  status: r.status,
  parameters: r.parameters,
  purposeKey: r.purpose_key,
  legalBasis: r.legal_basis,
  blocked: templateBlock({
    exists: true,
    name: r.name,
    language: r.language,
    category: r.category,
    status: r.status,
    parameters: r.parameters,
    mapping:
      r.purpose_key && r.mapped_category && r.legal_basis
        ? { purposeId: r.purpose_key, legalBasis: r.legal_basis as 'consent', category: r.mapped_category }
        : null,
  }),
  updatedAt: r.updated_at,
});

interface CampaignRow {
  campaign_id: string;
  tenant_id: string;
  name: string;
  binding_id: string;
  template_id: string;
  status: CampaignStatusView;
  recipients: number;
  selection: 'list' | 'filter';
  queued: number | null;
  blocked: Record<string, number> | null;
  created_at: Date;
  created_by: string;
  started_at: Date | null;
}

const toCampaign = (r: CampaignRow): CampaignView => ({
  campaignId: r.campaign_id,
  tenantId: r.tenant_id,
  name: r.name,
  bindingId: r.binding_id,
  templateId: r.template_id,
  status: r.status,
  recipients: r.recipients,
  selection: r.selection,
  queued: r.queued,
  blocked: r.blocked,
  createdAt: r.created_at,
  createdBy: r.created_by,
  startedAt: r.started_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads of the projection's tables, as `attest_app` inside the tenant's scope (row-level security). */
export class PostgresMessagingReadModel implements MessagingReadModel {
  constructor(
    private readonly app: DataSource,
    private readonly owner: DataSource,
  ) {}

  async template(tenantId: string, bindingId: string, templateId: string): Promise<TemplateView | null> {
    if (!UUID.test(bindingId)) return null;
    const [row] = await withTenant(this.app, tenantId, (m) =>
      m.query<TemplateRow[]>(`SELECT * FROM messaging.templates_v1 WHERE tenant_id = $1 AND binding_id = $2 AND template_id = $3`, [
        tenantId,
        bindingId,
        templateId,
      ]),
    );
    return row ? toTemplate(row) : null;
  }

  async templates(tenantId: string, bindingId: string | null): Promise<TemplateView[]> {
    if (bindingId !== null && !UUID.test(bindingId)) return [];
    const rows = await withTenant(this.app, tenantId, (m) =>
      m.query<TemplateRow[]>(`SELECT * FROM messaging.templates_v1 WHERE tenant_id = $1 AND ($2::uuid IS NULL OR binding_id = $2) ORDER BY name, language`, [
        tenantId,
        bindingId,
      ]),
    );
    return rows.map(toTemplate);
  }

  async templateByName(bindingId: string, name: string, language: string): Promise<{ readonly tenantId: string; readonly templateId: string } | null> {
    // A webhook names the template, not the tenant: read as the owner, for this number only.
    const [row] = await this.owner.query<{ tenant_id: string; template_id: string }[]>(
      `SELECT tenant_id, template_id FROM messaging.templates_v1 WHERE binding_id = $1 AND name = $2 AND language = $3`,
      [bindingId, name, language],
    );
    return row ? { tenantId: row.tenant_id, templateId: row.template_id } : null;
  }

  async campaign(tenantId: string, campaignId: string): Promise<CampaignView | null> {
    if (!UUID.test(campaignId)) return null;
    const [row] = await withTenant(this.app, tenantId, (m) =>
      m.query<CampaignRow[]>(`SELECT * FROM messaging.campaigns_v1 WHERE tenant_id = $1 AND campaign_id = $2`, [tenantId, campaignId]),
    );
    return row ? toCampaign(row) : null;
  }

  async campaigns(
    tenantId: string,
    filter: { readonly status?: CampaignStatusView; readonly after?: string; readonly limit: number },
  ): Promise<CampaignView[]> {
    const rows = await withTenant(this.app, tenantId, (m) =>
      m.query<CampaignRow[]>(
        `SELECT * FROM messaging.campaigns_v1 WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR campaign_id < $3)
         ORDER BY campaign_id DESC LIMIT $4`,
        [tenantId, filter.status ?? null, filter.after !== undefined && UUID.test(filter.after) ? filter.after : null, filter.limit],
      ),
    );
    return rows.map(toCampaign);
  }
}
