import { deciderSpec } from '@attest/testing';
import { delegationDecider, type PermissionsDelegated } from './delegation';
import { permissionsFor } from './permissions';

const spec = deciderSpec(delegationDecider);
const delegated: PermissionsDelegated = {
  type: 'PermissionsDelegated.v1',
  data: { tenantId: 'acme', userId: 'u-1', permissions: ['event-log:read'], delegatedBy: 'user:admin' },
};
const delegate = (permissions: PermissionsDelegated['data']['permissions'], delegatorPermissions = permissionsFor(['org-admin'])) => ({
  kind: 'DelegatePermissions' as const,
  tenantId: 'acme',
  userId: 'u-1',
  permissions,
  delegatedBy: 'user:admin',
  delegatorPermissions,
});
const revoke = (permissions: PermissionsDelegated['data']['permissions']) => ({
  kind: 'RevokeDelegatedPermissions' as const,
  tenantId: 'acme',
  userId: 'u-1',
  permissions,
  revokedBy: 'user:admin',
});

describe('delegation decider', () => {
  it('delegates delegable permissions', () => {
    spec
      .given([])
      .when(delegate(['event-log:read']))
      .then([delegated]);
  });

  it('records only what is new, and nothing when all is held', () => {
    spec
      .given([delegated])
      .when(delegate(['event-log:read', 'api-keys:read']))
      .then([{ ...delegated, data: { ...delegated.data, permissions: ['api-keys:read'] } }]);
    spec
      .given([delegated])
      .when(delegate(['event-log:read']))
      .then([]);
  });

  it('refuses permissions that cannot be delegated (no chains of delegation)', () => {
    spec
      .given([])
      .when(delegate(['delegations:manage']))
      .thenRefuses('DELEGATION.NOT_DELEGABLE');
  });

  it('refuses to delegate what the delegating principal does not hold itself', () => {
    spec
      .given([])
      .when(delegate(['personal-data:read'], permissionsFor(['end-user'])))
      .thenRefuses('DELEGATION.ESCALATION');
    spec
      .given([])
      .when(delegate(['api-keys:manage'], new Set(['delegations:manage', 'api-keys:read'])))
      .thenRefuses('DELEGATION.ESCALATION');
  });

  it('refuses an empty list', () => {
    spec.given([]).when(delegate([])).thenRefuses('DELEGATION.PERMISSIONS_REQUIRED');
  });

  it('revokes held permissions and refuses others', () => {
    spec
      .given([delegated])
      .when(revoke(['event-log:read']))
      .then([{ type: 'DelegatedPermissionsRevoked.v1', data: { tenantId: 'acme', userId: 'u-1', permissions: ['event-log:read'], revokedBy: 'user:admin' } }]);
    spec
      .given([])
      .when(revoke(['event-log:read']))
      .thenRefuses('DELEGATION.NOT_HELD');
  });
});
