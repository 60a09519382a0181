import { deciderSpec } from '@attest/testing';
import { API_KEY_MAX_ROTATION_GRACE_HOURS, apiKeyDecider, type ApiKeyIssued, type ApiKeyRotated, type IssueApiKey, type RotateApiKey } from './api-key';
import { permissionsFor } from './permissions';

const now = new Date('2026-11-22T10:00:00Z');
const issue: IssueApiKey = {
  kind: 'IssueApiKey',
  keyId: '01a20000-0000-7000-8000-000000000001',
  tenantId: 'acme',
  prefix: 'a1b2c3d4e5f6',
  secretHash: 'f'.repeat(64),
  roles: ['service'],
  label: 'crm sync',
  expiresAt: new Date('2027-02-20T10:00:00Z'),
  now,
  issuedBy: 'user:admin-1',
  issuerPermissions: permissionsFor(['org-admin', 'service']),
};
const issued: ApiKeyIssued = {
  type: 'ApiKeyIssued.v1',
  data: {
    keyId: issue.keyId,
    tenantId: 'acme',
    prefix: issue.prefix,
    secretHash: issue.secretHash,
    roles: ['service'],
    label: 'crm sync',
    expiresAt: '2027-02-20T10:00:00.000Z',
    issuedBy: 'user:admin-1',
  },
};
const spec = deciderSpec(apiKeyDecider);

describe('API key decider', () => {
  it('issues a key', () => {
    spec.given([]).when(issue).then([issued]);
  });

  it('refuses a key id that exists', () => {
    spec.given([issued]).when(issue).thenRefuses('API_KEY.ALREADY_EXISTS');
  });

  it('refuses a key without roles', () => {
    spec
      .given([])
      .when({ ...issue, roles: [] })
      .thenRefuses('API_KEY.ROLES_REQUIRED');
  });

  it('lets a tenant administrator issue any tenant role, but never platform-operator', () => {
    spec
      .given([])
      .when({ ...issue, roles: ['dsr-handler'], issuerPermissions: permissionsFor(['org-admin']) })
      .then([{ ...issued, data: { ...issued.data, roles: ['dsr-handler'] } }]);
    spec
      .given([])
      .when({ ...issue, roles: ['platform-operator'], issuerPermissions: permissionsFor(['org-admin']) })
      .thenRefuses('API_KEY.ROLE_ESCALATION');
    spec
      .given([])
      .when({ ...issue, roles: ['platform-operator'], issuerPermissions: permissionsFor(['platform-operator']) })
      .then([{ ...issued, data: { ...issued.data, roles: ['platform-operator'] } }]);
  });

  it('refuses an issuer without api-keys:manage', () => {
    spec
      .given([])
      .when({ ...issue, issuerPermissions: permissionsFor(['compliance-officer']) })
      .thenRefuses('API_KEY.NOT_PERMITTED');
  });

  it('refuses an expiry in the past or beyond a year', () => {
    spec
      .given([])
      .when({ ...issue, expiresAt: now })
      .thenRefuses('API_KEY.INVALID_EXPIRY');
    spec
      .given([])
      .when({ ...issue, expiresAt: new Date('2027-11-23T10:00:00Z') })
      .thenRefuses('API_KEY.INVALID_EXPIRY');
  });

  it('revokes an active key', () => {
    spec
      .given([issued])
      .when({ kind: 'RevokeApiKey', keyId: issue.keyId, tenantId: 'acme', reason: 'rotated', revokedBy: 'user:admin-1' })
      .then([{ type: 'ApiKeyRevoked.v1', data: { keyId: issue.keyId, tenantId: 'acme', reason: 'rotated', revokedBy: 'user:admin-1' } }]);
  });

  it('refuses to revoke twice, an unknown key, or another tenant’s key', () => {
    const revoke = { kind: 'RevokeApiKey' as const, keyId: issue.keyId, tenantId: 'acme', reason: 'x', revokedBy: 'user:a' };
    spec
      .given([issued, { type: 'ApiKeyRevoked.v1', data: { keyId: issue.keyId, tenantId: 'acme', reason: 'x', revokedBy: 'user:a' } }])
      .when(revoke)
      .thenRefuses('API_KEY.ALREADY_REVOKED');
    spec.given([]).when(revoke).thenRefuses('API_KEY.NOT_FOUND');
    spec
      .given([issued])
      .when({ ...revoke, tenantId: 'other' })
      .thenRefuses('API_KEY.NOT_FOUND');
  });

  describe('rotation', () => {
    const rotate: RotateApiKey = {
      kind: 'RotateApiKey',
      keyId: issue.keyId,
      tenantId: 'acme',
      replacedBy: '01a20000-0000-7000-8000-000000000002',
      graceHours: 24,
      now,
      rotatedBy: 'user:admin-1',
    };
    const rotated = (expiresAt: string): ApiKeyRotated => ({
      type: 'ApiKeyRotated.v1',
      data: { keyId: issue.keyId, tenantId: 'acme', replacedBy: rotate.replacedBy, expiresAt, rotatedBy: 'user:admin-1' },
    });

    it('keeps the old key working for the grace period beside its replacement', () => {
      spec
        .given([issued])
        .when(rotate)
        .then([rotated('2026-11-23T10:00:00.000Z')]);
    });

    it('never lengthens the old key’s life', () => {
      spec
        .given([{ ...issued, data: { ...issued.data, expiresAt: '2026-11-22T12:00:00.000Z' } }])
        .when(rotate)
        .then([rotated('2026-11-22T12:00:00.000Z')]);
    });

    it('revokes the old key at once without a grace period', () => {
      spec
        .given([issued])
        .when({ ...rotate, graceHours: 0 })
        .then([
          rotated('2026-11-22T10:00:00.000Z'),
          { type: 'ApiKeyRevoked.v1', data: { keyId: issue.keyId, tenantId: 'acme', reason: 'rotated', revokedBy: 'user:admin-1' } },
        ]);
    });

    it('refuses a second rotation, a revoked, expired, unknown or foreign key, and a grace beyond a week', () => {
      spec
        .given([issued, rotated('2026-11-23T10:00:00.000Z')])
        .when(rotate)
        .thenRefuses('API_KEY.ALREADY_ROTATED');
      spec
        .given([issued, { type: 'ApiKeyRevoked.v1', data: { keyId: issue.keyId, tenantId: 'acme', reason: 'x', revokedBy: 'user:a' } }])
        .when(rotate)
        .thenRefuses('API_KEY.ALREADY_REVOKED');
      spec
        .given([issued])
        .when({ ...rotate, now: new Date('2027-03-01T00:00:00Z') })
        .thenRefuses('API_KEY.EXPIRED');
      spec.given([]).when(rotate).thenRefuses('API_KEY.NOT_FOUND');
      spec
        .given([issued])
        .when({ ...rotate, tenantId: 'other' })
        .thenRefuses('API_KEY.NOT_FOUND');
      spec
        .given([issued])
        .when({ ...rotate, graceHours: API_KEY_MAX_ROTATION_GRACE_HOURS + 1 })
        .thenRefuses('API_KEY.INVALID_GRACE');
    });

    it('lets a rotated key be revoked before its grace ends', () => {
      spec
        .given([issued, rotated('2026-11-23T10:00:00.000Z')])
        .when({ kind: 'RevokeApiKey', keyId: issue.keyId, tenantId: 'acme', reason: 'moved early', revokedBy: 'user:admin-1' })
        .then([{ type: 'ApiKeyRevoked.v1', data: { keyId: issue.keyId, tenantId: 'acme', reason: 'moved early', revokedBy: 'user:admin-1' } }]);
    });
  });
});
