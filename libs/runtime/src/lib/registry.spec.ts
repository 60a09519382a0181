import { API_KEY_EVENT_TYPES, DELEGATION_EVENT_TYPES } from '@attest/access-domain';
import { ACCOUNT_EVENT_TYPES, ORGANIZATION_EVENT_TYPES } from '@attest/accounts-domain';
import { CONSENT_EVENT_TYPES, PURPOSE_EVENT_TYPES, SUPERSEDED_CONSENT_EVENT_TYPES } from '@attest/consent-domain';
import { CUSTOMER_EVENT_TYPES } from '@attest/customers-domain';
import { CAMPAIGN_EVENT_TYPES, TEMPLATE_EVENT_TYPES } from '@attest/messaging-domain';
import { REQUEST_EVENT_TYPES } from '@attest/requests-domain';
import { eventTypeRegistry, eventUpcasters, migrationsFor, processingMap } from './registry';

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
  ...TEMPLATE_EVENT_TYPES,
  ...CAMPAIGN_EVENT_TYPES,
];
// No longer written, still stored: declared so their events can be decrypted, then read as their successors.
const SUPERSEDED_EVENT_TYPES: readonly string[] = [...SUPERSEDED_CONSENT_EVENT_TYPES];

describe('the runtime registry', () => {
  it('declares every event type the contexts emit or once emitted, and nothing else', () => {
    expect(eventTypeRegistry().types()).toEqual([...EMITTED_EVENT_TYPES, ...SUPERSEDED_EVENT_TYPES].sort());
  });

  it('reads every superseded type as a type the contexts emit today', () => {
    const upcasters = eventUpcasters();
    expect(upcasters.superseded()).toEqual([...SUPERSEDED_EVENT_TYPES].sort());
    for (const type of SUPERSEDED_EVENT_TYPES)
      expect({ type, current: EMITTED_EVENT_TYPES.includes(upcasters.current(type)) }).toEqual({ type, current: true });
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

  it('maps every event type a reader can see to a processing record or declares it non-processing (P1)', () => {
    // Superseded types never reach the processing-record projection: it reads them as their successors.
    expect(Object.keys(processingMap()).sort()).toEqual([...EMITTED_EVENT_TYPES].sort());
  });

  it('runs migrations in the order of their timestamps', () => {
    const stamps = migrationsFor('postgres').map((m) => Number(/(\d{13})$/.exec(m.name)?.[1]));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(migrationsFor('kurrentdb').map((m) => m.name)).not.toContain('EventStoreSchema1763769600000');
  });
});
