import { isUuidV7, uuidv7, uuidv7Timestamp } from './uuid';

describe('uuidv7', () => {
  it('has version 7 and the RFC 9562 variant', () => {
    const id = uuidv7();
    expect(isUuidV7(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('encodes the timestamp it was given', () => {
    const at = Date.UTC(2026, 10, 22, 12, 0, 0, 123);
    expect(uuidv7Timestamp(uuidv7(at + 10_000))).toBe(at + 10_000);
  });

  it('sorts in creation order, also within one millisecond', () => {
    const at = Date.now() + 60_000;
    const ids = Array.from({ length: 5000 }, () => uuidv7(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
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
