import { pick } from './pick';

describe('pick', () => {
  it("takes the asked keys' entries in the asked order, leaving out keys the map lacks", () => {
    const all = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const own = pick(all, ['c', 'x', 'a', 'c']);
    expect([...own]).toEqual([
      ['c', 3],
      ['a', 1],
    ]);
    expect(pick(all, []).size).toBe(0);
    expect(all.size).toBe(3);
  });
});
