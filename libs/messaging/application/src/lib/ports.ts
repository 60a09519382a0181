import type { ListedTemplate, PurposeFacts, TemplateCategory, TenantMessagingRules } from '@attest/messaging-domain';
import type { CommandContext } from '@attest/security';

// The messaging context's ports (STYLE 14). Its own tables sit behind the first group
// (implemented in messaging's infrastructure); the other contexts behind the second (composed
// by the API from their commands and queries); the Cloud API behind the third.

// ---- messaging's own storage -------------------------------------------------------------

/** A bound number's Cloud API settings, as administrators see them (never a secret). */
export interface NumberView {
  readonly bindingId: string;
  readonly tenantId: string;
  readonly baseUrl: string;
  readonly version: string;
  readonly phoneNumberId: string;
  readonly businessAccountId: string;
  /** Messages per second the dispatcher keeps to (Meta's default is 80). */
  readonly ratePerSecond: number;
  readonly configuredAt: Date;
  readonly configuredBy: string;
}

export interface NumberSettings {
  readonly baseUrl: string;
  readonly version: string;
  readonly phoneNumberId: string;
  readonly businessAccountId: string;
  readonly ratePerSecond: number;
}

/** The secrets of a bound number; sealed at rest, opened in memory for a send or a webhook check only. */
export interface NumberSecrets {
  readonly accessToken: string;
  readonly appSecret: string;
  readonly verifyToken: string;
}

export type NumberConnection = NumberView & NumberSecrets;

export interface MessagingNumbers {
  /** Sets the number's settings; secrets not given keep their sealed value (a new number needs all three). */
  configure(tenantId: string, bindingId: string, settings: NumberSettings, secrets: Partial<NumberSecrets>, actor: string, at: Date): Promise<NumberView>;
  view(tenantId: string, bindingId: string): Promise<NumberView | null>;
  list(tenantId: string): Promise<NumberView[]>;
  /** The settings with the secrets opened (in memory only), or null when the number is not configured. */
  connection(bindingId: string): Promise<NumberConnection | null>;
  /** Forgets the settings and destroys the secrets' key. */
  remove(tenantId: string, bindingId: string): Promise<boolean>;
}

export interface TemplateView {
  readonly bindingId: string;
  readonly templateId: string;
  readonly name: string;
  readonly language: string;
  readonly category: TemplateCategory;
  readonly status: string;
  readonly parameters: number;
  readonly purposeKey: string | null;
  readonly legalBasis: string | null;
  /** Null when the template can be sent; else why not (`not-approved`, `not-mapped`, `mapping-outdated`). */
  readonly blocked: string | null;
  readonly updatedAt: Date;
}

export type CampaignStatusView = 'draft' | 'running' | 'paused' | 'cancelled';

export interface CampaignView {
  readonly campaignId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly bindingId: string;
  readonly templateId: string;
  readonly status: CampaignStatusView;
  readonly recipients: number;
  readonly selection: 'list' | 'filter';
  readonly queued: number | null;
  readonly blocked: Readonly<Record<string, number>> | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly startedAt: Date | null;
}

export interface MessagingReadModel {
  template(tenantId: string, bindingId: string, templateId: string): Promise<TemplateView | null>;
  templates(tenantId: string, bindingId: string | null): Promise<TemplateView[]>;
  /** The templates of a number known by Meta's name and language (a status webhook names them so). */
  templateByName(bindingId: string, name: string, language: string): Promise<{ readonly tenantId: string; readonly templateId: string } | null>;
  campaign(tenantId: string, campaignId: string): Promise<CampaignView | null>;
  campaigns(tenantId: string, filter: { readonly status?: CampaignStatusView; readonly after?: string; readonly limit: number }): Promise<CampaignView[]>;
}

/** Applies the context's events to its read models right after a command (read-your-writes). */
export interface MessagingProjector {
  projectStream(streamId: string): Promise<unknown>;
}

/** How one recipient came out of the gate. */
export interface GatedRecipient {
  readonly messageId: string;
  readonly customerId: string;
  readonly outcome: 'queued' | 'blocked';
  /** `decision` (the consent decision denied), `rule` (the tenant's own rules), `contact` (no WhatsApp number); null when queued. */
  readonly step: 'decision' | 'rule' | 'contact' | null;
  readonly reasons: readonly string[];
  readonly decisionId: string | null;
  readonly consentIds: readonly string[];
  readonly legalBasis: string | null;
  /** In memory only: sealed under the subject's key when written. */
  readonly phone: string | null;
  /** Quiet hours: not sent before. */
  readonly notBefore: Date | null;
}

export interface GatedBatch {
  readonly tenantId: string;
  readonly campaignId: string | null;
  readonly bindingId: string;
  readonly templateId: string;
  readonly templateName: string;
  readonly language: string;
  readonly category: TemplateCategory;
  readonly purposeKey: string;
  /** The template's body parameters, sealed with the phone under each recipient's key. */
  readonly parameters: readonly string[];
  readonly at: Date;
  readonly recipients: readonly GatedRecipient[];
}

export type MessageState = 'blocked' | 'queued' | 'held' | 'sending' | 'accepted' | 'in-doubt' | 'sent' | 'delivered' | 'read' | 'failed' | 'cancelled';

/** One message of the log, as a back-office app sees it: states and times, never the content or the number. */
export interface MessageView {
  readonly messageId: string;
  readonly campaignId: string | null;
  readonly bindingId: string;
  readonly templateId: string;
  readonly customerId: string;
  readonly purposeKey: string;
  readonly state: MessageState;
  readonly step: string | null;
  readonly reasons: readonly string[];
  readonly decisionId: string | null;
  readonly errorCode: number | null;
  readonly attempts: number;
  readonly wamid: string | null;
  readonly queuedAt: Date | null;
  readonly sentAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly readAt: Date | null;
  readonly failedAt: Date | null;
  readonly updatedAt: Date;
}

export interface MessageFilter {
  readonly campaignId?: string;
  readonly customerId?: string;
  readonly state?: MessageState;
  /** A phone number: found through its blind index, never stored in plaintext. */
  readonly phone?: string;
  readonly after?: string;
  readonly limit: number;
}

export interface StatsRow {
  readonly day: string;
  readonly campaignId: string | null;
  readonly templateId: string;
  readonly measure: 'requested' | 'blocked' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
  /** The reason of a block, the error code of a failure; empty otherwise. */
  readonly detail: string;
  readonly count: number;
}

export interface MessageLog {
  /** Keeps a draft campaign's recipients (ids only) until it starts. */
  saveRecipients(tenantId: string, campaignId: string, customerIds: readonly string[]): Promise<void>;
  recipients(tenantId: string, campaignId: string): Promise<string[]>;
  /** The campaign's template body parameters (the same for every recipient; sealed per recipient once queued). */
  saveParameters(tenantId: string, campaignId: string, parameters: readonly string[]): Promise<void>;
  parameters(tenantId: string, campaignId: string): Promise<string[]>;
  /** Marketing messages queued or sent to each subject since `since` (the frequency cap). */
  marketingCounts(tenantId: string, customerIds: readonly string[], since: Date): Promise<Map<string, number>>;
  suppressed(tenantId: string, customerIds: readonly string[]): Promise<Set<string>>;
  suppress(tenantId: string, customerId: string, source: string, at: Date): Promise<boolean>;
  /** Writes a gated batch (one transaction): queued rows with the phone and parameters sealed, blocked rows with their reasons, the statistics. */
  enqueue(batch: GatedBatch): Promise<void>;
  /** Cancels the queued messages of a template Meta paused or disabled. */
  stopTemplate(bindingId: string, templateId: string, at: Date): Promise<number>;
  messages(tenantId: string, filter: MessageFilter): Promise<MessageView[]>;
  message(tenantId: string, messageId: string): Promise<MessageView | null>;
  stats(
    tenantId: string,
    filter: { readonly campaignId?: string; readonly templateId?: string; readonly from?: string; readonly to?: string },
  ): Promise<StatsRow[]>;
}

export interface MessagingSettingsView extends TenantMessagingRules {
  /** Stop words per language, on top of the defaults. */
  readonly stopKeywords: Readonly<Record<string, readonly string[]>>;
  /** The third party named in each decision (K3): the provider that delivers the messages. */
  readonly thirdParty: string;
  /** The country data goes to, as the tenant's contract with Meta says (null: no cross-border transfer asked). */
  readonly transferCountry: string | null;
  /** Message log rows older than this are deleted by the retention job (statistics stay). */
  readonly logRetentionDays: number;
}

export interface MessagingSettings {
  get(tenantId: string): Promise<MessagingSettingsView>;
  set(tenantId: string, settings: MessagingSettingsView, actor: string, at: Date): Promise<MessagingSettingsView>;
}

// ---- the other contexts, composed by the API -------------------------------------------

export interface DecisionOutcome {
  readonly decisionId: string;
  readonly customerId: string;
  readonly allow: boolean;
  readonly reasons: readonly string[];
  readonly legalBasis: string | null;
  readonly consentIds: readonly string[];
}

/** The consent context's decision service (P3, K3, K8), recorded by it. */
export interface MessagingDecisions {
  /** Up to `limit` subjects per call; the answers in the order asked. */
  readonly limit: number;
  decide(
    context: CommandContext,
    customerIds: readonly string[],
    question: { readonly purposeKey: string; readonly thirdParty: string; readonly transferCountry: string | null },
  ): Promise<DecisionOutcome[]>;
}

/** The consent context's register and withdrawals. */
export interface MessagingConsent {
  purpose(tenantId: string, purposeKey: string): Promise<PurposeFacts | null>;
  /** Withdraws the subject's consents on `whatsapp` for these purposes (K2), with the source; answers the purposes withdrawn. */
  withdrawOnWhatsApp(context: CommandContext, customerId: string, purposeKeys: readonly string[], source: string): Promise<string[]>;
}

/** The customers context: who the recipients are and their WhatsApp numbers. */
export interface MessagingRecipients {
  /** Which of these ids are customers of the tenant. */
  existing(tenantId: string, customerIds: readonly string[]): Promise<Set<string>>;
  /** A saved filter of the customer list, resolved to ids (at most `limit`). */
  select(
    tenantId: string,
    filter: { readonly tag?: string; readonly purpose?: string; readonly consentStatus?: 'granted' | 'withdrawn' | 'none' },
    limit: number,
  ): Promise<string[]>;
  /** Phone numbers, opened in memory for the send only; erased subjects and those without a number are absent. */
  phones(tenantId: string, customerIds: readonly string[]): Promise<Map<string, string>>;
  /** The subject a WhatsApp number belongs to (through the customers' blind index), or null. */
  byPhone(tenantId: string, phone: string): Promise<string | null>;
}

/** The accounts context's bindings of external channel accounts (A5). */
export interface MessagingBindings {
  /** The binding when it is a WhatsApp Business number of this tenant, else null. */
  whatsAppBinding(tenantId: string, bindingId: string): Promise<{ readonly bindingId: string } | null>;
}

// ---- the Cloud API --------------------------------------------------------------------------

export interface TemplateCatalog {
  list(connection: NumberConnection): Promise<ListedTemplate[]>;
}

/** The webhook intake of a bound number (implemented over the Cloud API's webhook format). */
export interface WhatsAppIntake {
  handshake(bindingId: string, query: Readonly<Record<string, unknown>>): Promise<{ readonly status: 200 | 403 | 404; readonly body: string }>;
  /**
   * Verifies the signature over the raw body before anything else; `refused` changes nothing.
   * `retry-later`: the rest was applied, but a status arrived for a message whose send this side is
   * still recording; the webhook must be delivered again (Meta retries what is not answered 200).
   */
  receive(
    bindingId: string,
    rawBody: Buffer,
    signature: string | undefined,
  ): Promise<{ readonly outcome: 'applied' | 'refused' | 'unknown-number' | 'retry-later'; readonly applied: number; readonly skipped: number }>;
}

export const MESSAGING_NUMBERS = Symbol.for('attest.messaging.Numbers');
export const MESSAGING_READ_MODEL = Symbol.for('attest.messaging.ReadModel');
export const MESSAGING_PROJECTOR = Symbol.for('attest.messaging.Projector');
export const MESSAGE_LOG = Symbol.for('attest.messaging.MessageLog');
export const MESSAGING_SETTINGS = Symbol.for('attest.messaging.Settings');
export const MESSAGING_DECISIONS = Symbol.for('attest.messaging.Decisions');
export const MESSAGING_CONSENT = Symbol.for('attest.messaging.Consent');
export const MESSAGING_RECIPIENTS = Symbol.for('attest.messaging.Recipients');
export const MESSAGING_BINDINGS = Symbol.for('attest.messaging.Bindings');
export const TEMPLATE_CATALOG = Symbol.for('attest.messaging.TemplateCatalog');
export const WHATSAPP_INTAKE = Symbol.for('attest.messaging.Intake');
