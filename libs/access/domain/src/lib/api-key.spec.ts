import { deciderSpec } from '@attest/testing';
import { apiKeyDecider, type ApiKeyIssued, type IssueApiKey } from './api-key';
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
});
