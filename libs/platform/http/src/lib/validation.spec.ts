import { IsInt, IsString, MaxLength, ValidateNested, getMetadataStorage, validate } from 'class-validator';
import { Type } from 'class-transformer';
import { createValidationPipe, ParseSafeIntPipe, unstorableTextPath } from './validation';
import { ProblemException } from './problem';

class Address {
  @IsString()
  @MaxLength(10)
  city!: string;
}

class Person {
  @IsString()
  name!: string;

  @ValidateNested()
  @Type(() => Address)
  address!: Address;
}

async function codes(metatype: new () => object, value: unknown): Promise<string[]> {
  try {
    await createValidationPipe().transform(value, { type: 'body', metatype });
    return [];
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    return (error.extras.errors ?? []).map((e) => `${e.field}:${e.code}`).sort();
  }
}

describe('the edge validation with remembered rules', () => {
  it('validates nested and whitelisted properties as class-validator does', async () => {
    expect(await codes(Person, { name: 'Ada', address: { city: 'Leeds' } })).toEqual([]);
    expect(await codes(Person, { name: 1, address: { city: 'Llanfairpwllgwyngyll' } })).toEqual(['address.city:maxLength', 'name:isString']);
    expect(await codes(Person, { name: 'Ada', address: { city: 'Leeds' }, extra: true })).toEqual(['extra:whitelistValidation']);
  });

  it('sees rules declared after a class was first validated: a subclass, and a new rule on the validated class itself', async () => {
    expect(await codes(Person, { name: 'Ada', address: { city: 'Leeds' } })).toEqual([]);
    class Employee extends Person {
      @IsInt()
      number!: number;
    }
    expect(await codes(Employee, { name: 'Ada', address: { city: 'Leeds' }, number: 'x' })).toEqual(['number:isInt']);
    expect(await codes(Person, { name: 'Ada', address: { city: 'Leeds' }, number: 7 })).toEqual(['number:whitelistValidation']);

    // A decorator applied to Person now (as a late import would): the next validation must know it.
    MaxLength(2)(Person.prototype, 'name');
    expect(await codes(Person, { name: 'Ada', address: { city: 'Leeds' } })).toEqual(['name:maxLength']);
  });

  it('gives the same rules as an unwrapped lookup, and wraps the storage only once', async () => {
    createValidationPipe();
    const storage = getMetadataStorage();
    const lookup = storage.getTargetValidationMetadatas;
    createValidationPipe();
    expect(storage.getTargetValidationMetadatas).toBe(lookup);
    const first = storage.getTargetValidationMetadatas(Address, '', false, false, undefined);
    expect(storage.getTargetValidationMetadatas(Address, '', false, false, undefined)).toBe(first);
    expect(first.map((m) => `${m.propertyName}:${m.name ?? m.type}`).sort()).toEqual(['city:isString', 'city:maxLength']);
    expect(await validate(Object.assign(new Address(), { city: 'x'.repeat(11) }))).toHaveLength(1);
  });
});

describe('text that cannot be stored (N4: a 400, never a database error)', () => {
  it('finds a NUL or an unpaired surrogate in any string or key of a body, and lets real text through', () => {
    expect(unstorableTextPath({ a: 'ok', b: { c: ['fine', 'x\u0000y'] } })).toBe('b.c.1');
    expect(unstorableTextPath({ note: 'broken \ud800 pair' })).toBe('note');
    expect(unstorableTextPath({ note: 'lone low \udc00' })).toBe('note');
    expect(unstorableTextPath({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(unstorableTextPath({ note: 'line one\nline two\ttab, 张三, emoji 😀 (a surrogate pair)' })).toBeNull();
    expect(unstorableTextPath('\u0000')).toBe('(body)');
  });
});

describe('ParseSafeIntPipe', () => {
  const pipe = new ParseSafeIntPipe({ min: 1, max: 100 });
  const meta = { type: 'query' as const, data: 'size' };
  it('takes digits within the range, and refuses anything else with the parameter named', () => {
    expect(pipe.transform('42', meta)).toBe(42);
    for (const bad of ['0', '101', '-1', '1.5', '1e2', '0x10', '01', '', ' 5', '99999999999999999999']) {
      expect(() => pipe.transform(bad, meta)).toThrow(ProblemException);
    }
    expect(new ParseSafeIntPipe({ optional: true }).transform(undefined, meta)).toBeUndefined();
    expect(pipe.schema).toEqual({ type: 'integer', minimum: 1, maximum: 100 });
  });
});
