import { PROFILE_FIELD_NAMES, PROFILE_FIELDS, type SensitiveCategory } from '@attest/customers-domain';
import type { EventClassification } from '@attest/privacy';

const sensitive = (prefix: string): Record<string, SensitiveCategory> =>
  Object.fromEntries(PROFILE_FIELD_NAMES.flatMap((f) => (PROFILE_FIELDS[f] === 'personal' ? [] : [[`${prefix}.${f}`, PROFILE_FIELDS[f] as SensitiveCategory]])));

/** C2: every profile field is personal data of the customer, some sensitive; follow-up notes too. */
export const customerEventClassifications: readonly EventClassification[] = [
  { type: 'CustomerCreated.v1', personalData: true, subject: 'customerId', personal: PROFILE_FIELD_NAMES.map((f) => `profile.${f}`), sensitive: sensitive('profile') },
  { type: 'CustomerUpdated.v1', personalData: true, subject: 'customerId', personal: PROFILE_FIELD_NAMES.map((f) => `changes.${f}`), sensitive: sensitive('changes') },
  { type: 'CustomerTagged.v1', personalData: false },
  { type: 'FollowUpRecorded.v1', personalData: true, subject: 'customerId', personal: ['note'] },
  { type: 'CustomerProcessingRestricted.v1', personalData: false },
  { type: 'CustomerRestrictionLifted.v1', personalData: false },
  { type: 'CustomerErased.v1', personalData: false },
];
