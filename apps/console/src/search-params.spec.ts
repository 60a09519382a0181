import { parseSearchString, stringifySearchObject } from './search-params';

describe('search parameters in the address', () => {
  it('writes plain key=value pairs, lists comma-separated, and leaves empty values out', () => {
    expect(stringifySearchObject({ kind: 'use', limit: 100, columns: ['at', 'kind'], cursor: undefined, actor: '', trail: [] })).toBe(
      '?kind=use&limit=100&columns=at,kind',
    );
    expect(stringifySearchObject({})).toBe('');
  });

  it('keeps ISO instants and actors readable, and encodes what must be encoded', () => {
    expect(stringifySearchObject({ from: '2026-01-01T00:00:00.000Z', actor: 'user:4f1c', q: 'a b&c=d/é' })).toBe(
      '?from=2026-01-01T00:00:00.000Z&actor=user:4f1c&q=a%20b%26c%3Dd%2F%C3%A9',
    );
  });

  it('reads what it wrote back as strings (each route types them)', () => {
    const search = { kind: 'use', limit: 100, columns: ['at', 'kind'], actor: 'user:4f1c', q: 'a b&c=d/é+' };
    expect(parseSearchString(stringifySearchObject(search))).toEqual({ kind: 'use', limit: '100', columns: 'at,kind', actor: 'user:4f1c', q: 'a b&c=d/é+' });
  });

  it('keeps the first of repeated keys and accepts a string without "?"', () => {
    expect(parseSearchString('?a=1&a=2&b=x')).toEqual({ a: '1', b: 'x' });
    expect(parseSearchString('a=1')).toEqual({ a: '1' });
    expect(parseSearchString('')).toEqual({});
  });
});
