import type { EventClassification } from '@attest/privacy';

/**
 * Personal-data declarations of the access context's events. None holds
 * personal data: key ids, tenant ids, roles, labels (refused if they look like
 * personal data), and user ids that are opaque OIDC subjects (e-mail or phone
 * subjects are refused at authentication).
 */
export const accessEventClassifications: readonly EventClassification[] = [
  { type: 'ApiKeyIssued.v1', personalData: false },
  { type: 'ApiKeyRevoked.v1', personalData: false },
  { type: 'PermissionsDelegated.v1', personalData: false },
  { type: 'DelegatedPermissionsRevoked.v1', personalData: false },
];
