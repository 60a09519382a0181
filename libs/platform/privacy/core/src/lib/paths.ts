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

/**
 * `setPath` for several paths at once: one copy of `data` and of each object on the way to a
 * changed value, however many values change under it (`setPath` once per path copies the whole
 * event's data each time). Paths whose parents are missing are left alone, as there.
 */
export function withPaths(data: JsonObject, changes: readonly (readonly [path: string, value: JsonValue])[]): JsonObject {
  if (changes.length === 0) return data;
  const root: Record<string, JsonValue> = { ...data };
  const copies = new Set<Record<string, JsonValue>>([root]);
  for (const [path, value] of changes) {
    const parts = path.split('.');
    let current: Record<string, JsonValue> | null = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      const child: JsonValue | undefined = part in current ? current[part] : undefined;
      if (typeof child !== 'object' || child === null || Array.isArray(child)) {
        current = null;
        break;
      }
      let copy = child as Record<string, JsonValue>;
      if (!copies.has(copy)) {
        copy = { ...copy };
        copies.add(copy);
        current[part] = copy;
      }
      current = copy;
    }
    const last = parts[parts.length - 1] as string;
    if (current && last in current) current[last] = value;
  }
  return root;
}
