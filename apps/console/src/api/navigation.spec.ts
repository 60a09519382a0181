import { authRedirect, consolePath, oidcSignInHref, safeReturnTo, signInHref, stepUpHref } from './navigation';

describe('returnTo', () => {
  it('accepts paths under /console only', () => {
    expect(safeReturnTo('/console/records?kind=use&from=2026-01-01T00:00:00.000Z')).toBe('/console/records?kind=use&from=2026-01-01T00:00:00.000Z');
    expect(safeReturnTo('/console')).toBe('/console/');
    for (const bad of [
      'https://evil.example/console/',
      '//evil.example/console/',
      '/v1/me',
      '/consolex/',
      '/console/../v1/me',
      'console/',
      '/console/\\evil',
      42,
      undefined,
    ]) {
      expect([bad, safeReturnTo(bad)]).toEqual([bad, undefined]);
    }
  });

  it('turns a router href into the browser path', () => {
    expect(consolePath('/records?kind=use')).toBe('/console/records?kind=use');
    expect(consolePath('/')).toBe('/console/');
    expect(consolePath('/console/records')).toBe('/console/records');
  });

  it('builds the sign-in, step-up and OIDC addresses', () => {
    expect(signInHref('/console/records?kind=use')).toBe('/console/sign-in?returnTo=%2Fconsole%2Frecords%3Fkind%3Duse');
    expect(stepUpHref('/console/records/3')).toBe('/console/step-up?returnTo=%2Fconsole%2Frecords%2F3');
    expect(oidcSignInHref(undefined)).toBe('/console/auth/oidc');
    // A step-up asks the provider for a fresh sign-in.
    expect(oidcSignInHref('/console/records', true)).toBe('/console/auth/oidc?returnTo=%2Fconsole%2Frecords&prompt=login');
    expect(oidcSignInHref(undefined, true)).toBe('/console/auth/oidc?prompt=login');
    expect(oidcSignInHref('https://evil.example/')).toBe('/console/auth/oidc');
  });
});

describe('authRedirect', () => {
  it('sends an ended session to sign-in, returning to where it was', () => {
    expect(authRedirect(401, 'AUTH.MISSING_CREDENTIALS', '/console/records?kind=use')).toBe('/console/sign-in?returnTo=%2Fconsole%2Frecords%3Fkind%3Duse');
  });

  it('sends a call that needs a recent sign-in to step-up', () => {
    expect(authRedirect(403, 'AUTH.STEP_UP_REQUIRED', '/console/records/3')).toBe('/console/step-up?returnTo=%2Fconsole%2Frecords%2F3');
  });

  it('leaves other answers, and the sign-in pages themselves, alone', () => {
    expect(authRedirect(403, 'AUTH.FORBIDDEN', '/console/records')).toBeNull();
    expect(authRedirect(404, undefined, '/console/records')).toBeNull();
    expect(authRedirect(200, undefined, '/console/records')).toBeNull();
    expect(authRedirect(401, undefined, '/console/sign-in?returnTo=x')).toBeNull();
    expect(authRedirect(403, 'AUTH.STEP_UP_REQUIRED', '/console/step-up')).toBeNull();
  });
});
