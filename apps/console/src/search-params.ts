// How search parameters are written into the console's addresses: plain `key=value` pairs
// (lists comma-separated), not the router's default JSON, so that a shared link stays readable:
// /console/records?kind=use&from=2026-01-01T00:00:00.000Z&columns=at,kind,actor

/** "?a=1&b=x,y" → { a: "1", b: "x,y" }; a repeated key keeps its first value. Each route's validateSearch types the values. */
export function parseSearchString(search: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search.startsWith('?') ? search.slice(1) : search)) {
    if (!(key in result)) result[key] = value;
  }
  return result;
}

// Characters a query value may hold as they are (RFC 3986 pchar); everything else is percent-encoded.
const encode = (value: string): string => encodeURIComponent(value).replace(/%(2C|3A|40)/gi, (escape) => decodeURIComponent(escape));

function valueOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.filter((v: unknown) => v !== undefined && v !== null && v !== '').map((v: unknown) => valueOf(v) ?? '');
    return items.length > 0 ? items.join(',') : undefined;
  }
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** { a: 1, b: ["x", "y"], c: undefined } → "?a=1&b=x,y"; empty values are left out; "" when nothing is left. */
export function stringifySearchObject(search: Record<string, unknown>): string {
  const pairs = Object.entries(search).flatMap(([key, raw]) => {
    const value = valueOf(raw);
    return value === undefined ? [] : [`${encode(key)}=${encode(value)}`];
  });
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}
