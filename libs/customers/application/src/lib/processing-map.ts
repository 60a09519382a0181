import type { JsonObject } from '@attest/kernel';
import { PROFILE_FIELDS } from '@attest/customers-domain';
import type { ProcessingMap } from '@attest/security';

/** The profile fields an event carries, as data categories (sensitive ones by their C2 category). */
const fieldsOf =
  (field: string) =>
  (data: JsonObject): readonly string[] => {
    const value = data[field];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['profile'];
    const categories = Object.keys(value).map((f) => {
      const c = (PROFILE_FIELDS as Readonly<Record<string, string>>)[f];
      return c === undefined || c === 'personal' ? `profile.${f}` : c;
    });
    return [...new Set(categories)].sort();
  };

/** P1: what each customer event is as processing of the customer's data. */
export const customerProcessingMap: ProcessingMap = {
  'CustomerCreated.v1': { kind: 'collect', subject: 'customerId', categories: fieldsOf('profile') },
  'CustomerUpdated.v1': { kind: 'correct', subject: 'customerId', categories: fieldsOf('changes') },
  'CustomerTagged.v1': { kind: 'use', subject: 'customerId', categories: ['tags'] },
  'FollowUpRecorded.v1': { kind: 'collect', subject: 'customerId', categories: ['communications'] },
  'CustomerProcessingRestricted.v1': { kind: 'restrict', subject: 'customerId', categories: ['profile'] },
  'CustomerRestrictionLifted.v1': { kind: 'restrict', subject: 'customerId', categories: ['profile'] },
  'CustomerErased.v1': {
    kind: 'delete',
    subject: 'customerId',
    categories: ['profile', 'communications', 'consent', 'lookup-entries', 'subject-key'],
    legalBasis: 'legal-obligation',
  },
};
