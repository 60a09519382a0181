import { keyState } from './queries';

describe('an API key’s state', () => {
  const now = Date.parse('2026-12-05T00:00:00Z');
  it('is revoked, expired or active', () => {
    expect(keyState({ revokedAt: '2026-12-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' }, now)).toBe('revoked');
    expect(keyState({ revokedAt: null, expiresAt: '2026-12-04T23:59:59Z' }, now)).toBe('expired');
    expect(keyState({ revokedAt: null, expiresAt: '2027-01-01T00:00:00Z' }, now)).toBe('active');
  });
});
