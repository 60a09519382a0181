import { ageOn, DomainError, type Decider } from '@attest/kernel';

/**
 * Customer profiles of a tenant (the data subjects, C1). One stream
 * `customer-<uuid>`; the customer id is a random id and the subject of every
 * personal field. C2: every profile field is classified below.
 */

/** C2 categories of sensitive personal information (PIPL 28). */
export type SensitiveCategory =
  'biometric' | 'religious-belief' | 'specific-identity' | 'medical-health' | 'financial-account' | 'whereabouts' | 'minor-under-14';

/** Every profile field and its classification (C2). */
export const PROFILE_FIELDS = {
  name: 'personal',
  email: 'personal',
  phone: 'personal',
  birthDate: 'personal',
  address: 'personal',
  idNumber: 'specific-identity',
  bankAccount: 'financial-account',
  healthNotes: 'medical-health',
} as const satisfies Record<string, 'personal' | SensitiveCategory>;
export type ProfileField = keyof typeof PROFILE_FIELDS;
export const PROFILE_FIELD_NAMES = Object.keys(PROFILE_FIELDS) as ProfileField[];

export type Profile = { readonly [K in ProfileField]?: string | null };

/** K4: under this age, processing needs a guardian's consent and all the subject's data is sensitive. */
export const GUARDIAN_CONSENT_AGE = 14;

type E<T extends string, D> = { readonly type: T; readonly data: D & { readonly customerId: string; readonly tenantId: string } };
export type CustomerCreated = E<
  'CustomerCreated.v1',
  { readonly profile: Profile; readonly tags: readonly string[]; readonly under14: boolean; readonly createdBy: string }
>;
export type CustomerUpdated = E<'CustomerUpdated.v1', { readonly changes: Profile; readonly under14: boolean; readonly updatedBy: string }>;
export type CustomerTagged = E<'CustomerTagged.v1', { readonly added: readonly string[]; readonly removed: readonly string[]; readonly taggedBy: string }>;
export type FollowUpRecorded = E<
  'FollowUpRecorded.v1',
  { readonly followUpId: string; readonly channel: string; readonly note: string; readonly dueOn: string | null; readonly recordedBy: string }
>;
export type CustomerProcessingRestricted = E<'CustomerProcessingRestricted.v1', { readonly reason: string; readonly restrictedBy: string }>;
export type CustomerRestrictionLifted = E<'CustomerRestrictionLifted.v1', { readonly liftedBy: string }>;
/**
 * D4: the customer's personal data is erased (its key is destroyed right
 * after this event): read models drop the customer, and nothing more can be
 * recorded for it. `requestId` names the data-subject request, if any.
 */
export type CustomerErased = E<'CustomerErased.v1', { readonly requestId: string | null; readonly erasedBy: string }>;

export type CustomerEvent =
  CustomerCreated | CustomerUpdated | CustomerTagged | FollowUpRecorded | CustomerProcessingRestricted | CustomerRestrictionLifted | CustomerErased;
export const CUSTOMER_EVENT_TYPES: readonly CustomerEvent['type'][] = [
  'CustomerCreated.v1',
  'CustomerUpdated.v1',
  'CustomerTagged.v1',
  'FollowUpRecorded.v1',
  'CustomerProcessingRestricted.v1',
  'CustomerRestrictionLifted.v1',
  'CustomerErased.v1',
];

export interface CustomerState {
  readonly exists: boolean;
  readonly tenantId: string;
  readonly birthDate: string | null;
  readonly tags: ReadonlySet<string>;
  readonly followUps: ReadonlySet<string>;
  readonly restricted: boolean;
  readonly erased: boolean;
}

interface Base {
  readonly customerId: string;
  readonly tenantId: string;
  readonly actor: string;
  /** Today (ISO date), for the age check. */
  readonly today: string;
}
export type CustomerCommand =
  | (Base & { readonly kind: 'CreateCustomer'; readonly profile: Profile; readonly tags: readonly string[] })
  | (Base & { readonly kind: 'UpdateCustomer'; readonly changes: Profile })
  | (Base & { readonly kind: 'TagCustomer'; readonly add: readonly string[]; readonly remove: readonly string[] })
  | (Base & { readonly kind: 'RecordFollowUp'; readonly followUpId: string; readonly channel: string; readonly note: string; readonly dueOn: string | null })
  | (Base & { readonly kind: 'RestrictProcessing'; readonly reason: string })
  | (Base & { readonly kind: 'LiftRestriction' })
  | (Base & { readonly kind: 'EraseCustomer'; readonly requestId: string | null });

export const customerStreamId = (customerId: string): string => `customer-${customerId}`;

const under14 = (birthDate: string | null | undefined, today: string): boolean =>
  typeof birthDate === 'string' && ageOn(birthDate, today) < GUARDIAN_CONSENT_AGE;

const refuse = (code: string, message: string, kind: 'invalid' | 'not_found' | 'conflict' = 'conflict'): never => {
  throw new DomainError(code, message, kind);
};

export const customerDecider: Decider<CustomerCommand, CustomerEvent, CustomerState> = {
  initialState: { exists: false, tenantId: '', birthDate: null, tags: new Set(), followUps: new Set(), restricted: false, erased: false },

  decide(command, state) {
    const ids = { customerId: command.customerId, tenantId: command.tenantId };
    if (command.kind === 'CreateCustomer') {
      if (state.exists) refuse('CUSTOMER.ALREADY_EXISTS', 'this customer already exists');
      if (command.profile.birthDate && command.profile.birthDate > command.today)
        refuse('CUSTOMER.BIRTH_DATE_IN_FUTURE', 'the birth date lies in the future', 'invalid');
      return [
        {
          type: 'CustomerCreated.v1',
          data: {
            ...ids,
            profile: command.profile,
            tags: [...new Set(command.tags)].sort(),
            under14: under14(command.profile.birthDate, command.today),
            createdBy: command.actor,
          },
        },
      ];
    }
    if (!state.exists || state.tenantId !== command.tenantId) return refuse('CUSTOMER.NOT_FOUND', 'no such customer', 'not_found');
    if (state.erased) {
      // Erasing again changes nothing (a resumed deletion); anything else is refused.
      if (command.kind === 'EraseCustomer') return [];
      return refuse('CUSTOMER.ERASED', "this customer's personal data was erased", 'conflict');
    }
    switch (command.kind) {
      case 'UpdateCustomer': {
        const changed = Object.keys(command.changes).length > 0;
        if (!changed) refuse('CUSTOMER.NOTHING_TO_UPDATE', 'name at least one field to change', 'invalid');
        if (command.changes.birthDate && command.changes.birthDate > command.today)
          refuse('CUSTOMER.BIRTH_DATE_IN_FUTURE', 'the birth date lies in the future', 'invalid');
        const birthDate = command.changes.birthDate !== undefined ? command.changes.birthDate : state.birthDate;
        return [
          { type: 'CustomerUpdated.v1', data: { ...ids, changes: command.changes, under14: under14(birthDate, command.today), updatedBy: command.actor } },
        ];
      }
      case 'TagCustomer': {
        const added = [...new Set(command.add)].filter((t) => !state.tags.has(t)).sort();
        const removed = [...new Set(command.remove)].filter((t) => state.tags.has(t)).sort();
        if (added.length === 0 && removed.length === 0) return [];
        return [{ type: 'CustomerTagged.v1', data: { ...ids, added, removed, taggedBy: command.actor } }];
      }
      case 'RecordFollowUp':
        if (state.followUps.has(command.followUpId)) refuse('FOLLOW_UP.EXISTS', 'this follow-up id is already used');
        return [
          {
            type: 'FollowUpRecorded.v1',
            data: { ...ids, followUpId: command.followUpId, channel: command.channel, note: command.note, dueOn: command.dueOn, recordedBy: command.actor },
          },
        ];
      case 'RestrictProcessing':
        if (state.restricted) refuse('CUSTOMER.ALREADY_RESTRICTED', 'processing of this customer is already restricted');
        return [{ type: 'CustomerProcessingRestricted.v1', data: { ...ids, reason: command.reason, restrictedBy: command.actor } }];
      case 'LiftRestriction':
        if (!state.restricted) refuse('CUSTOMER.NOT_RESTRICTED', 'processing of this customer is not restricted');
        return [{ type: 'CustomerRestrictionLifted.v1', data: { ...ids, liftedBy: command.actor } }];
      case 'EraseCustomer':
        return [{ type: 'CustomerErased.v1', data: { ...ids, requestId: command.requestId, erasedBy: command.actor } }];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'CustomerCreated.v1':
        return {
          ...state,
          exists: true,
          tenantId: event.data.tenantId,
          birthDate: typeof event.data.profile.birthDate === 'string' ? event.data.profile.birthDate : null,
          tags: new Set(event.data.tags),
        };
      case 'CustomerUpdated.v1':
        return event.data.changes.birthDate !== undefined
          ? { ...state, birthDate: typeof event.data.changes.birthDate === 'string' ? event.data.changes.birthDate : null }
          : state;
      case 'CustomerTagged.v1': {
        const tags = new Set(state.tags);
        for (const t of event.data.added) tags.add(t);
        for (const t of event.data.removed) tags.delete(t);
        return { ...state, tags };
      }
      case 'FollowUpRecorded.v1':
        return { ...state, followUps: new Set([...state.followUps, event.data.followUpId]) };
      case 'CustomerProcessingRestricted.v1':
        return { ...state, restricted: true };
      case 'CustomerRestrictionLifted.v1':
        return { ...state, restricted: false };
      case 'CustomerErased.v1':
        return { ...state, erased: true };
    }
  },
};
