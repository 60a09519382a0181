import { groupBy } from './group-by';

describe('groupBy', () => {
  it('keeps groups in first-seen order and items in their order within a group', () => {
    const rows = [
      { tenant: 'b', id: 1 },
      { tenant: 'a', id: 2 },
      { tenant: 'b', id: 3 },
      { tenant: 'a', id: 4 },
      { tenant: 'c', id: 5 },
    ];
    const groups = groupBy(rows, (r) => r.tenant);
    expect([...groups.keys()]).toEqual(['b', 'a', 'c']);
    expect(groups.get('b')).toEqual([rows[0], rows[2]]);
    expect(groups.get('a')?.map((r) => r.id)).toEqual([2, 4]);
  });

  it('maps each item when asked and returns an empty map for no items', () => {
    const groups = groupBy(
      [1, 2, 3, 4, 5, 6],
      (n) => n % 3,
      (n) => `#${String(n)}`,
    );
    expect(Object.fromEntries(groups)).toEqual({ 1: ['#1', '#4'], 2: ['#2', '#5'], 0: ['#3', '#6'] });
    expect(groupBy([], () => 'x').size).toBe(0);
  });

  it('puts every item of one key in one group, each once', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => i);
    const [only] = groupBy(
      ids,
      () => 'bench',
      (i) => i * 2,
    ).values();
    expect(only).toHaveLength(10_000);
    expect(only?.[9_999]).toBe(19_998);
    expect(new Set(only).size).toBe(10_000);
  });
});
