/**
 * Byte helpers for the browser: strict base64, hex, comparison. No Buffer, no
 * Node built-ins. Byte arrays are `Uint8Array<ArrayBuffer>` so they can be
 * handed to WebCrypto as they are.
 */
export type Bytes = Uint8Array<ArrayBuffer>;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Map<string, number>(Array.from({ length: ALPHABET.length }, (_, i) => [ALPHABET.charAt(i), i]));

/** Standard base64 with padding (RFC 4648 §4), as Node's `toString('base64')` writes it. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63);
    out += i + 1 < bytes.length ? ALPHABET.charAt((n >> 6) & 63) : '=';
    out += i + 2 < bytes.length ? ALPHABET.charAt(n & 63) : '=';
  }
  return out;
}

/**
 * Decodes standard base64 with padding (RFC 4648 §4), as Go's
 * `base64.StdEncoding` reads it: a multiple of four characters, no
 * whitespace, no URL-safe letters; bits the padding leaves unused are
 * ignored. Null for anything else. Node's `Buffer.from(text, 'base64')`, which
 * the server uses, also takes missing padding, whitespace and URL-safe
 * letters; the server never writes those.
 */
export function fromBase64(text: string): Bytes | null {
  if (text.length % 4 !== 0) return null;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const length = (text.length / 4) * 3 - padding;
  const out = new Uint8Array(length);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const sextets: number[] = [];
    for (let j = 0; j < 4; j++) {
      const ch = text.charAt(i + j);
      if (ch === '=' && last && j >= 4 - padding) {
        sextets.push(0);
        continue;
      }
      const v = VALUES.get(ch);
      if (v === undefined) return null;
      sextets.push(v);
    }
    const [s0 = 0, s1 = 0, s2 = 0, s3 = 0] = sextets;
    const n = (s0 << 18) | (s1 << 12) | (s2 << 6) | s3;
    const bytes = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    const take = last ? 3 - padding : 3;
    for (let j = 0; j < take; j++) out[o++] = bytes[j] ?? 0;
  }
  return out;
}

/** Canonical base64 only: the one text `toBase64` writes for these bytes (as the server requires of a checkpoint's root). */
export function fromCanonicalBase64(text: string): Bytes | null {
  const bytes = fromBase64(text);
  return bytes !== null && toBase64(bytes) === text ? bytes : null;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function concatBytes(...parts: readonly Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const encoder = new TextEncoder();

/** UTF-8, as Node encodes a string (a lone surrogate becomes U+FFFD in both). */
export function utf8(text: string): Bytes {
  return encoder.encode(text);
}

/** A copy WebCrypto accepts whatever buffer the input views. */
export function copyBytes(bytes: Uint8Array): Bytes {
  return new Uint8Array(bytes);
}

/** The result of a check that reports instead of throwing. */
export type Check = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A value, or why there is none. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const passed: Check = { ok: true };

export function failed(reason: string): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
