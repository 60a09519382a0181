// The Cloud API's webhooks as Attest reads them: the GET handshake, the signature over the raw
// body, and the envelope flattened into typed notifications. Nothing here keeps or logs them.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** `sha256=<hex HMAC-SHA256 of the raw body under the app secret>`, as Meta signs. */
export function signatureOf(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** True when the header is the raw body's signature under the app secret (constant time). */
export function signatureMatches(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(signatureOf(rawBody, appSecret), 'latin1');
  const given = Buffer.from(header.trim().toLowerCase(), 'latin1');
  // Same length before timingSafeEqual (which throws otherwise); the length is not a secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The subscription handshake: `hub.mode=subscribe` with the verify token configured for the
 * number answers the challenge as plain text; anything else is refused (403).
 */
export function answerHandshake(query: Readonly<Record<string, unknown>>, verifyToken: string): { readonly status: 200 | 403; readonly body: string } {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string' || challenge === '' || challenge.length > 512) {
    return { status: 403, body: '' };
  }
  const a = Buffer.from(token);
  const b = Buffer.from(verifyToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { status: 403, body: '' };
  return { status: 200, body: challenge };
}

export interface NotificationError {
  readonly code: number;
  readonly details: string | null;
}

/** One thing a webhook told, flattened out of its envelope. */
export type WebhookNotification =
  | {
      readonly kind: 'status';
      readonly phoneNumberId: string;
      readonly wamid: string;
      /** sent, delivered, read or failed (an unknown value is passed on as it is). */
      readonly status: string;
      readonly at: Date;
      readonly recipient: string;
      /** `biz_opaque_callback_data`: Attest's message id, echoed. */
      readonly reference: string | null;
      readonly errors: readonly NotificationError[];
    }
  | {
      readonly kind: 'inbound';
      readonly phoneNumberId: string;
      readonly messageId: string;
      readonly from: string;
      readonly at: Date;
      readonly text: string | null;
      /** A quick-reply (template) or reply button (interactive): its payload or id. */
      readonly button: string | null;
      readonly errors: readonly NotificationError[];
    }
  | {
      readonly kind: 'template-status';
      readonly businessAccountId: string;
      readonly templateId: string;
      readonly name: string;
      readonly language: string;
      readonly event: string;
      readonly reason: string | null;
    }
  | {
      readonly kind: 'user-preference';
      readonly phoneNumberId: string;
      readonly waId: string;
      readonly category: string;
      readonly value: string;
      readonly at: Date;
    };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Unix seconds as a string (messages, statuses) or a number (user preferences); null when neither. */
function instant(value: unknown): Date | null {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(seconds) ? new Date(seconds * 1000) : null;
}

function errorsOf(value: unknown): NotificationError[] {
  return list(value).flatMap((e) =>
    isRecord(e) && typeof e['code'] === 'number'
      ? [{ code: e['code'], details: isRecord(e['error_data']) ? str(e['error_data']['details']) : (str(e['message']) ?? str(e['title'])) }]
      : [],
  );
}

export interface ParsedWebhook {
  readonly notifications: readonly WebhookNotification[];
  /** Items that were not understood (missing fields, unknown change): counted, not kept. */
  readonly skipped: number;
}

/** The envelope flattened; null when the body is not a WhatsApp Business Account webhook at all. */
export function parseWebhook(body: unknown): ParsedWebhook | null {
  if (!isRecord(body) || body['object'] !== 'whatsapp_business_account' || !Array.isArray(body['entry'])) return null;
  const notifications: WebhookNotification[] = [];
  let skipped = 0;
  for (const entry of body['entry']) {
    if (!isRecord(entry)) {
      skipped++;
      continue;
    }
    const accountId = typeof entry['id'] === 'number' ? String(entry['id']) : str(entry['id']);
    for (const change of list(entry['changes'])) {
      if (!isRecord(change) || !isRecord(change['value'])) {
        skipped++;
        continue;
      }
      const value = change['value'];
      const phoneNumberId = isRecord(value['metadata']) ? str(value['metadata']['phone_number_id']) : null;
      switch (change['field']) {
        case 'messages':
          for (const s of list(value['statuses'])) {
            const at = isRecord(s) ? instant(s['timestamp']) : null;
            if (!isRecord(s) || phoneNumberId === null || at === null || str(s['id']) === null || str(s['status']) === null) {
              skipped++;
              continue;
            }
            notifications.push({
              kind: 'status',
              phoneNumberId,
              wamid: str(s['id']) ?? '',
              status: str(s['status']) ?? '',
              at,
              recipient: str(s['recipient_id']) ?? '',
              reference: str(s['biz_opaque_callback_data']),
              errors: errorsOf(s['errors']),
            });
          }
          for (const m of list(value['messages'])) {
            const at = isRecord(m) ? instant(m['timestamp']) : null;
            if (!isRecord(m) || phoneNumberId === null || at === null || str(m['id']) === null || str(m['from']) === null) {
              skipped++;
              continue;
            }
            const text = isRecord(m['text']) ? str(m['text']['body']) : null;
            const button = isRecord(m['button'])
              ? (str(m['button']['payload']) ?? str(m['button']['text']))
              : isRecord(m['interactive']) && isRecord(m['interactive']['button_reply'])
                ? str(m['interactive']['button_reply']['id'])
                : null;
            notifications.push({
              kind: 'inbound',
              phoneNumberId,
              messageId: str(m['id']) ?? '',
              from: str(m['from']) ?? '',
              at,
              text,
              button,
              errors: errorsOf(m['errors']),
            });
          }
          break;
        case 'message_template_status_update': {
          const templateId = typeof value['message_template_id'] === 'number' ? String(value['message_template_id']) : str(value['message_template_id']);
          const name = str(value['message_template_name']);
          const language = str(value['message_template_language']);
          const event = str(value['event']);
          if (accountId === null || templateId === null || name === null || language === null || event === null) {
            skipped++;
            break;
          }
          notifications.push({ kind: 'template-status', businessAccountId: accountId, templateId, name, language, event, reason: str(value['reason']) });
          break;
        }
        case 'user_preferences':
          for (const p of list(value['user_preferences'])) {
            const at = isRecord(p) ? instant(p['timestamp']) : null;
            if (!isRecord(p) || phoneNumberId === null || at === null || str(p['wa_id']) === null || str(p['value']) === null) {
              skipped++;
              continue;
            }
            notifications.push({
              kind: 'user-preference',
              phoneNumberId,
              waId: str(p['wa_id']) ?? '',
              category: str(p['category']) ?? '',
              value: str(p['value']) ?? '',
              at,
            });
          }
          break;
        default:
          skipped++;
      }
    }
  }
  return { notifications, skipped };
}
