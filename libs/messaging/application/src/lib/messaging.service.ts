import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import { DomainError, uuidv7, type Clock } from '@attest/kernel';
import {
  campaignDecider,
  campaignStreamId,
  MAX_CAMPAIGN_RECIPIENTS,
  quietUntil,
  ruleRefusal,
  templateDecider,
  templateStreamId,
  type CampaignCommand,
  type TemplateCommand,
} from '@attest/messaging-domain';
import { CLOCK, metadataFor, PROCESSING_JOURNAL, type CommandContext, type ProcessingEntry, type ProcessingJournal } from '@attest/security';
import {
  MESSAGE_LOG,
  MESSAGING_BINDINGS,
  MESSAGING_CONSENT,
  MESSAGING_DECISIONS,
  MESSAGING_NUMBERS,
  MESSAGING_PROJECTOR,
  MESSAGING_READ_MODEL,
  MESSAGING_RECIPIENTS,
  MESSAGING_SETTINGS,
  TEMPLATE_CATALOG,
  type CampaignView,
  type GatedRecipient,
  type MessageLog,
  type MessageView,
  type MessagingBindings,
  type MessagingConsent,
  type MessagingDecisions,
  type MessagingNumbers,
  type MessagingProjector,
  type MessagingReadModel,
  type MessagingRecipients,
  type MessagingSettings,
  type MessagingSettingsView,
  type NumberSecrets,
  type NumberSettings,
  type NumberView,
  type TemplateCatalog,
  type TemplateView,
} from './ports';

/** What the gate found for a campaign or a single send, before or as it was queued. */
export interface GateSummary {
  readonly recipients: number;
  readonly queued: number;
  /** Refused recipients by step and reason: `decision:NO_CONSENT`, `rule:suppressed`, `contact:no-phone` … */
  readonly blocked: Readonly<Record<string, number>>;
  /** The first refused recipients, with why (up to 100). */
  readonly examples: readonly { readonly customerId: string; readonly step: string; readonly reasons: readonly string[] }[];
}

const notFound = (code: string, message: string): never => {
  throw new DomainError(code, message, 'not_found');
};

/** The tenant's rule refusals, as the processing record names them. */
const RULE_REASON = { suppressed: 'MESSAGING.SUPPRESSED', 'frequency-cap': 'MESSAGING.FREQUENCY_CAP' } as const;

/**
 * P7, K8 (ADR 0015): templates, campaigns and single sends of bound WhatsApp numbers. A message
 * is queued only after the consent context's decision allowed it and the tenant's own rules did
 * not refuse it; every refused recipient is kept with the step and reasons that refused it.
 */
@Injectable()
export class MessagingService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PROCESSING_JOURNAL) private readonly journal: ProcessingJournal,
    @Inject(MESSAGING_NUMBERS) private readonly numbers: MessagingNumbers,
    @Inject(MESSAGING_READ_MODEL) private readonly readModel: MessagingReadModel,
    @Inject(MESSAGING_PROJECTOR) private readonly projector: MessagingProjector,
    @Inject(MESSAGE_LOG) private readonly log: MessageLog,
    @Inject(MESSAGING_SETTINGS) private readonly settings: MessagingSettings,
    @Inject(MESSAGING_DECISIONS) private readonly decisions: MessagingDecisions,
    @Inject(MESSAGING_CONSENT) private readonly consent: MessagingConsent,
    @Inject(MESSAGING_RECIPIENTS) private readonly recipients: MessagingRecipients,
    @Inject(MESSAGING_BINDINGS) private readonly bindings: MessagingBindings,
    @Inject(TEMPLATE_CATALOG) private readonly catalog: TemplateCatalog,
  ) {}

  // ---- numbers ----------------------------------------------------------------------------

  async configureNumber(context: CommandContext, bindingId: string, settings: NumberSettings, secrets: Partial<NumberSecrets>): Promise<NumberView> {
    if (!(await this.bindings.whatsAppBinding(context.tenantId, bindingId))) {
      notFound('WHATSAPP.BINDING_NOT_FOUND', 'no WhatsApp Business number of your organization is bound under this id (bind it first: A5)');
    }
    return this.numbers.configure(context.tenantId, bindingId, settings, secrets, context.actor, this.clock.now());
  }

  // ---- templates --------------------------------------------------------------------------

  /** Lists the number's templates at Meta and records what changed (one stream per template). */
  async syncTemplates(context: CommandContext, bindingId: string): Promise<TemplateView[]> {
    const connection = await this.numbers.connection(bindingId);
    if (!connection || connection.tenantId !== context.tenantId) {
      return notFound('WHATSAPP.NUMBER_NOT_CONFIGURED', 'this number has no Cloud API settings yet: configure it first');
    }
    const listed = await this.catalog.list(connection);
    for (const template of listed) {
      await this.runTemplate(context, {
        kind: 'SyncTemplate',
        tenantId: context.tenantId,
        bindingId,
        templateId: template.templateId,
        actor: context.actor,
        listed: template,
      });
    }
    return this.readModel.templates(context.tenantId, bindingId);
  }

  /** Maps a template to a purpose of the register (a MARKETING template only to consent on `whatsapp`). */
  async mapTemplate(context: CommandContext, bindingId: string, templateId: string, purposeKey: string): Promise<TemplateView> {
    // Only a template of the caller's own numbers: another tenant's answers as unknown.
    if (!(await this.readModel.template(context.tenantId, bindingId, templateId)))
      notFound('TEMPLATE.NOT_FOUND', 'no such template of your numbers: sync the templates first');
    const purpose = await this.consent.purpose(context.tenantId, purposeKey);
    if (!purpose) return notFound('PURPOSE.NOT_FOUND', 'no purpose with this key in your register');
    await this.runTemplate(context, { kind: 'MapTemplate', tenantId: context.tenantId, bindingId, templateId, actor: context.actor, purpose });
    return (await this.readModel.template(context.tenantId, bindingId, templateId)) ?? notFound('TEMPLATE.NOT_FOUND', 'no such template');
  }

  /** A template's status changed at Meta (webhook): recorded, and a pause or disable stops its queued messages. */
  async templateStatusChanged(bindingId: string, name: string, language: string, status: string, reason: string | null): Promise<boolean> {
    const known = await this.readModel.templateByName(bindingId, name, language);
    if (!known) return false;
    const context = systemContext(known.tenantId);
    await this.runTemplate(context, {
      kind: 'ChangeTemplateStatus',
      tenantId: known.tenantId,
      bindingId,
      templateId: known.templateId,
      actor: context.actor,
      status,
      reason,
    });
    if (status !== 'APPROVED' && status !== 'PENDING' && status !== 'IN_APPEAL') await this.log.stopTemplate(bindingId, known.templateId, this.clock.now());
    return true;
  }

  private async runTemplate(context: CommandContext, command: TemplateCommand): Promise<void> {
    const streamId = templateStreamId(command.bindingId, command.templateId);
    const result = await handleWithDecider(this.store, templateDecider, streamId, command, metadataFor(context, this.clock.now()));
    if (result.events.length > 0) await this.projector.projectStream(streamId);
  }

  // ---- campaigns --------------------------------------------------------------------------

  async createCampaign(
    context: CommandContext,
    input: {
      readonly name: string;
      readonly bindingId: string;
      readonly templateId: string;
      readonly parameters: readonly string[];
      readonly customerIds?: readonly string[];
      readonly filter?: { readonly tag?: string; readonly purpose?: string; readonly consentStatus?: 'granted' | 'withdrawn' | 'none' };
    },
  ): Promise<CampaignView> {
    const { tenantId } = context;
    const template = await this.readModel.template(tenantId, input.bindingId, input.templateId);
    if (!template) return notFound('TEMPLATE.NOT_FOUND', 'no such template of this number: sync the templates first');
    if (input.parameters.length !== template.parameters) {
      throw new DomainError(
        'CAMPAIGN.PARAMETERS',
        `the template takes ${String(template.parameters)} body parameters, ${String(input.parameters.length)} were given`,
        'invalid',
      );
    }
    let ids: string[];
    if (input.customerIds) {
      const unique = [...new Set(input.customerIds)];
      if (unique.length > MAX_CAMPAIGN_RECIPIENTS)
        throw new DomainError('CAMPAIGN.TOO_MANY_RECIPIENTS', 'a campaign has at most 100,000 recipients', 'invalid');
      const existing = await this.recipients.existing(tenantId, unique);
      const unknown = unique.filter((id) => !existing.has(id));
      if (unknown.length > 0)
        throw new DomainError(
          'CAMPAIGN.UNKNOWN_CUSTOMERS',
          `${String(unknown.length)} of the customer ids are not customers of your organization (first: ${unknown[0] ?? ''})`,
          'invalid',
        );
      ids = unique;
    } else {
      ids = await this.recipients.select(tenantId, input.filter ?? {}, MAX_CAMPAIGN_RECIPIENTS + 1);
    }
    const campaignId = uuidv7();
    await this.log.saveRecipients(tenantId, campaignId, ids);
    await this.log.saveParameters(tenantId, campaignId, input.parameters);
    await this.runCampaign(context, {
      kind: 'CreateCampaign',
      tenantId,
      campaignId,
      actor: context.actor,
      name: input.name,
      bindingId: input.bindingId,
      templateId: input.templateId,
      recipients: ids.length,
      selection: input.customerIds ? 'list' : 'filter',
    });
    return this.campaign(tenantId, campaignId);
  }

  async campaign(tenantId: string, campaignId: string): Promise<CampaignView> {
    return (await this.readModel.campaign(tenantId, campaignId)) ?? notFound('CAMPAIGN.NOT_FOUND', 'no such campaign');
  }

  /**
   * Who would be blocked and why, without queuing anything. The decisions are real and recorded
   * (a decision is processing whether or not a message follows); the tenant's rules are applied as
   * at start.
   */
  async previewCampaign(context: CommandContext, campaignId: string): Promise<GateSummary> {
    const campaign = await this.campaign(context.tenantId, campaignId);
    const ids = await this.log.recipients(context.tenantId, campaignId);
    return this.gate(context, campaign.bindingId, campaign.templateId, campaignId, ids, null);
  }

  /** Gates every recipient and queues the allowed ones; the dispatcher sends them. */
  async startCampaign(context: CommandContext, campaignId: string): Promise<CampaignView> {
    const campaign = await this.campaign(context.tenantId, campaignId);
    if (campaign.status !== 'draft') throw new DomainError('CAMPAIGN.NOT_DRAFT', `the campaign is ${campaign.status}: only a draft can be started`, 'conflict');
    const ids = await this.log.recipients(context.tenantId, campaignId);
    const parameters = await this.log.parameters(context.tenantId, campaignId);
    const template = await this.sendable(context.tenantId, campaign.bindingId, campaign.templateId);
    const summary = await this.gate(context, campaign.bindingId, campaign.templateId, campaignId, ids, parameters);
    await this.runCampaign(context, {
      kind: 'StartCampaign',
      tenantId: context.tenantId,
      campaignId,
      actor: context.actor,
      purposeKey: template.purposeKey ?? '',
      queued: summary.queued,
      blocked: summary.blocked,
    });
    // Queued rows were written held: the start's event releases them (the projection, inline).
    return this.campaign(context.tenantId, campaignId);
  }

  async pauseCampaign(context: CommandContext, campaignId: string, reason: string | null): Promise<CampaignView> {
    await this.campaign(context.tenantId, campaignId); // another tenant's campaign answers as unknown
    await this.runCampaign(context, { kind: 'PauseCampaign', tenantId: context.tenantId, campaignId, actor: context.actor, reason });
    return this.campaign(context.tenantId, campaignId);
  }

  async resumeCampaign(context: CommandContext, campaignId: string): Promise<CampaignView> {
    const campaign = await this.campaign(context.tenantId, campaignId);
    if (campaign.status === 'paused') await this.sendable(context.tenantId, campaign.bindingId, campaign.templateId);
    await this.runCampaign(context, { kind: 'ResumeCampaign', tenantId: context.tenantId, campaignId, actor: context.actor });
    return this.campaign(context.tenantId, campaignId);
  }

  async cancelCampaign(context: CommandContext, campaignId: string, reason: string | null): Promise<CampaignView> {
    await this.campaign(context.tenantId, campaignId); // another tenant's campaign answers as unknown
    await this.runCampaign(context, { kind: 'CancelCampaign', tenantId: context.tenantId, campaignId, actor: context.actor, reason });
    return this.campaign(context.tenantId, campaignId);
  }

  private async runCampaign(context: CommandContext, command: CampaignCommand): Promise<void> {
    const streamId = campaignStreamId(command.campaignId);
    const result = await handleWithDecider(this.store, campaignDecider, streamId, command, metadataFor(context, this.clock.now()));
    if (result.events.length > 0) await this.projector.projectStream(streamId);
  }

  // ---- single sends -----------------------------------------------------------------------

  /** One template message to one customer, through the same gate as a campaign. */
  async send(
    context: CommandContext,
    input: { readonly bindingId: string; readonly templateId: string; readonly customerId: string; readonly parameters: readonly string[] },
  ): Promise<MessageView> {
    const template = await this.sendable(context.tenantId, input.bindingId, input.templateId);
    if (input.parameters.length !== template.parameters) {
      throw new DomainError(
        'MESSAGE.PARAMETERS',
        `the template takes ${String(template.parameters)} body parameters, ${String(input.parameters.length)} were given`,
        'invalid',
      );
    }
    if ((await this.recipients.existing(context.tenantId, [input.customerId])).size === 0) notFound('CUSTOMER.NOT_FOUND', 'no such customer');
    const messageIds: string[] = [];
    await this.gate(context, input.bindingId, input.templateId, null, [input.customerId], input.parameters, messageIds);
    const message = await this.log.message(context.tenantId, messageIds[0] ?? '');
    return message ?? notFound('MESSAGE.NOT_FOUND', 'the message was not written');
  }

  // ---- settings ---------------------------------------------------------------------------

  getSettings(tenantId: string): Promise<MessagingSettingsView> {
    return this.settings.get(tenantId);
  }

  async setSettings(context: CommandContext, settings: MessagingSettingsView): Promise<MessagingSettingsView> {
    return this.settings.set(context.tenantId, settings, context.actor, this.clock.now());
  }

  // ---- the gate ---------------------------------------------------------------------------

  private async sendable(tenantId: string, bindingId: string, templateId: string): Promise<TemplateView> {
    const template = await this.readModel.template(tenantId, bindingId, templateId);
    if (!template) return notFound('TEMPLATE.NOT_FOUND', 'no such template of this number: sync the templates first');
    if (template.blocked !== null) {
      const why = {
        'not-approved': `Meta has it ${template.status}, not APPROVED`,
        'not-mapped': 'it is mapped to no purpose',
        'mapping-outdated': 'Meta changed its category since it was mapped: map it again',
      };
      throw new DomainError('TEMPLATE.NOT_SENDABLE', `the template cannot be sent: ${why[template.blocked as keyof typeof why]}`, 'conflict');
    }
    if (!(await this.numbers.view(tenantId, bindingId)))
      notFound('WHATSAPP.NUMBER_NOT_CONFIGURED', 'this number has no Cloud API settings yet: configure it first');
    return template;
  }

  /**
   * The gate (ADR 0015, 5), in chunks the decision service takes at once: the decision, then
   * the tenant's suppression list and frequency cap, then a number to send to. `parameters`
   * null: a preview (nothing written but the decisions the consent context records).
   */
  private async gate(
    context: CommandContext,
    bindingId: string,
    templateId: string,
    campaignId: string | null,
    customerIds: readonly string[],
    parameters: readonly string[] | null,
    messageIds: string[] = [],
  ): Promise<GateSummary> {
    const { tenantId } = context;
    const template = await this.sendable(tenantId, bindingId, templateId);
    const purposeKey = template.purposeKey ?? '';
    const settings = await this.settings.get(tenantId);
    const at = this.clock.now();
    const since = new Date(at.getTime() - settings.frequencyWindowDays * 86_400_000);
    const notBefore = quietUntil(at, settings.defaultZone, settings.quietHours);
    const blocked: Record<string, number> = {};
    const examples: { customerId: string; step: string; reasons: readonly string[] }[] = [];
    let queued = 0;
    for (let i = 0; i < customerIds.length; i += this.decisions.limit) {
      const chunk = customerIds.slice(i, i + this.decisions.limit);
      const decided = await this.decisions.decide(context, chunk, { purposeKey, thirdParty: settings.thirdParty, transferCountry: settings.transferCountry });
      const allowedIds = decided.filter((d) => d.allow).map((d) => d.customerId);
      const [suppressed, counts] = await Promise.all([
        this.log.suppressed(tenantId, allowedIds),
        template.category === 'MARKETING' && settings.marketingCap !== null
          ? this.log.marketingCounts(tenantId, allowedIds, since)
          : Promise.resolve(new Map<string, number>()),
      ]);
      const refusals = new Map(
        allowedIds.map((id) => [
          id,
          ruleRefusal({ suppressed: suppressed.has(id), category: template.category, marketingSentInWindow: counts.get(id) ?? 0, rules: settings }),
        ]),
      );
      const phones =
        parameters === null
          ? null
          : await this.recipients.phones(
              tenantId,
              allowedIds.filter((id) => refusals.get(id) === null),
            );
      const gated: GatedRecipient[] = decided.map((d) => {
        // Written out once per recipient, not spread from a shared base: each key added after a
        // spread costs about a microsecond on Node 20 (docs/guides/contributors.md, 8).
        const gate = (outcome: GatedRecipient['outcome'], step: GatedRecipient['step'], reasons: readonly string[], phone: string | null): GatedRecipient => ({
          messageId: uuidv7(),
          customerId: d.customerId,
          decisionId: d.decisionId,
          consentIds: d.consentIds,
          legalBasis: d.legalBasis,
          notBefore: outcome === 'queued' ? notBefore : null,
          outcome,
          step,
          reasons,
          phone,
        });
        if (!d.allow) return gate('blocked', 'decision', d.reasons, null);
        const refusal = refusals.get(d.customerId) ?? null;
        if (refusal !== null) return gate('blocked', 'rule', [RULE_REASON[refusal]], null);
        if (phones !== null && !phones.has(d.customerId)) return gate('blocked', 'contact', ['MESSAGING.NO_PHONE'], null);
        return gate('queued', null, [], phones?.get(d.customerId) ?? null);
      });
      for (const r of gated) {
        messageIds.push(r.messageId);
        if (r.outcome === 'queued') {
          queued += 1;
          continue;
        }
        const key = `${r.step ?? ''}:${r.reasons[0] ?? 'unknown'}`;
        blocked[key] = (blocked[key] ?? 0) + 1;
        if (examples.length < 100) examples.push({ customerId: r.customerId, step: r.step ?? '', reasons: r.reasons });
      }
      if (parameters === null) continue;
      await this.log.enqueue({
        tenantId,
        campaignId,
        bindingId,
        templateId,
        templateName: template.name,
        language: template.language,
        category: template.category,
        purposeKey,
        parameters,
        at,
        recipients: gated,
      });
      // A refusal by the tenant's rules is messaging's own decision: recorded beside the consent context's.
      const ruleBlocks: ProcessingEntry[] = gated
        .filter((r) => r.outcome === 'blocked' && r.step !== 'decision')
        .map((r) => ({
          tenantId,
          kind: 'decision',
          actor: context.actor,
          subjectId: r.customerId,
          purpose: purposeKey,
          channel: 'whatsapp',
          dataCategories: ['contact'],
          outcome: 'deny',
          reasons: r.reasons,
          legalBasis: r.legalBasis,
          correlationId: r.decisionId ?? context.correlationId,
          commandId: context.commandId,
          at,
          consentIds: r.consentIds,
          method: 'whatsapp-gate',
        }));
      await this.journal.record(ruleBlocks);
    }
    return { recipients: customerIds.length, queued, blocked, examples };
  }
}

/** Who acts when Meta tells something by webhook. */
export function systemContext(tenantId: string): CommandContext {
  return { tenantId, actor: 'system:whatsapp-webhook', correlationId: uuidv7(), commandId: uuidv7() };
}
