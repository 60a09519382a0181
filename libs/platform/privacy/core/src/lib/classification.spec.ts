import { classificationsOf, EventTypeRegistry, type ClassificationTable } from './classification';
import { UndeclaredEventTypeError } from './errors';

describe('EventTypeRegistry', () => {
  it('refuses to classify an undeclared event type', () => {
    expect(() => new EventTypeRegistry().classify('CustomerRegistered.v1')).toThrow(UndeclaredEventTypeError);
  });

  it('refuses declarations that contradict themselves', () => {
    const fields = {};
    expect(() => new EventTypeRegistry([{ type: 'A.v1', personalData: true, subject: 's', personal: [], fields }])).toThrow(/without personal fields/);
    expect(() => new EventTypeRegistry([{ type: 'A.v1', personalData: true, subject: 's', personal: ['s'], fields }])).toThrow(/subject id/);
    expect(
      () => new EventTypeRegistry([{ type: 'A.v1', personalData: true, subject: 's', personal: ['name'], sensitive: { health: 'medical-health' }, fields }]),
    ).toThrow(/not declared personal/);
    expect(
      () =>
        new EventTypeRegistry([
          { type: 'A.v1', personalData: false, fields },
          { type: 'A.v1', personalData: false, fields },
        ]),
    ).toThrow(/twice/);
  });

  it('finds the subject of an event', () => {
    const registry = new EventTypeRegistry([
      { type: 'A.v1', personalData: true, subject: 'customerId', personal: ['name'], fields: { customerId: 'not-personal', name: 'personal' } },
    ]);
    expect(registry.subjectOf(registry.classify('A.v1'), { customerId: 'c-1', name: 'x' })).toBe('c-1');
    expect(registry.subjectOf(registry.classify('A.v1'), { name: 'x' })).toBeNull();
  });

  describe('tables keyed on an event union', () => {
    type Registered = {
      type: 'Registered.v1';
      data: { customerId: string; name: string; contact: { email: string; channel: string }; tags: string[]; minor: { birthDate: string } | null };
    };
    type Tagged = { type: 'Tagged.v1'; data: { customerId: string; tags: string[] } };
    const table: ClassificationTable<Registered | Tagged> = {
      'Registered.v1': {
        subject: 'customerId',
        fields: {
          customerId: 'not-personal',
          name: 'personal',
          contact: { email: 'personal', channel: 'not-personal' },
          tags: 'not-personal',
          minor: 'minor-under-14',
        },
      },
      'Tagged.v1': { fields: { customerId: 'not-personal', tags: 'not-personal' } },
    };

    it('derives the personal paths, sensitive categories and the subject', () => {
      const [registered, tagged] = classificationsOf(table);
      expect(registered).toMatchObject({
        type: 'Registered.v1',
        personalData: true,
        subject: 'customerId',
        personal: ['name', 'contact.email', 'minor'],
        sensitive: { minor: 'minor-under-14' },
      });
      expect(tagged).toMatchObject({ type: 'Tagged.v1', personalData: false });
    });

    it('finds every field of the data its table does not classify, at any depth', () => {
      const registry = new EventTypeRegistry(classificationsOf(table));
      const data = {
        customerId: 'c',
        name: 'n',
        contact: { email: 'e', channel: 'x', phone: 'p' },
        tags: ['a'],
        minor: { birthDate: '2015-01-01', school: 's' },
        renamed: 1,
      };
      // `minor` is classified as a whole; `contact` field by field.
      expect(registry.unclassified('Registered.v1', data)).toEqual(['contact.phone', 'renamed']);
      expect(registry.unclassified('Registered.v1', { customerId: 'c', name: 'n', contact: 'flat', tags: [], minor: null })).toEqual(['contact']);
      expect(registry.unclassified('Tagged.v1', { customerId: 'c', tags: [] })).toEqual([]);
    });

    it('makes a renamed field a type error in the table (checked by the type-check)', () => {
      const renamed: ClassificationTable<Tagged> = {
        // @ts-expect-error — `labels` is not a field of Tagged.v1, and `tags` is missing
        'Tagged.v1': { fields: { customerId: 'not-personal', labels: 'not-personal' } },
      };
      expect(Object.keys(renamed)).toEqual(['Tagged.v1']);
    });
  });
});
