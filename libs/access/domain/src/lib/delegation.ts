import { DomainError, type Decider } from '@attest/kernel';
import { DELEGABLE_PERMISSIONS, type Permission } from './permissions';

export type PermissionsDelegated = {
  readonly type: 'PermissionsDelegated.v1';
  readonly data: { readonly tenantId: string; readonly userId: string; readonly permissions: readonly Permission[]; readonly delegatedBy: string };
};

export type DelegatedPermissionsRevoked = {
  readonly type: 'DelegatedPermissionsRevoked.v1';
  readonly data: { readonly tenantId: string; readonly userId: string; readonly permissions: readonly Permission[]; readonly revokedBy: string };
};

export type DelegationEvent = PermissionsDelegated | DelegatedPermissionsRevoked;
export const DELEGATION_EVENT_TYPES: readonly DelegationEvent['type'][] = ['PermissionsDelegated.v1', 'DelegatedPermissionsRevoked.v1'];

export type DelegatePermissions = {
  readonly kind: 'DelegatePermissions';
  readonly tenantId: string;
  readonly userId: string;
  readonly permissions: readonly Permission[];
  readonly delegatedBy: string;
  /** What the delegating principal holds now: nobody delegates beyond it. */
  readonly delegatorPermissions: ReadonlySet<Permission>;
};

export type RevokeDelegatedPermissions = {
  readonly kind: 'RevokeDelegatedPermissions';
  readonly tenantId: string;
  readonly userId: string;
  readonly permissions: readonly Permission[];
  readonly revokedBy: string;
};

export type DelegationCommand = DelegatePermissions | RevokeDelegatedPermissions;

export interface DelegationState {
  readonly held: ReadonlySet<Permission>;
}

/** One stream per tenant and user; both ids are opaque (never names or e-mail addresses). */
export const delegationStreamId = (tenantId: string, userId: string): string => `delegation-${tenantId}.${userId}`;

export const delegationDecider: Decider<DelegationCommand, DelegationEvent, DelegationState> = {
  initialState: { held: new Set() },

  decide(command, state) {
    if (command.permissions.length === 0) throw new DomainError('DELEGATION.PERMISSIONS_REQUIRED', 'name at least one permission');
    switch (command.kind) {
      case 'DelegatePermissions': {
        const refused = command.permissions.filter((p) => !DELEGABLE_PERMISSIONS.includes(p));
        if (refused.length > 0) {
          throw new DomainError('DELEGATION.NOT_DELEGABLE', `these permissions cannot be delegated: ${refused.join(', ')}`, 'forbidden');
        }
        const notHeld = command.permissions.filter((p) => !command.delegatorPermissions.has(p));
        if (notHeld.length > 0) {
          throw new DomainError('DELEGATION.ESCALATION', `you cannot delegate what you do not hold: ${[...new Set(notHeld)].sort().join(', ')}`, 'forbidden');
        }
        const added = [...new Set(command.permissions)].filter((p) => !state.held.has(p));
        // Delegating what is already held changes nothing and records nothing.
        if (added.length === 0) return [];
        return [
          {
            type: 'PermissionsDelegated.v1',
            data: { tenantId: command.tenantId, userId: command.userId, permissions: added, delegatedBy: command.delegatedBy },
          },
        ];
      }
      case 'RevokeDelegatedPermissions': {
        const missing = command.permissions.filter((p) => !state.held.has(p));
        if (missing.length > 0) {
          throw new DomainError('DELEGATION.NOT_HELD', `the user does not hold: ${missing.join(', ')}`, 'conflict');
        }
        return [
          {
            type: 'DelegatedPermissionsRevoked.v1',
            data: { tenantId: command.tenantId, userId: command.userId, permissions: [...new Set(command.permissions)], revokedBy: command.revokedBy },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    const held = new Set(state.held);
    if (event.type === 'PermissionsDelegated.v1') for (const p of event.data.permissions) held.add(p);
    else for (const p of event.data.permissions) held.delete(p);
    return { held };
  },
};
