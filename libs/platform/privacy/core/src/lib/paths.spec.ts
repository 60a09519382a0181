import fc from 'fast-check';
import type { JsonObject, JsonValue } from '@attest/kernel';
import { getPath, setPath, withPaths } from './paths';

describe('paths', () => {
  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const leaf: fc.Arbitrary<JsonValue> = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));
  const { tree } = fc.letrec<{ tree: JsonObject; value: JsonValue }>((tie) => ({
    tree: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('tree')),
  }));
  const path = fc.array(key, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));

  it('withPaths gives what setPath gives path after path, and leaves its input as it was', () => {
    fc.assert(
      fc.property(tree, fc.array(fc.tuple(path, leaf), { maxLength: 5 }), (data, changes) => {
        const before = structuredClone(data);
        const expected = changes.reduce<JsonObject>((d, [p, v]) => setPath(d, p, v), data);
        expect(withPaths(data, changes)).toEqual(expected);
        expect(data).toEqual(before);
      }),
      { numRuns: 500 },
    );
  });

  it('getPath reads a dotted path, and undefined past a missing or non-object part', () => {
    const data: JsonObject = { profile: { email: 'x@example.org', tags: ['a'] }, n: 1 };
    expect(getPath(data, 'profile.email')).toBe('x@example.org');
    expect(getPath(data, 'profile.missing')).toBeUndefined();
    expect(getPath(data, 'n.deeper')).toBeUndefined();
    expect(getPath(data, 'profile.tags.0')).toBeUndefined();
  });
});
