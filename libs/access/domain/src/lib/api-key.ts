import { DomainError, type Decider } from '@attest/kernel';
import { permissionsFor, type Permission, type Role } from './permissions';

export const API_KEY_MAX_DAYS = 365;
/** How long a rotated key may keep working beside its replacement, at most (a week). */
export const API_KEY_MAX_ROTATION_GRACE_HOURS = 168;

export type ApiKeyIssued = {
  readonly type: 'ApiKeyIssued.v1';
  readonly data: {
    readonly keyId: string;
    readonly tenantId: string;
    /** Public part of the key, shown in listings; identifies it without the secret. */
    readonly prefix: string;
    /** SHA-256 of the whole key (a 256-bit random secret, so a fast hash suffices). */
    readonly secretHash: string;
    readonly roles: readonly Role[];
    readonly label: string;
    readonly expiresAt: string;
    readonly issuedBy: string;
  };
};

export type ApiKeyRevoked = {
  readonly type: 'ApiKeyRevoked.v1';
  readonly data: { readonly keyId: string; readonly tenantId: string; readonly reason: string; readonly revokedBy: string };
};

/**
 * A key replaced by a new one (issued on its own stream just before): the old key works until
 * `expiresAt` (now, or a grace period later so the systems using it can move), and says which key
 * replaces it. With no grace period the old key is revoked in the same append.
 */
export type ApiKeyRotated = {
  readonly type: 'ApiKeyRotated.v1';
  readonly data: { readonly keyId: string; readonly tenantId: string; readonly replacedBy: string; readonly expiresAt: string; readonly rotatedBy: string };
};

export type ApiKeyEvent = ApiKeyIssued | ApiKeyRevoked | ApiKeyRotated;
export const API_KEY_EVENT_TYPES: readonly ApiKeyEvent['type'][] = ['ApiKeyIssued.v1', 'ApiKeyRevoked.v1', 'ApiKeyRotated.v1'];

export type IssueApiKey = {
  readonly kind: 'IssueApiKey';
  readonly keyId: string;
  readonly tenantId: string;
  readonly prefix: string;
  readonly secretHash: string;
  readonly roles: readonly Role[];
  readonly label: string;
  readonly expiresAt: Date;
  readonly now: Date;
  readonly issuedBy: string;
  /** What the issuer may do; only a platform operator may hand out the platform-operator role. */
  readonly issuerPermissions: ReadonlySet<Permission>;
};

export type RevokeApiKey = {
  readonly kind: 'RevokeApiKey';
  readonly keyId: string;
  readonly tenantId: string;
  readonly reason: string;
  readonly revokedBy: string;
};

export type RotateApiKey = {
  readonly kind: 'RotateApiKey';
  readonly keyId: string;
  readonly tenantId: string;
  /** The key that replaces it, already issued. */
  readonly replacedBy: string;
  readonly graceHours: number;
  readonly now: Date;
  readonly rotatedBy: string;
};

export type ApiKeyCommand = IssueApiKey | RevokeApiKey | RotateApiKey;

export type ApiKeyState =
  | { readonly status: 'none' }
  | { readonly status: 'active' | 'revoked'; readonly tenantId: string; readonly expiresAt: string; readonly replacedBy: string | null };

export const apiKeyStreamId = (keyId: string): string => `apiKey-${keyId}`;

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.kind) {
      case 'IssueApiKey': {
        if (state.status !== 'none') throw new DomainError('API_KEY.ALREADY_EXISTS', 'an API key with this id exists', 'conflict');
        if (command.roles.length === 0) throw new DomainError('API_KEY.ROLES_REQUIRED', 'an API key needs at least one role');
        if (!command.issuerPermissions.has('api-keys:manage')) {
          throw new DomainError('API_KEY.NOT_PERMITTED', 'issuing API keys needs api-keys:manage', 'forbidden');
        }
        // A key never carries more than its issuer holds at this moment (roles and delegations
        // alike): an end user delegated api-keys:manage cannot mint an org-admin key, and only
        // a platform operator hands out platform-operator keys.
        const beyond = [...permissionsFor(command.roles)].filter((p) => !command.issuerPermissions.has(p));
        if (beyond.length > 0) {
          throw new DomainError('API_KEY.ROLE_ESCALATION', `these roles carry permissions you do not hold: ${beyond.sort().join(', ')}`, 'forbidden', {
            missing: beyond.sort().join(','),
          });
        }
        const days = (command.expiresAt.getTime() - command.now.getTime()) / 86_400_000;
        if (days <= 0 || days > API_KEY_MAX_DAYS) {
          throw new DomainError('API_KEY.INVALID_EXPIRY', `expiry must be in the future and at most ${API_KEY_MAX_DAYS} days away`);
        }
        return [
          {
            type: 'ApiKeyIssued.v1',
            data: {
              keyId: command.keyId,
              tenantId: command.tenantId,
              prefix: command.prefix,
              secretHash: command.secretHash,
              roles: [...command.roles],
              label: command.label,
              expiresAt: command.expiresAt.toISOString(),
              issuedBy: command.issuedBy,
            },
          },
        ];
      }
      case 'RevokeApiKey': {
        // Another tenant's key is indistinguishable from a missing one.
        if (state.status === 'none' || state.tenantId !== command.tenantId) {
          throw new DomainError('API_KEY.NOT_FOUND', 'no such API key', 'not_found');
        }
        if (state.status === 'revoked') throw new DomainError('API_KEY.ALREADY_REVOKED', 'the API key is already revoked', 'conflict');
        return [
          {
            type: 'ApiKeyRevoked.v1',
            data: { keyId: command.keyId, tenantId: command.tenantId, reason: command.reason, revokedBy: command.revokedBy },
          },
        ];
      }
      case 'RotateApiKey': {
        if (state.status === 'none' || state.tenantId !== command.tenantId) {
          throw new DomainError('API_KEY.NOT_FOUND', 'no such API key', 'not_found');
        }
        if (state.status === 'revoked') throw new DomainError('API_KEY.ALREADY_REVOKED', 'the API key is already revoked', 'conflict');
        if (state.replacedBy !== null) throw new DomainError('API_KEY.ALREADY_ROTATED', `the API key was already replaced by ${state.replacedBy}`, 'conflict');
        if (!Number.isInteger(command.graceHours) || command.graceHours < 0 || command.graceHours > API_KEY_MAX_ROTATION_GRACE_HOURS) {
          throw new DomainError('API_KEY.INVALID_GRACE', `the grace period is 0 to ${API_KEY_MAX_ROTATION_GRACE_HOURS} hours`);
        }
        if (Date.parse(state.expiresAt) <= command.now.getTime())
          throw new DomainError('API_KEY.EXPIRED', 'the API key has expired; issue a new one', 'conflict');
        const graceEnds = command.now.getTime() + command.graceHours * 3_600_000;
        const expiresAt = new Date(Math.min(graceEnds, Date.parse(state.expiresAt))).toISOString();
        const rotated: ApiKeyRotated = {
          type: 'ApiKeyRotated.v1',
          data: { keyId: command.keyId, tenantId: command.tenantId, replacedBy: command.replacedBy, expiresAt, rotatedBy: command.rotatedBy },
        };
        if (command.graceHours > 0) return [rotated];
        return [
          rotated,
          { type: 'ApiKeyRevoked.v1', data: { keyId: command.keyId, tenantId: command.tenantId, reason: 'rotated', revokedBy: command.rotatedBy } },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ApiKeyIssued.v1':
        return { status: 'active', tenantId: event.data.tenantId, expiresAt: event.data.expiresAt, replacedBy: null };
      case 'ApiKeyRevoked.v1':
        return state.status === 'none' ? state : { ...state, status: 'revoked' };
      case 'ApiKeyRotated.v1':
        return state.status === 'none' ? state : { ...state, expiresAt: event.data.expiresAt, replacedBy: event.data.replacedBy };
    }
  },
};
