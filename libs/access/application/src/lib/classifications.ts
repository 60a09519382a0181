import type { ApiKeyEvent, DelegationEvent } from '@attest/access-domain';
import { classificationsOf, type ClassificationTable } from '@attest/privacy';

/**
 * Personal-data declarations of the access context's events. None holds
 * personal data: key ids, tenant ids, roles, labels (refused if they look like
 * personal data), and user ids that are opaque OIDC subjects (e-mail or phone
 * subjects are refused at authentication).
 */
export const accessClassificationTable: ClassificationTable<ApiKeyEvent | DelegationEvent> = {
  'ApiKeyIssued.v1': {
    fields: {
      keyId: 'not-personal',
      tenantId: 'not-personal',
      prefix: 'not-personal',
      secretHash: 'not-personal',
      roles: 'not-personal',
      label: 'not-personal',
      expiresAt: 'not-personal',
      issuedBy: 'not-personal',
    },
  },
  'ApiKeyRevoked.v1': {
    fields: {
      keyId: 'not-personal',
      tenantId: 'not-personal',
      reason: 'not-personal',
      revokedBy: 'not-personal',
    },
  },
  'ApiKeyRotated.v1': {
    fields: {
      keyId: 'not-personal',
      tenantId: 'not-personal',
      replacedBy: 'not-personal',
      expiresAt: 'not-personal',
      rotatedBy: 'not-personal',
    },
  },
  'PermissionsDelegated.v1': {
    fields: {
      tenantId: 'not-personal',
      userId: 'not-personal',
      permissions: 'not-personal',
      delegatedBy: 'not-personal',
    },
  },
  'DelegatedPermissionsRevoked.v1': {
    fields: {
      tenantId: 'not-personal',
      userId: 'not-personal',
      permissions: 'not-personal',
      revokedBy: 'not-personal',
    },
  },
};

/** The table as the event-type registry takes it (personal paths, sensitive categories, every field). */
export const accessEventClassifications = classificationsOf(accessClassificationTable);
