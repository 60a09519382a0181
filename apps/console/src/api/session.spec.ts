import { parseSession, parseSignInOptions } from './session';

const SESSION = {
  actor: 'link:01a24',
  tenantId: 'demo',
  roles: ['compliance-officer'],
  permissions: ['processing-record:read'],
  signedInAt: '2026-12-04T09:00:00.000Z',
  expiresAt: '2026-12-04T17:00:00.000Z',
  idleExpiresAt: '2026-12-04T09:30:00.000Z',
  recentSignInUntil: '2026-12-04T09:05:00.000Z',
  method: 'link',
};

describe('console session', () => {
  it('reads the session document', () => {
    expect(parseSession(SESSION)).toEqual(SESSION);
  });

  it('refuses what is not a session', () => {
    expect(parseSession(null)).toBeNull();
    expect(parseSession({ ...SESSION, actor: 7 })).toBeNull();
    expect(parseSession({ ...SESSION, roles: ['a', 1] })).toBeNull();
    expect(parseSession({ ...SESSION, method: 'password' })).toBeNull();
    const { recentSignInUntil: _, ...withoutStepUp } = SESSION;
    expect(parseSession(withoutStepUp)).toBeNull();
  });

  it('reads the sign-in options; anything else means links only', () => {
    expect(parseSignInOptions({ oidc: true, linkMinutes: 15 })).toEqual({ oidc: true, linkMinutes: 15 });
    expect(parseSignInOptions({ oidc: 'yes' })).toEqual({ oidc: false });
    expect(parseSignInOptions('nope')).toEqual({ oidc: false });
  });
});
