import { IsInt, IsString, MaxLength, ValidateNested, getMetadataStorage, validate } from 'class-validator';
import { Type } from 'class-transformer';
import { createValidationPipe } from './validation';
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
