import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'attest-signature';
export const DELIVERY_HEADER = 'attest-delivery';
/** Receivers refuse a signature older (or newer) than this: a replayed request fails. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret)
    .update(`${String(unixSeconds)}.${body}`)
    .digest('hex');
  return `t=${String(unixSeconds)},v1=${mac}`;
}

export type SignatureCheck = { readonly valid: true } | { readonly valid: false; readonly reason: 'malformed' | 'stale' | 'mismatch' };

/** For receivers: is this body signed with the shared secret, recently? */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowUnixSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): SignatureCheck {
  const m = header ? /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header) : null;
  if (!m?.[1] || !m[2]) return { valid: false, reason: 'malformed' };
  const t = Number(m[1]);
  if (Math.abs(nowUnixSeconds - t) > toleranceSeconds) return { valid: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(secret, body, t).slice(-64), 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2], 'hex')) ? { valid: true } : { valid: false, reason: 'mismatch' };
}
