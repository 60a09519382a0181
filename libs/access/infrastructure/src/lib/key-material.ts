import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyMaterial } from '@attest/access-application';

const KEY = /^atk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** SHA-256 of a whole key: the secret is 256 random bits, so no slow hash is needed. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The public prefix of a well-formed key, or null. */
export function apiKeyPrefix(key: string): string | null {
  return KEY.exec(key)?.[1] ?? null;
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `atk_<12-char prefix>_<256-bit secret>`; the prefix identifies the key in listings and logs. */
export class RandomKeyMaterial implements KeyMaterial {
  generate(): { key: string; prefix: string; secretHash: string } {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const prefix = Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join('');
    const key = `atk_${prefix}_${randomBytes(32).toString('base64url')}`;
    return { key, prefix, secretHash: hashApiKey(key) };
  }
}
