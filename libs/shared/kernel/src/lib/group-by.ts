/**
 * The items grouped by key, groups in the order their first item came, items
 * in their own order within a group: `Map.groupBy` (not in Node 20) with an
 * optional mapping of each item. Linear; a group is never copied as it grows
 * (a bulk decision puts 10,000 items in one group).
 */
export function groupBy<T, K, V = T>(items: Iterable<T>, keyOf: (item: T) => K, valueOf?: (item: T) => V): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const item of items) {
    const k = keyOf(item);
    const value = valueOf ? valueOf(item) : (item as unknown as V);
    const group = groups.get(k);
    if (group) group.push(value);
    else groups.set(k, [value]);
  }
  return groups;
}
