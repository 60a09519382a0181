import { PROFILE_FIELDS, type CustomerEvent } from '@attest/customers-domain';
import { classificationsOf, type ClassificationTable } from '@attest/privacy';

/** C2: every profile field is personal data of the customer, some sensitive; follow-up notes too. */
export const customerClassificationTable: ClassificationTable<CustomerEvent> = {
  'CustomerCreated.v1': {
    subject: 'customerId',
    fields: {
      customerId: 'not-personal',
      tenantId: 'not-personal',
      profile: PROFILE_FIELDS,
      tags: 'not-personal',
      under14: 'not-personal',
      createdBy: 'not-personal',
    },
  },
  'CustomerUpdated.v1': {
    subject: 'customerId',
    fields: {
      customerId: 'not-personal',
      tenantId: 'not-personal',
      changes: PROFILE_FIELDS,
      under14: 'not-personal',
      updatedBy: 'not-personal',
    },
  },
  'CustomerTagged.v1': {
    fields: {
      customerId: 'not-personal',
      tenantId: 'not-personal',
      added: 'not-personal',
      removed: 'not-personal',
      taggedBy: 'not-personal',
    },
  },
  'FollowUpRecorded.v1': {
    subject: 'customerId',
    fields: {
      customerId: 'not-personal',
      tenantId: 'not-personal',
      followUpId: 'not-personal',
      channel: 'not-personal',
      note: 'personal',
      dueOn: 'not-personal',
      recordedBy: 'not-personal',
    },
  },
  'CustomerProcessingRestricted.v1': {
    fields: {
      customerId: 'not-personal',
      tenantId: 'not-personal',
      reason: 'not-personal',
      restrictedBy: 'not-personal',
    },
  },
  'CustomerRestrictionLifted.v1': {
    fields: {
      customerId: 'not-personal',
      tenantId: 'not-personal',
      liftedBy: 'not-personal',
    },
  },
  'CustomerErased.v1': {
    fields: {
      customerId: 'not-personal',
      tenantId: 'not-personal',
      requestId: 'not-personal',
      erasedBy: 'not-personal',
    },
  },
};

/** The table as the event-type registry takes it (personal paths, sensitive categories, every field). */
export const customerEventClassifications = classificationsOf(customerClassificationTable);
