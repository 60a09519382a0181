import { parseEntryIndex, parseSignInSearch, parseStepUpSearch } from './auth-search';

describe('sign-in and step-up search parameters', () => {
  it('keeps a safe returnTo and the known flags', () => {
    expect(parseSignInSearch({ returnTo: '/console/records?kind=use', error: 'link-invalid', signedOut: 'true' })).toEqual({
      returnTo: '/console/records?kind=use',
      error: 'link-invalid',
      signedOut: true,
    });
    expect(parseStepUpSearch({ returnTo: '/console/records/3' })).toEqual({ returnTo: '/console/records/3' });
  });

  it('knows the sign-in errors the server reports', () => {
    for (const error of ['link-invalid', 'oidc-failed', 'oidc-unavailable', 'oidc-not-configured']) expect(parseSignInSearch({ error })).toEqual({ error });
  });

  it('drops anything else', () => {
    expect(parseSignInSearch({ returnTo: 'https://evil.example/', error: '<b>', signedOut: '1' })).toEqual({});
    expect(parseStepUpSearch({ returnTo: '//evil.example/console/' })).toEqual({});
  });
});

describe('entry index', () => {
  it('is a whole number from 0', () => {
    expect(parseEntryIndex('0')).toBe(0);
    expect(parseEntryIndex('42')).toBe(42);
    expect(parseEntryIndex('-1')).toBeNull();
    expect(parseEntryIndex('1.5')).toBeNull();
    expect(parseEntryIndex('1e3')).toBeNull();
    expect(parseEntryIndex('')).toBeNull();
    expect(parseEntryIndex('99999999999999999')).toBeNull();
  });
});
