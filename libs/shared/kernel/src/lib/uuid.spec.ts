import { isUuidV7, uuidv7, uuidv7Timestamp } from './uuid';

describe('uuidv7', () => {
  it('has version 7 and the RFC 9562 variant', () => {
    const id = uuidv7();
    expect(isUuidV7(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('encodes the timestamp it was given', () => {
    // Ahead of every id made so far in this process: ids never go backwards, so a past instant would not show.
    const at = Date.now() + 3_600_000 + 123;
    expect(uuidv7Timestamp(uuidv7(at))).toBe(at);
  });

  it('sorts in creation order, also within one millisecond', () => {
    const at = Date.now() + 60_000;
    const ids = Array.from({ length: 5000 }, () => uuidv7(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws fresh random bits for every id across refills of its random pool', () => {
    // 1,000 ids span several 4 KiB pools; the 62 random bits of rand_b must never repeat.
    const ids = Array.from({ length: 1000 }, (_, i) => uuidv7(Date.now() + 180_000 + i));
    expect(ids.every(isUuidV7)).toBe(true);
    expect(new Set(ids.map((id) => id.slice(19))).size).toBe(ids.length);
  });

  it('never goes backwards when the clock does', () => {
    const first = uuidv7(Date.now() + 120_000);
    const second = uuidv7(Date.now());
    expect(second > first).toBe(true);
  });

  it('rejects non-v7 ids when reading a timestamp', () => {
    expect(() => uuidv7Timestamp('00000000-0000-4000-8000-000000000000')).toThrow(TypeError);
  });
});
