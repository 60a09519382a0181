import type { ConsentEvent, ConsentGrantedV1, PurposeEvent } from '@attest/consent-domain';
import { classificationsOf, type ClassificationTable } from '@attest/privacy';

/** What every version of `ConsentGranted` carries besides the guardian. */
const GRANT_FIELDS = {
  tenantId: 'not-personal',
  customerId: 'not-personal',
  consentId: 'not-personal',
  receiptId: 'not-personal',
  purposeKey: 'not-personal',
  purposeVersion: 'not-personal',
  channel: 'not-personal',
  scope: 'not-personal',
  thirdParty: 'not-personal',
  crossBorder: 'not-personal',
  evidence: 'not-personal',
} as const;

/**
 * The consent context's events, current and superseded (a superseded type is
 * never written again, but its stored events are still decrypted by this
 * table before they are upcast). A guardian's name is personal data of the
 * subject's record (sealed under the customer's key); the guardian's
 * relationship, purposes, evidence references, third parties (companies) and
 * countries are not.
 */
export const consentClassificationTable: ClassificationTable<ConsentEvent | ConsentGrantedV1 | PurposeEvent> = {
  'ConsentGranted.v2': {
    subject: 'customerId',
    fields: {
      ...GRANT_FIELDS,
      guardianName: 'personal',
      guardianRelationship: 'not-personal',
    },
  },
  'ConsentGranted.v1': {
    subject: 'customerId',
    fields: {
      ...GRANT_FIELDS,
      guardian: 'personal',
    },
  },
  'ConsentWithdrawn.v1': {
    fields: {
      tenantId: 'not-personal',
      customerId: 'not-personal',
      consentId: 'not-personal',
      receiptId: 'not-personal',
      purposeKey: 'not-personal',
      channel: 'not-personal',
      scope: 'not-personal',
      method: 'not-personal',
      source: 'not-personal',
    },
  },
  'PurposeDefined.v1': {
    fields: {
      tenantId: 'not-personal',
      purposeKey: 'not-personal',
      version: 'not-personal',
      definedBy: 'not-personal',
      name: 'not-personal',
      description: 'not-personal',
      legalBasis: 'not-personal',
      method: 'not-personal',
      dataCategories: 'not-personal',
      channels: 'not-personal',
      retentionDays: 'not-personal',
      noticeVersion: 'not-personal',
    },
  },
  'PurposeRevised.v1': {
    fields: {
      tenantId: 'not-personal',
      purposeKey: 'not-personal',
      version: 'not-personal',
      reconsentRequired: 'not-personal',
      revisedBy: 'not-personal',
      name: 'not-personal',
      description: 'not-personal',
      legalBasis: 'not-personal',
      method: 'not-personal',
      dataCategories: 'not-personal',
      channels: 'not-personal',
      retentionDays: 'not-personal',
      noticeVersion: 'not-personal',
    },
  },
  'PurposeRetired.v1': {
    fields: {
      tenantId: 'not-personal',
      purposeKey: 'not-personal',
      version: 'not-personal',
      retiredBy: 'not-personal',
    },
  },
};

/** The table as the event-type registry takes it (personal paths, sensitive categories, every field). */
export const consentEventClassifications = classificationsOf(consentClassificationTable);
