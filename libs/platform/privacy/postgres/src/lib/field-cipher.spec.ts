import { randomBytes } from 'node:crypto';
import { fieldCipher } from './field-cipher';

describe('fieldCipher (AES-256-GCM per field)', () => {
  const key = randomBytes(32);

  it('gives every field a fresh IV, across the refills of its random pool, and each ciphertext opens only in its place', () => {
    const sealed = Array.from({ length: 2000 }, (_, i) => fieldCipher.encrypt(key, 'kid-1', `event-${String(i)}`, 'name', `Person ${String(i)}`));
    const ivs = sealed.map((f) => f.iv);
    expect(new Set(ivs).size).toBe(ivs.length);
    expect(ivs.every((iv) => Buffer.from(iv, 'base64').length === 12)).toBe(true);
    sealed.forEach((field, i) => {
      expect(fieldCipher.decrypt(key, `event-${String(i)}`, 'name', field)).toBe(`Person ${String(i)}`);
    });
    const first = sealed[0];
    if (!first) throw new Error('nothing sealed');
    expect(() => fieldCipher.decrypt(key, 'event-1', 'name', first)).toThrow(/does not authenticate/);
    expect(() => fieldCipher.decrypt(key, 'event-0', 'email', first)).toThrow(/does not authenticate/);
  });

  it('encrypts the same value twice to different ciphertexts', () => {
    const a = fieldCipher.encrypt(key, 'kid-1', 'e', 'name', 'same');
    const b = fieldCipher.encrypt(key, 'kid-1', 'e', 'name', 'same');
    expect(a.ct === b.ct && a.iv === b.iv).toBe(false);
  });
});
