import { EventTypeRegistry } from './classification';
import { UndeclaredEventTypeError } from './errors';

describe('EventTypeRegistry', () => {
  it('refuses to classify an undeclared event type', () => {
    expect(() => new EventTypeRegistry().classify('CustomerRegistered.v1')).toThrow(UndeclaredEventTypeError);
  });

  it('refuses declarations that contradict themselves', () => {
    expect(() => new EventTypeRegistry([{ type: 'A.v1', personalData: true, subject: 's', personal: [] }])).toThrow(/without personal fields/);
    expect(() => new EventTypeRegistry([{ type: 'A.v1', personalData: true, subject: 's', personal: ['s'] }])).toThrow(/subject id/);
    expect(() => new EventTypeRegistry([{ type: 'A.v1', personalData: true, subject: 's', personal: ['name'], sensitive: { health: 'medical-health' } }])).toThrow(/not declared personal/);
    expect(() => new EventTypeRegistry([{ type: 'A.v1', personalData: false }, { type: 'A.v1', personalData: false }])).toThrow(/twice/);
  });

  it('finds the subject of an event', () => {
    const registry = new EventTypeRegistry([{ type: 'A.v1', personalData: true, subject: 'customerId', personal: ['name'] }]);
    expect(registry.subjectOf(registry.classify('A.v1'), { customerId: 'c-1', name: 'x' })).toBe('c-1');
    expect(registry.subjectOf(registry.classify('A.v1'), { name: 'x' })).toBeNull();
  });
});
