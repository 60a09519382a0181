import type { Permission, Role } from '@attest/access-domain';

export interface ApiKeyView {
  readonly keyId: string;
  readonly tenantId: string;
  readonly prefix: string;
  readonly roles: readonly Role[];
  readonly label: string;
  readonly issuedBy: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

/** Tenant-scoped reads of the access read models (row-level security applies). */
export interface AccessReadModel {
  listApiKeys(tenantId: string): Promise<ApiKeyView[]>;
  getApiKey(tenantId: string, keyId: string): Promise<ApiKeyView | null>;
  delegatedPermissions(tenantId: string, userId: string): Promise<Permission[]>;
  /** Keys not revoked that this actor (`user:<id>`, `apiKey:<id>` …) issued in the tenant. */
  activeKeysIssuedBy(tenantId: string, issuer: string): Promise<ApiKeyView[]>;
}

/**
 * Who may receive a delegation: an account of the tenant (owned by the
 * accounts context; the composition root answers through its read model).
 */
export interface DelegationTargets {
  isAccountOf(tenantId: string, userId: string): Promise<boolean>;
}

/** New API key material: the key shown once, its public prefix, and its hash. */
export interface KeyMaterial {
  generate(): { readonly key: string; readonly prefix: string; readonly secretHash: string };
}

/** Applies a stream's new events to the access read models now (the workers would, later). */
export interface AccessProjector {
  projectStream(streamId: string): Promise<unknown>;
}

export const ACCESS_READ_MODEL = Symbol.for('attest.access.ReadModel');
export const KEY_MATERIAL = Symbol.for('attest.access.KeyMaterial');
export const ACCESS_PROJECTOR = Symbol.for('attest.access.Projector');
export const DELEGATION_TARGETS = Symbol.for('attest.access.DelegationTargets');
/** Re-exported for the access context's consumers: the process's one clock token. */
export { CLOCK } from '@attest/security';
