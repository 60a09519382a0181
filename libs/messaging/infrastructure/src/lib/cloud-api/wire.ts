// The WhatsApp Business Cloud API's JSON as it travels (Graph API conventions): what a send
// carries and answers, and what a webhook delivers. Shared by the client and the local
// stand-in, so the two cannot drift apart. Field names are Meta's, hence snake_case.
// Checked against Meta's reference pages and its Node SDK in December 2026 (docs/adr/0015).
import { SEND_ERRORS } from '@attest/messaging-domain';

/** A parameter of a template component: positional text (named parameters carry `parameter_name`). */
export interface TextParameter {
  readonly type: 'text';
  readonly text: string;
  readonly parameter_name?: string;
}

export interface PayloadParameter {
  readonly type: 'payload';
  readonly payload: string;
}

export type TemplateComponentParameters =
  | { readonly type: 'header' | 'body'; readonly parameters: readonly TextParameter[] }
  | {
      readonly type: 'button';
      readonly sub_type: 'quick_reply' | 'url';
      readonly index: string;
      readonly parameters: readonly (TextParameter | PayloadParameter)[];
    };

/** `POST /{version}/{phone-number-id}/messages`: a template message. */
export interface TemplateMessageRequest {
  readonly messaging_product: 'whatsapp';
  readonly recipient_type: 'individual';
  readonly to: string;
  readonly type: 'template';
  readonly template: { readonly name: string; readonly language: { readonly code: string }; readonly components?: readonly TemplateComponentParameters[] };
  /** Echoed on every status webhook of the message (Attest puts its own message id here). */
  readonly biz_opaque_callback_data?: string;
}

/** The same route: free-form text, allowed only inside the 24-hour window after the person wrote. */
export interface TextMessageRequest {
  readonly messaging_product: 'whatsapp';
  readonly recipient_type: 'individual';
  readonly to: string;
  readonly type: 'text';
  readonly text: { readonly body: string; readonly preview_url?: boolean };
  readonly biz_opaque_callback_data?: string;
}

export type MessageRequest = TemplateMessageRequest | TextMessageRequest;

/** 200: accepted (never "delivered"; the outcome comes by webhook). */
export interface MessageAccepted {
  readonly messaging_product: 'whatsapp';
  readonly contacts: readonly { readonly input: string; readonly wa_id: string }[];
  readonly messages: readonly { readonly id: string; readonly message_status?: 'accepted' | 'held_for_quality_assessment' | 'paused' }[];
}

/** Any Graph error. Branch on `code` (Meta: titles and HTTP statuses are not a contract). */
export interface GraphError {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly code: number;
    readonly error_subcode?: number;
    readonly error_data?: { readonly messaging_product?: 'whatsapp'; readonly details: string };
    readonly fbtrace_id?: string;
  };
}

export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

/** A template as `GET /{version}/{waba-id}/message_templates` lists it (`id` is a numeric string here). */
export interface TemplateListItem {
  readonly id: string;
  readonly name: string;
  readonly language: string;
  readonly status: string;
  readonly category: string;
  readonly components: readonly { readonly type: string; readonly text?: string; readonly format?: string }[];
}

export interface TemplateListPage {
  readonly data: readonly TemplateListItem[];
  readonly paging?: { readonly cursors?: { readonly before?: string; readonly after?: string }; readonly next?: string };
}

// --- Webhooks --------------------------------------------------------------------------------

export interface WebhookError {
  readonly code: number;
  readonly title?: string;
  readonly message?: string;
  readonly error_data?: { readonly details?: string };
  readonly href?: string;
}

/** A status of a message the business sent. `timestamp` is a string of unix seconds. */
export interface WireStatus {
  readonly id: string;
  readonly status: string;
  readonly timestamp: string;
  readonly recipient_id: string;
  readonly biz_opaque_callback_data?: string;
  readonly pricing?: { readonly billable?: boolean; readonly pricing_model?: string; readonly type?: string; readonly category?: string };
  readonly errors?: readonly WebhookError[];
}

/** A message a person sent to the business. */
export interface WireInboundMessage {
  readonly from: string;
  readonly id: string;
  readonly timestamp: string;
  readonly type: string;
  readonly text?: { readonly body: string };
  /** A template's quick-reply button. */
  readonly button?: { readonly payload: string; readonly text: string };
  /** An interactive message's reply button. */
  readonly interactive?: { readonly type: string; readonly button_reply?: { readonly id: string; readonly title: string } };
  readonly context?: { readonly from?: string; readonly id?: string };
  readonly errors?: readonly WebhookError[];
}

export interface WireUserPreference {
  readonly wa_id: string;
  readonly detail?: string;
  readonly category: string;
  readonly value: string;
  /** An integer here (unlike message timestamps). */
  readonly timestamp: number;
}

export interface MessagesChangeValue {
  readonly messaging_product: 'whatsapp';
  readonly metadata: { readonly display_phone_number: string; readonly phone_number_id: string };
  readonly contacts?: readonly { readonly wa_id: string; readonly profile?: { readonly name?: string } }[];
  readonly messages?: readonly WireInboundMessage[];
  readonly statuses?: readonly WireStatus[];
  readonly errors?: readonly WebhookError[];
}

export interface TemplateStatusChangeValue {
  readonly event: string;
  /** An integer in webhooks (15–16 digits: read as a string to keep every digit). */
  readonly message_template_id: number | string;
  readonly message_template_name: string;
  readonly message_template_language: string;
  readonly reason?: string | null;
  readonly message_template_category?: string;
}

export interface UserPreferencesChangeValue {
  readonly messaging_product: 'whatsapp';
  readonly metadata: { readonly display_phone_number: string; readonly phone_number_id: string };
  readonly contacts?: readonly { readonly wa_id: string }[];
  readonly user_preferences: readonly WireUserPreference[];
}

export type WebhookChange =
  | { readonly field: 'messages'; readonly value: MessagesChangeValue }
  | { readonly field: 'message_template_status_update'; readonly value: TemplateStatusChangeValue }
  | { readonly field: 'user_preferences'; readonly value: UserPreferencesChangeValue };

export interface WebhookEnvelope {
  readonly object: 'whatsapp_business_account';
  readonly entry: readonly { readonly id: string; readonly time?: number; readonly changes: readonly WebhookChange[] }[];
}

/** The error codes the send policy knows by name: the domain's list, one place for both. */
export const CLOUD_API_ERRORS = SEND_ERRORS;
