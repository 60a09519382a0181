import { API_KEY_EVENT_TYPES, DELEGATION_EVENT_TYPES } from '@attest/access-domain';
import { ACCOUNT_EVENT_TYPES, ORGANIZATION_EVENT_TYPES } from '@attest/accounts-domain';
import { CONSENT_EVENT_TYPES, PURPOSE_EVENT_TYPES } from '@attest/consent-domain';
import { CUSTOMER_EVENT_TYPES } from '@attest/customers-domain';
import { REQUEST_EVENT_TYPES } from '@attest/requests-domain';
import { eventTypeRegistry, migrationsFor, processingMap } from './registry';

// Every event type a context can emit must carry a personal-data declaration;
// the encrypting store also refuses undeclared types at run time.
const EMITTED_EVENT_TYPES: readonly string[] = [
  ...API_KEY_EVENT_TYPES,
  ...DELEGATION_EVENT_TYPES,
  ...ACCOUNT_EVENT_TYPES,
  ...ORGANIZATION_EVENT_TYPES,
  ...CUSTOMER_EVENT_TYPES,
  ...PURPOSE_EVENT_TYPES,
  ...CONSENT_EVENT_TYPES,
  ...REQUEST_EVENT_TYPES,
];

describe('the runtime registry', () => {
  it('declares every event type the contexts emit, and nothing else', () => {
    expect(eventTypeRegistry().types()).toEqual([...EMITTED_EVENT_TYPES].sort());
  });

  it('classifies every field of every registered type, and refuses a field its table does not name', () => {
    const registry = eventTypeRegistry();
    for (const type of registry.types()) {
      const c = registry.classify(type);
      expect({ type, fields: Object.keys(c.fields).length > 0 }).toEqual({ type, fields: true });
      if (c.personalData) {
        expect({ type, subject: c.fields[c.subject] }).toEqual({ type, subject: 'not-personal' });
        for (const path of c.personal) {
          const leaf = path
            .split('.')
            .reduce<unknown>((tree, part) => (tree && typeof tree === 'object' ? (tree as Record<string, unknown>)[part] : undefined), c.fields);
          expect({ type, path, classified: typeof leaf === 'string' && leaf !== 'not-personal' }).toEqual({ type, path, classified: true });
        }
      }
      // A renamed or new field is not in the table: a write carrying it is refused.
      expect(registry.unclassified(type, { renamedField: 'x' })).toEqual(['renamedField']);
    }
  });

  it('maps every registered event type to a processing record or declares it non-processing (P1)', () => {
    const map = processingMap();
    const unmapped = eventTypeRegistry()
      .types()
      .filter((t) => map[t] === undefined);
    expect(unmapped).toEqual([]);
    expect(Object.keys(map).sort()).toEqual(eventTypeRegistry().types());
  });

  it('runs migrations in the order of their timestamps', () => {
    const stamps = migrationsFor('postgres').map((m) => Number(/(\d{13})$/.exec(m.name)?.[1]));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(migrationsFor('kurrentdb').map((m) => m.name)).not.toContain('EventStoreSchema1763769600000');
  });
});
