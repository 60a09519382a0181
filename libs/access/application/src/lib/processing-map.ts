import { NON_PROCESSING, type ProcessingMap } from '@attest/security';

/** Credentials and delegations are about opaque principals, not data subjects. */
export const accessProcessingMap: ProcessingMap = {
  'ApiKeyIssued.v1': NON_PROCESSING,
  'ApiKeyRevoked.v1': NON_PROCESSING,
  'ApiKeyRotated.v1': NON_PROCESSING,
  'PermissionsDelegated.v1': NON_PROCESSING,
  'DelegatedPermissionsRevoked.v1': NON_PROCESSING,
};
