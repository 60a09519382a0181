import type { JsonObject, JsonValue } from '@attest/kernel';

/** The value at a dotted path (`contact.email`), or undefined. */
export function getPath(data: JsonObject, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = data;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as JsonObject)[part];
  }
  return current;
}

/** A copy of `data` with the value at `path` replaced; missing parents are left alone. */
export function setPath(data: JsonObject, path: string, value: JsonValue): JsonObject {
  const [head, ...rest] = path.split('.');
  if (head === undefined || !(head in data)) return data;
  if (rest.length === 0) return { ...data, [head]: value };
  const child = data[head];
  if (typeof child !== 'object' || child === null || Array.isArray(child)) return data;
  return { ...data, [head]: setPath(child as JsonObject, rest.join('.'), value) };
}
