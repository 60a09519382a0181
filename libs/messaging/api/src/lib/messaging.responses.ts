import type { CampaignView, GateSummary, MessageView, MessagingSettingsView, NumberView, StatsRow, TemplateView } from '@attest/messaging-application';

// What the WhatsApp routes answer, by name: docs/openapi.json's response schemas are
// generated from these types (`npm run openapi`).

/** As JSON carries it: instants are ISO-8601 strings. */
type Wire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

export type WhatsAppNumber = Wire<NumberView> & {
  /** Where Meta's webhooks for this number go (configure it in the Meta app with the verify token). */
  readonly webhookPath: string;
};
export type WhatsAppTemplate = Wire<TemplateView>;
export type WhatsAppCampaign = Wire<CampaignView>;
export type WhatsAppGateSummary = GateSummary;
export type WhatsAppMessage = Wire<MessageView>;
export type WhatsAppStatistic = StatsRow;
export type WhatsAppSettings = MessagingSettingsView;
export interface WhatsAppWebhookReceipt {
  /** Notifications applied (a repeat or an older status is not). */
  readonly applied: number;
  /** Items not understood or not for this number. */
  readonly skipped: number;
}
