/**
 * The entries of `map` whose keys are in `keys`, in the order of `keys`
 * (each once; keys the map lacks are left out): one caller's share of a
 * result read for a whole group (see `Coalescer`).
 */
export function pick<K, V>(map: ReadonlyMap<K, V>, keys: Iterable<K>): Map<K, V> {
  const own = new Map<K, V>();
  for (const k of keys) {
    const value = map.get(k);
    if (value !== undefined) own.set(k, value);
  }
  return own;
}
