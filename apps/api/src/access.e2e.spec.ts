import { ModulesContainer } from '@nestjs/core';
import { exportJWK, generateKeyPair, createLocalJWKSet, SignJWT, type JWK } from 'jose';
import fc from 'fast-check';
import { withTenant } from '@attest/database';
import { PERMISSION_KEY, PUBLIC_KEY } from '@attest/http';
import { CommandBus } from '@nestjs/cqrs';
import { hashInvitationToken, RunAccountCommand } from '@attest/accounts-application';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { metadataFor } from '@attest/security';
import { ApiHarness } from './testing/api-harness';

interface RouteCase {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly permission: string;
  /** A valid body whose every field is required (the invalid-input fuzzer removes and breaks them). */
  readonly body?: Record<string, unknown>;
  /** Path names a resource of one tenant: another tenant gets 404. */
  readonly tenantResource?: boolean;
  /** Who sends the fuzzed bodies (the route's permission holder); org-admin by default. */
  readonly as?: 'operator' | 'officer';
  /** Query string the route needs to get past validation. */
  readonly query?: string;
}

/** Every non-public route of the API. A test below fails when a route is missing here. */
/** A processing activity as the register routes take it. */
const ACTIVITY = {
  name: 'Newsletter',
  controller: { name: 'Acme', contact: 'privacy@acme.example' },
  dataProtectionOfficer: 'dpo@acme.example',
  purposes: ['newsletter'],
  legalBasis: 'consent',
  dataSubjectCategories: ['customers'],
  dataCategories: ['contact'],
  recipients: [],
  transfers: [],
  erasureTimeLimit: '2 years',
  securityMeasures: ['encryption'],
  sensitiveData: false,
  automatedDecisionMaking: false,
  entrustedProcessing: false,
  providedToOthers: false,
  publicDisclosure: false,
};

const ROUTES: readonly RouteCase[] = [
  { method: 'GET', path: '/v1/me', permission: 'profile:read' },
  { method: 'GET', path: '/v1/me/console-views', permission: 'profile:read' },
  { method: 'PUT', path: '/v1/me/console-views/{name}', permission: 'profile:read', body: { page: '/requests', search: { urgency: 'at-risk' } } },
  { method: 'DELETE', path: '/v1/me/console-views/{name}', permission: 'profile:read' },
  { method: 'GET', path: '/v1/console/session', permission: 'profile:read' },
  { method: 'POST', path: '/v1/console/session/sign-out', permission: 'profile:read' },
  { method: 'GET', path: '/v1/api-keys', permission: 'api-keys:read' },
  { method: 'POST', path: '/v1/api-keys', permission: 'api-keys:manage', body: { roles: ['service'], label: 'fuzz' } },
  { method: 'GET', path: '/v1/api-keys/{keyId}', permission: 'api-keys:read', tenantResource: true },
  { method: 'POST', path: '/v1/api-keys/{keyId}/revoke', permission: 'api-keys:manage', body: { reason: 'test' }, tenantResource: true },
  // Every field of its body is optional (the fuzzer's "required field missing" does not apply).
  { method: 'POST', path: '/v1/api-keys/{keyId}/rotate', permission: 'api-keys:manage', tenantResource: true },
  { method: 'GET', path: '/v1/delegations/{userId}', permission: 'delegations:read' },
  { method: 'POST', path: '/v1/delegations/{userId}/grant', permission: 'delegations:manage', body: { permissions: ['event-log:read'] } },
  { method: 'POST', path: '/v1/delegations/{userId}/revoke', permission: 'delegations:manage', body: { permissions: ['event-log:read'] } },
  { method: 'GET', path: '/v1/event-log/stats', permission: 'event-log:read' },
  { method: 'GET', path: '/v1/accounts/me', permission: 'account:self' },
  { method: 'POST', path: '/v1/accounts/me/stolen-report', permission: 'account:self' },
  { method: 'POST', path: '/v1/accounts/me/cancellation', permission: 'account:self' },
  { method: 'POST', path: '/v1/accounts/me/unbinding', permission: 'account:self' },
  { method: 'POST', path: '/v1/accounts/me/transfer', permission: 'account:self' },
  { method: 'GET', path: '/v1/organization', permission: 'organization:read' },
  { method: 'GET', path: '/v1/organization/timed-jobs', permission: 'organization:read' },
  { method: 'GET', path: '/v1/organization/webhook', permission: 'organization:read' },
  { method: 'PUT', path: '/v1/organization/webhook', permission: 'organization:manage', body: { url: 'https://hooks.example.com/attest' } },
  { method: 'DELETE', path: '/v1/organization/webhook', permission: 'organization:manage' },
  { method: 'POST', path: '/v1/organization/webhook/secret', permission: 'organization:manage' },
  { method: 'POST', path: '/v1/organization/webhook/test', permission: 'organization:manage' },
  { method: 'GET', path: '/v1/organization/webhook/deliveries', permission: 'organization:read' },
  { method: 'POST', path: '/v1/organization/webhook/deliveries/{deliveryId}/retry', permission: 'organization:manage' },
  { method: 'GET', path: '/v1/organization/members', permission: 'organization:read' },
  { method: 'GET', path: '/v1/organization/members/{accountId}', permission: 'organization:read' },
  { method: 'GET', path: '/v1/organization/members/{accountId}/personal-data', permission: 'personal-data:read' },
  {
    method: 'POST',
    path: '/v1/organization/invitations',
    permission: 'organization:manage',
    body: { invitations: [{ contact: { name: 'Fuzz', email: 'fuzz@example.com' } }] },
  },
  { method: 'POST', path: '/v1/organization/invitations/{accountId}/expire', permission: 'organization:manage' },
  { method: 'POST', path: '/v1/organization/members/{accountId}/department', permission: 'organization:manage' },
  { method: 'POST', path: '/v1/organization/members/{accountId}/unbinding/approve', permission: 'organization:manage' },
  { method: 'POST', path: '/v1/organization/members/{accountId}/unbinding/reject', permission: 'organization:manage' },
  { method: 'POST', path: '/v1/organization/departments', permission: 'organization:manage', body: { name: 'Fuzz' } },
  { method: 'PATCH', path: '/v1/organization/departments/{departmentId}', permission: 'organization:manage', body: { name: 'Fuzz' } },
  { method: 'DELETE', path: '/v1/organization/departments/{departmentId}', permission: 'organization:manage' },
  { method: 'PUT', path: '/v1/organization/settings', permission: 'organization:manage', body: { unbindingApprovalRequired: true } },
  {
    method: 'POST',
    path: '/v1/organization/channels',
    permission: 'organization:manage',
    body: { channel: 'whatsapp-business', externalAccountId: '+8613800000000' },
  },
  { method: 'DELETE', path: '/v1/organization/channels/{bindingId}', permission: 'organization:manage' },
  { method: 'POST', path: '/v1/organization/cancellation', permission: 'organization:manage' },
  { method: 'POST', path: '/v1/organization/function-data-deletions', permission: 'organization:manage', body: { function: 'call-recording' } },
  { method: 'GET', path: '/v1/platform/accounts', permission: 'platform:operate' },
  { method: 'GET', path: '/v1/platform/accounts/{accountId}', permission: 'platform:operate' },
  { method: 'POST', path: '/v1/platform/accounts/{accountId}/verification', permission: 'platform:operate', body: { outcome: 'verified' }, as: 'operator' },
  {
    method: 'POST',
    path: '/v1/platform/accounts/{accountId}/status',
    permission: 'platform:operate',
    body: { action: 'restrict', reason: 'violation' },
    as: 'operator',
  },
  {
    method: 'POST',
    path: '/v1/platform/accounts/{accountId}/holds',
    permission: 'platform:operate',
    body: { kind: 'dispute', reference: 'case-1' },
    as: 'operator',
  },
  { method: 'POST', path: '/v1/platform/accounts/{accountId}/holds/{holdId}/release', permission: 'platform:operate' },
  { method: 'POST', path: '/v1/platform/accounts/{accountId}/cancellation/approve', permission: 'platform:operate' },
  { method: 'POST', path: '/v1/platform/accounts/{accountId}/agreement', permission: 'platform:operate', body: { action: 'terminate' }, as: 'operator' },
  { method: 'POST', path: '/v1/platform/accounts/{accountId}/function-data-deletions/{requestId}/complete', permission: 'platform:operate' },
  { method: 'GET', path: '/v1/platform/notifications', permission: 'platform:operate' },
  { method: 'POST', path: '/v1/customers', permission: 'customers:manage', body: { profile: { name: 'Fuzz' } } },
  { method: 'GET', path: '/v1/customers', permission: 'customers:read' },
  { method: 'GET', path: '/v1/customers/{customerId}', permission: 'customers:read' },
  { method: 'PATCH', path: '/v1/customers/{customerId}', permission: 'customers:manage' },
  { method: 'POST', path: '/v1/customers/{customerId}/tags', permission: 'customers:manage' },
  { method: 'POST', path: '/v1/customers/{customerId}/follow-ups', permission: 'customers:manage', body: { channel: 'phone', note: 'call back' } },
  { method: 'POST', path: '/v1/customers/{customerId}/restriction', permission: 'customers:manage', body: { reason: 'accuracy-contested' } },
  { method: 'DELETE', path: '/v1/customers/{customerId}/restriction', permission: 'customers:manage' },
  { method: 'GET', path: '/v1/purposes', permission: 'consent:read' },
  {
    method: 'POST',
    path: '/v1/purposes',
    permission: 'purposes:manage',
    body: {
      purposeKey: 'fuzz',
      name: 'Fuzz',
      description: 'd',
      legalBasis: 'consent',
      method: 'manual',
      dataCategories: ['contact'],
      channels: ['email'],
      retentionDays: 30,
      noticeVersion: 'n-1',
    },
  },
  { method: 'PUT', path: '/v1/purposes/{purposeKey}', permission: 'purposes:manage' },
  { method: 'POST', path: '/v1/purposes/{purposeKey}/retire', permission: 'purposes:manage' },
  {
    method: 'POST',
    path: '/v1/customers/{customerId}/consents',
    permission: 'consent:manage',
    body: {
      purposeKey: 'fuzz',
      channel: 'email',
      scope: 'general',
      evidence: { noticeVersion: 'n-1', method: 'checkbox', source: 'web', collector: 'system:web', collectedAt: '2026-11-22T10:00:00.000Z' },
    },
  },
  {
    method: 'POST',
    path: '/v1/customers/{customerId}/consents/withdraw',
    permission: 'consent:manage',
    body: { purposeKey: 'fuzz', channel: 'email', scope: 'general', method: 'link', source: 'email' },
  },
  { method: 'GET', path: '/v1/customers/{customerId}/consents', permission: 'consent:read' },
  { method: 'GET', path: '/v1/customers/{customerId}/consents/state', permission: 'consent:read' },
  { method: 'GET', path: '/v1/consent-receipts/{receiptId}', permission: 'consent:read' },
  { method: 'GET', path: '/v1/consent-receipts', permission: 'consent:read' },
  { method: 'GET', path: '/v1/consents/overview', permission: 'consent:read' },
  {
    method: 'POST',
    path: '/v1/decisions',
    permission: 'decisions:request',
    body: { customerId: '0190a9d1-0000-7000-8000-000000000001', purpose: 'fuzz', channel: 'email', dataCategories: ['contact'] },
  },
  { method: 'GET', path: '/v1/whatsapp/numbers', permission: 'messaging:read' },
  {
    method: 'PUT',
    path: '/v1/whatsapp/numbers/{bindingId}',
    permission: 'messaging:manage',
    body: { baseUrl: 'http://127.0.0.1:4020', version: 'v23.0', phoneNumberId: '100000000000001', businessAccountId: '200000000000001' },
  },
  { method: 'DELETE', path: '/v1/whatsapp/numbers/{bindingId}', permission: 'messaging:manage' },
  { method: 'POST', path: '/v1/whatsapp/numbers/{bindingId}/templates/sync', permission: 'messaging:manage' },
  { method: 'GET', path: '/v1/whatsapp/templates', permission: 'messaging:read' },
  { method: 'PUT', path: '/v1/whatsapp/numbers/{bindingId}/templates/{templateId}/purpose', permission: 'messaging:manage', body: { purposeKey: 'fuzz' } },
  { method: 'GET', path: '/v1/whatsapp/settings', permission: 'messaging:read' },
  {
    method: 'PUT',
    path: '/v1/whatsapp/settings',
    permission: 'messaging:manage',
    body: {
      marketingCap: 4,
      frequencyWindowDays: 7,
      quietHours: { from: '21:00', to: '08:00' },
      defaultZone: 'Asia/Shanghai',
      stopKeywords: { en: ['UNSUBSCRIBE'] },
      thirdParty: 'Meta Platforms',
      transferCountry: 'US',
      logRetentionDays: 400,
    },
  },
  {
    method: 'POST',
    path: '/v1/whatsapp/campaigns',
    permission: 'messaging:send',
    body: { name: 'fuzz', bindingId: '0190a9d1-0000-7000-8000-000000000001', templateId: '1000000000000001', parameters: ['x'] },
  },
  { method: 'GET', path: '/v1/whatsapp/campaigns', permission: 'messaging:read' },
  { method: 'GET', path: '/v1/whatsapp/campaigns/{campaignId}', permission: 'messaging:read' },
  { method: 'POST', path: '/v1/whatsapp/campaigns/{campaignId}/preview', permission: 'messaging:send' },
  { method: 'POST', path: '/v1/whatsapp/campaigns/{campaignId}/start', permission: 'messaging:send' },
  { method: 'POST', path: '/v1/whatsapp/campaigns/{campaignId}/pause', permission: 'messaging:send' },
  { method: 'POST', path: '/v1/whatsapp/campaigns/{campaignId}/resume', permission: 'messaging:send' },
  { method: 'POST', path: '/v1/whatsapp/campaigns/{campaignId}/cancel', permission: 'messaging:send' },
  {
    method: 'POST',
    path: '/v1/whatsapp/messages',
    permission: 'messaging:send',
    body: {
      bindingId: '0190a9d1-0000-7000-8000-000000000001',
      templateId: '1000000000000001',
      customerId: '0190a9d1-0000-7000-8000-000000000001',
      parameters: ['x'],
    },
  },
  { method: 'GET', path: '/v1/whatsapp/messages', permission: 'messaging:read' },
  { method: 'GET', path: '/v1/whatsapp/messages/{messageId}', permission: 'messaging:read' },
  { method: 'GET', path: '/v1/whatsapp/statistics', permission: 'messaging:read' },
  { method: 'GET', path: '/v1/processing-record', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/checkpoints/latest', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/checkpoints', permission: 'processing-record:read' },
  { method: 'POST', path: '/v1/processing-record/checkpoints', permission: 'processing-record:manage', as: 'officer' },
  { method: 'GET', path: '/v1/processing-record/entries/{index}', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/proofs/inclusion', query: '?index=0&size=1', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/proofs/consistency', query: '?from=1&to=1', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/records', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/records/export.csv', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/records/export.json', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/verification', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/verification-runs', permission: 'processing-record:read' },
  { method: 'GET', path: '/v1/processing-record/checkpoints/history', permission: 'processing-record:read' },
  { method: 'POST', path: '/v1/processing-record/verification-runs', permission: 'processing-record:read' },
  { method: 'POST', path: '/v1/processing-record/exports', permission: 'processing-record:manage', as: 'officer' },
  { method: 'GET', path: '/v1/processing-record/legal-holds', permission: 'processing-record:read' },
  { method: 'POST', path: '/v1/processing-record/legal-holds', permission: 'processing-record:manage', body: { reason: 'fuzz' }, as: 'officer' },
  { method: 'POST', path: '/v1/processing-record/legal-holds/{holdId}/release', permission: 'processing-record:manage', as: 'officer' },
  { method: 'GET', path: '/v1/processing-activities', permission: 'register:read' },
  { method: 'GET', path: '/v1/processing-activities/export.json', permission: 'register:read' },
  { method: 'GET', path: '/v1/processing-activities/export.csv', permission: 'register:read' },
  { method: 'GET', path: '/v1/processing-activities/export.html', permission: 'register:read' },
  {
    method: 'POST',
    path: '/v1/processing-activities',
    permission: 'register:manage',
    body: ACTIVITY,
  },
  {
    method: 'PUT',
    path: '/v1/processing-activities/{activityId}',
    permission: 'register:manage',
    body: ACTIVITY,
  },
  { method: 'GET', path: '/v1/processing-activities/{activityId}/versions', permission: 'register:read' },
  { method: 'GET', path: '/v1/impact-assessments', permission: 'register:read' },
  {
    method: 'POST',
    path: '/v1/impact-assessments',
    permission: 'register:manage',
    body: {
      activityIds: ['0190a9d1-0000-7000-8000-000000000001'],
      assessedOn: '2026-11-20',
      assessor: 'privacy team',
      lawfulnessAndNecessity: 'x',
      impactOnRights: 'x',
      risks: [],
      measures: [],
      conclusion: 'acceptable',
    },
  },
  { method: 'GET', path: '/v1/incidents', permission: 'register:read' },
  {
    method: 'POST',
    path: '/v1/incidents',
    permission: 'register:manage',
    body: {
      kind: 'leak',
      description: 'x',
      awareAt: '2026-11-20T10:00:00Z',
      dataCategories: ['contact'],
      affectedSubjectsEstimate: 1,
      likelyConsequences: 'x',
    },
  },
  { method: 'GET', path: '/v1/incidents/{incidentId}', permission: 'register:read' },
  { method: 'POST', path: '/v1/incidents/{incidentId}/updates', permission: 'register:manage', body: { type: 'remedy', at: '2026-11-20T11:00:00Z' } },
  {
    method: 'POST',
    path: '/v1/decisions/bulk',
    permission: 'decisions:request',
    body: { customerIds: ['0190a9d1-0000-7000-8000-000000000001'], purpose: 'fuzz', channel: 'email', dataCategories: ['contact'] },
  },
  { method: 'POST', path: '/v1/platform/notifications/{notificationId}/retry', permission: 'platform:operate' },
  {
    method: 'POST',
    path: '/v1/data-subject-requests',
    permission: 'requests:submit',
    body: {
      customerId: '0190a9d1-0000-7000-8000-000000000001',
      type: 'access',
      channel: 'web',
      requester: { relation: 'self', contact: { email: 'fuzz@example.org' } },
    },
  },
  { method: 'GET', path: '/v1/data-subject-requests', permission: 'requests:read' },
  {
    method: 'POST',
    path: '/v1/data-subject-requests/bulk-actions',
    permission: 'requests:manage',
    body: { action: 'assign', handler: 'user:h', filter: { channel: 'letter' } },
  },
  { method: 'GET', path: '/v1/data-subject-requests/bulk-actions', permission: 'requests:read' },
  { method: 'GET', path: '/v1/data-subject-requests/bulk-actions/{jobId}', permission: 'requests:read' },
  { method: 'GET', path: '/v1/data-subject-requests/{requestId}', permission: 'requests:read' },
  { method: 'GET', path: '/v1/data-subject-requests/{requestId}/deletion', permission: 'requests:read' },
  { method: 'GET', path: '/v1/data-subject-requests/{requestId}/timeline', permission: 'requests:read' },
  { method: 'GET', path: '/v1/data-subject-requests/{requestId}/requester', permission: 'personal-data:read' },
  { method: 'POST', path: '/v1/data-subject-requests/{requestId}/comments', permission: 'requests:manage', body: { text: 'fuzz' } },
  { method: 'POST', path: '/v1/data-subject-requests/{requestId}/verification-codes', permission: 'requests:manage' },
  {
    method: 'POST',
    path: '/v1/data-subject-requests/{requestId}/verification',
    permission: 'requests:manage',
    body: { challengeId: '0190a9d1-0000-7000-8000-000000000001', code: '123456' },
  },
  { method: 'POST', path: '/v1/data-subject-requests/{requestId}/identity-checks', permission: 'requests:manage', body: { note: 'checked' } },
  { method: 'POST', path: '/v1/data-subject-requests/{requestId}/assignment', permission: 'requests:manage', body: { handler: 'user:h' } },
  { method: 'POST', path: '/v1/data-subject-requests/{requestId}/escalations', permission: 'requests:manage', body: { reason: 'fuzz' } },
  {
    method: 'POST',
    path: '/v1/data-subject-requests/{requestId}/extension',
    permission: 'requests:manage',
    body: { reason: 'fuzz', dueOn: '2027-01-01', requesterToldAt: '2026-11-20T10:00:00Z' },
  },
  { method: 'POST', path: '/v1/data-subject-requests/{requestId}/start', permission: 'requests:manage' },
  { method: 'POST', path: '/v1/data-subject-requests/{requestId}/execution', permission: 'requests:manage' },
  { method: 'GET', path: '/v1/data-subject-requests/{requestId}/certificate', permission: 'requests:read' },
  { method: 'GET', path: '/v1/data-subject-requests/{requestId}/retained', permission: 'requests:manage' },
  { method: 'GET', path: '/v1/data-subject-requests/{requestId}/export', permission: 'requests:manage' },
  { method: 'GET', path: '/v1/data-subject-requests/{requestId}/export.html', permission: 'requests:manage' },
  {
    method: 'POST',
    path: '/v1/data-subject-requests/{requestId}/rejection',
    permission: 'requests:manage',
    body: { reasons: ['fuzz'], complaint: 'dpa.example.org' },
  },
  { method: 'GET', path: '/v1/data-subject-request-policy', permission: 'requests:read' },
  {
    method: 'PUT',
    path: '/v1/data-subject-request-policy',
    permission: 'requests:policy',
    body: { policy: { kind: 'gdpr-month' }, holidays: [], retentionDuties: [{ field: 'bankAccount', reason: 'tax law', years: 10 }] },
  },
  { method: 'GET', path: '/v1/platform/data-subject-requests/escalated', permission: 'platform:operate' },
];

const ISSUER = 'https://idp.test';
const AUDIENCE = 'attest-api';

describe('API platform: authentication, permissions, tenants, errors (real HTTP, real Postgres)', () => {
  const api = new ApiHarness();
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let adminA: string;
  let adminB: string;
  let keyIdOfA: string;
  let operator: string;
  let officer: string;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: { body: unknown }): T => res.body as T;
  /** Member accounts of tenant-a: delegations go to accounts of the tenant only. */
  const users: Record<'u1' | 'u5' | 'u7' | 'u9' | 'u42', string> = { u1: '', u5: '', u7: '', u9: '', u42: '' };

  async function token(claims: Record<string, unknown>, options: { expiresIn?: string; audience?: string } = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(signingKey);
  }

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    await api.start('access_e2e', { oidc: { issuer: ISSUER, audience: AUDIENCE, jwks: createLocalJWKSet({ keys: [jwk] }) } });
    adminA = await api.key('tenant-a', ['org-admin']);
    adminB = await api.key('tenant-b', ['org-admin']);
    operator = await api.key('platform', ['platform-operator']);
    officer = await api.key('tenant-a', ['compliance-officer']);
    // Invited and accepted through the accounts context's own commands (the token is ours, so no mail is needed).
    const bus = api.app.get(CommandBus);
    const context = { tenantId: 'tenant-a', actor: 'system:test', correlationId: uuidv7(), commandId: uuidv7() };
    for (const name of ['u1', 'u5', 'u7', 'u9', 'u42'] as const) {
      const accountId = uuidv7();
      const token = `invitation-token-${name}-${accountId.slice(-12)}`;
      const contact = { name, email: `${name}@example.org`, phone: null };
      await bus.execute(
        new RunAccountCommand(context, {
          kind: 'InviteEndUser',
          accountId,
          departmentId: null,
          contact,
          birthDate: null,
          minor: null,
          token,
          tokenHash: hashInvitationToken(token),
          expiresAt: new Date(Date.now() + 86_400_000),
        }),
      );
      await bus.execute(new RunAccountCommand(context, { kind: 'AcceptInvitation', accountId, tokenHash: hashInvitationToken(token) }));
      users[name] = accountId;
    }
    const issued = await api.call('POST', '/v1/api-keys', { key: adminA, body: { roles: ['service'], label: 'owned by a' } });
    keyIdOfA = (issued.body as { keyId: string }).keyId;
  }, 60_000);

  afterAll(async () => {
    await api.stop();
  });

  const SOME_ID = '0190a9d1-0000-7000-8000-000000000001';
  const pathFor = (r: RouteCase): string =>
    r.path
      .replace('{keyId}', keyIdOfA)
      .replace('{index}', '0')
      .replace('{userId}', users.u1)
      .replace('{purposeKey}', 'fuzz')
      .replace('{name}', 'fuzz-view')
      .concat(r.query ?? '')
      .replace(
        /\{(accountId|departmentId|bindingId|holdId|requestId|notificationId|deliveryId|customerId|receiptId|activityId|incidentId|jobId|campaignId|messageId)\}/g,
        SOME_ID,
      )
      .replace('{templateId}', '1000000000000001');

  it('every route declares a permission or is public, and the table above lists every permissioned route', () => {
    const found: string[] = [];
    for (const module of api.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const cls = wrapper.metatype as (new (...args: never[]) => object) | null;
        if (!cls) continue;
        const base = String(Reflect.getMetadata('path', cls) ?? '');
        for (const name of Object.getOwnPropertyNames(cls.prototype)) {
          const handler = (cls.prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata('method', handler) === undefined) continue;
          const permission = (Reflect.getMetadata(PERMISSION_KEY, handler) ?? Reflect.getMetadata(PERMISSION_KEY, cls)) as string | undefined;
          const isPublic = Reflect.getMetadata(PUBLIC_KEY, handler) === true || Reflect.getMetadata(PUBLIC_KEY, cls) === true;
          const sub = String(Reflect.getMetadata('path', handler) ?? '');
          const path = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
          if (!permission && !isPublic) throw new Error(`${cls.name}.${name} (${path}) declares no permission`);
          if (permission)
            found.push(`${['GET', 'POST', 'PUT', 'DELETE', 'PATCH'][Reflect.getMetadata('method', handler) as number] ?? '?'} ${path} ${permission}`);
        }
      }
    }
    expect(found.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path} ${r.permission}`).sort());
  });

  describe.each(ROUTES)('$method $path', (route) => {
    it('answers 401 problem+json without credentials', async () => {
      const res = await api.call(route.method, pathFor(route), route.body ? { body: route.body } : {});
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, code: 'AUTH.MISSING_CREDENTIALS' });
    });

    it('answers 403 to a principal without the permission', async () => {
      const noRoles = await token({ sub: 'user-nobody', tenant_id: 'tenant-a', roles: [] });
      const res = await api.call(route.method, pathFor(route), { key: noRoles, ...(route.body ? { body: route.body } : {}) });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'AUTH.FORBIDDEN' });
    });

    if (route.tenantResource) {
      it("answers 404 for another tenant's resource and changes nothing", async () => {
        const before = await api.eventCount();
        const res = await api.call(route.method, pathFor(route), { key: adminB, ...(route.body ? { body: route.body } : {}) });
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ code: 'API_KEY.NOT_FOUND' });
        expect(await api.eventCount()).toBe(before);
      });
    }
  });

  it('a NUL or a lone surrogate in any string of a body is refused with problem+json, never a 5xx', async () => {
    /** Every path to a string inside a body, with the body that has it replaced. */
    const variants = (value: unknown, replace: (s: string) => string): unknown[] => {
      if (typeof value === 'string') return [replace(value)];
      if (Array.isArray(value)) {
        const items: readonly unknown[] = value;
        return items.flatMap((item, i) => variants(item, replace).map((v): unknown[] => items.map((x, j) => (i === j ? v : x))));
      }
      if (value !== null && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        return Object.keys(record).flatMap((k) => variants(record[k], replace).map((v) => ({ ...record, [k]: v })));
      }
      return [];
    };
    const failures: string[] = [];
    for (const route of ROUTES.filter((r) => r.body)) {
      for (const [label, replace] of [
        ['NUL', (x: string) => `${x}\u0000`],
        ['lone surrogate', (x: string) => `${x}\ud800`],
      ] as const) {
        for (const body of variants(route.body, replace)) {
          const res = await api.call(route.method, pathFor(route), {
            key: route.as === 'operator' ? operator : route.as === 'officer' ? officer : adminA,
            body: JSON.stringify(body),
          });
          const json = (res.headers.get('content-type') ?? '').startsWith('application/problem+json');
          if (res.status >= 500 || (res.status >= 400 && !json)) failures.push(`${route.method} ${route.path} (${label}): ${String(res.status)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  describe('invalid input: 400 problem+json, nothing written (property-based)', () => {
    const commands = ROUTES.filter((r) => r.method === 'POST' && r.body);
    const wrongType = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.dictionary(fc.string(), fc.integer()),
      fc.array(fc.integer(), { minLength: 1 }),
    );
    const notAnObject = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.array(fc.anything()));

    it.each(commands.map((r) => [`${r.method} ${r.path}`, r] as const))(
      '%s',
      async (_name, route) => {
        const valid = route.body ?? {};
        const fields = Object.keys(valid);
        const invalidBody = fc.oneof(
          // an unknown property next to valid ones
          fc
            .tuple(
              fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !fields.includes(k) && !['__proto__', 'constructor'].includes(k)),
              fc.jsonValue(),
            )
            .map(([k, v]) => ({ ...valid, [k]: v })),
          // one field of the wrong type
          fc
            .tuple(fc.constantFrom(...fields), wrongType)
            // "Wrong" must differ in kind from the valid value (an integer is not wrong for a number field).
            .filter(([k, v]) => typeof v !== typeof valid[k] || Array.isArray(v) !== Array.isArray(valid[k]) || (v === null) !== (valid[k] === null))
            .map(([k, v]) => ({ ...valid, [k]: v })),
          // a required field missing
          fc.constantFrom(...fields).map((k) => Object.fromEntries(Object.entries(valid).filter(([f]) => f !== k))),
          // not an object at all
          notAnObject,
        );
        await fc.assert(
          fc.asyncProperty(invalidBody, async (body) => {
            const before = await api.eventCount();
            const res = await api.call(route.method, pathFor(route), {
              key: route.as === 'operator' ? operator : route.as === 'officer' ? officer : adminA,
              body: JSON.stringify(body),
            });
            expect(res.status).toBe(400);
            expect(res.headers.get('content-type')).toContain('application/problem+json');
            expect(['VALIDATION.FAILED', 'HTTP.MALFORMED_BODY']).toContain((res.body as { code: string }).code);
            expect(await api.eventCount()).toBe(before);
          }),
          { numRuns: 40 },
        );
      },
      60_000,
    );

    it('refuses an e-mail address as user id', async () => {
      const res = await api.call('POST', '/v1/delegations/jane.doe%40example.com/grant', { key: adminA, body: { permissions: ['event-log:read'] } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION.FAILED', errors: [{ field: 'userId' }] });
    });
  });

  describe('errors', () => {
    it('answers 415 for a non-JSON body, 413 for a large one, 400 for malformed JSON, 404 for unknown routes', async () => {
      expect(
        (await api.call('POST', '/v1/api-keys', { key: adminA, body: 'roles=service', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).body,
      ).toMatchObject({ status: 415, code: 'HTTP.UNSUPPORTED_MEDIA_TYPE' });
      expect((await api.call('POST', '/v1/api-keys', { key: adminA, body: `{"label":"${'a'.repeat(1_100_000)}"}` })).body).toMatchObject({
        status: 413,
        code: 'HTTP.PAYLOAD_TOO_LARGE',
      });
      expect((await api.call('POST', '/v1/api-keys', { key: adminA, body: '{"roles":' })).body).toMatchObject({ status: 400, code: 'HTTP.MALFORMED_BODY' });
      expect((await api.call('GET', '/v1/nothing-here', { key: adminA })).body).toMatchObject({ status: 404, code: 'HTTP.NOT_FOUND' });
    });

    it('refuses a key with more rights than its issuer (403) and a conflicting revoke (409)', async () => {
      expect((await api.call('POST', '/v1/api-keys', { key: adminA, body: { roles: ['platform-operator'], label: 'x' } })).body).toMatchObject({
        status: 403,
        code: 'API_KEY.ROLE_ESCALATION',
      });
      const issued = (await api.call('POST', '/v1/api-keys', { key: adminA, body: { roles: ['service'], label: 'twice' } })).body as { keyId: string };
      expect((await api.call('POST', `/v1/api-keys/${issued.keyId}/revoke`, { key: adminA, body: { reason: 'x' } })).status).toBe(200);
      expect((await api.call('POST', `/v1/api-keys/${issued.keyId}/revoke`, { key: adminA, body: { reason: 'x' } })).body).toMatchObject({
        status: 409,
        code: 'API_KEY.ALREADY_REVOKED',
      });
    });
  });

  describe('API keys', () => {
    it('are shown once, listed without secrets, and stop working on the request after revocation', async () => {
      const issued = await api.call('POST', '/v1/api-keys', { key: adminA, body: { roles: ['service'], label: 'short lived' } });
      expect(issued.status).toBe(201);
      const { key, keyId } = issued.body as { key: string; keyId: string };
      expect(key).toMatch(/^atk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      expect((await api.call('GET', '/v1/me', { key })).body).toMatchObject({ actor: `apiKey:${keyId}`, tenantId: 'tenant-a', roles: ['service'] });
      const listing = await api.call('GET', '/v1/api-keys', { key: adminA });
      expect(listing.text).not.toContain(key);
      expect(listing.text).not.toContain(key.slice(18));
      expect((await api.call('POST', `/v1/api-keys/${keyId}/revoke`, { key: adminA, body: { reason: 'rotated' } })).status).toBe(200);
      expect((await api.call('GET', '/v1/me', { key })).body).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
    });

    it('show their last use (this process writes its uses before listing)', async () => {
      const issued = (await api.call('POST', '/v1/api-keys', { key: adminA, body: { roles: ['service'], label: 'used once' } })).body as {
        key: string;
        keyId: string;
      };
      const unused = (await api.call('GET', `/v1/api-keys/${issued.keyId}`, { key: adminA })).body as { lastUsedAt: string | null };
      expect(unused.lastUsedAt).toBeNull();
      const before = Date.now();
      expect((await api.call('GET', '/v1/me', { key: issued.key })).status).toBe(200);
      const listing = (await api.call('GET', '/v1/api-keys', { key: adminA })).body as { keyId: string; lastUsedAt: string | null }[];
      const used = listing.find((k) => k.keyId === issued.keyId);
      expect(Date.parse(used?.lastUsedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
      // The row carries the key's tenant, taken from the key itself (row-level security filters by it).
      const rows: { tenant_id: string }[] = await api.infra.dataSource.query(`SELECT tenant_id FROM access.api_key_uses WHERE key_id = $1`, [issued.keyId]);
      expect(rows).toEqual([{ tenant_id: 'tenant-a' }]);
    });

    it('rotate: the new key works at once, the old one for the grace period only, never twice, and with no grace not at all', async () => {
      const first = (await api.call('POST', '/v1/api-keys', { key: adminA, body: { roles: ['service'], label: 'crm rotated', expiresInDays: 30 } })).body as {
        key: string;
        keyId: string;
      };
      const rotated = await api.call('POST', `/v1/api-keys/${first.keyId}/rotate`, { key: adminA, body: { graceHours: 24 } });
      expect(rotated.status).toBe(201);
      const second = rotated.body as {
        key: string;
        keyId: string;
        label: string;
        roles: string[];
        expiresAt: string;
        replaces: string;
        replacedKeyExpiresAt: string;
      };
      expect(second).toMatchObject({ label: 'crm rotated', roles: ['service'], replaces: first.keyId });
      // The new key lives as long as the old one was issued for; the old one a day more.
      expect(Date.parse(second.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
      expect(Math.abs(Date.parse(second.replacedKeyExpiresAt) - Date.now() - 86_400_000)).toBeLessThan(60_000);
      expect((await api.call('GET', '/v1/me', { key: second.key })).status).toBe(200);
      expect((await api.call('GET', '/v1/me', { key: first.key })).status).toBe(200);
      const old = (await api.call('GET', `/v1/api-keys/${first.keyId}`, { key: adminA })).body as {
        replacedBy: string;
        expiresAt: string;
        revokedAt: string | null;
      };
      expect(old).toMatchObject({ replacedBy: second.keyId, expiresAt: second.replacedKeyExpiresAt, revokedAt: null });
      expect((await api.call('POST', `/v1/api-keys/${first.keyId}/rotate`, { key: adminA, body: {} })).body).toMatchObject({
        status: 409,
        code: 'API_KEY.ALREADY_ROTATED',
      });
      expect((await api.call('POST', `/v1/api-keys/${second.keyId}/rotate`, { key: adminA, body: { graceHours: 169 } })).body).toMatchObject({ status: 400 });

      const third = (await api.call('POST', `/v1/api-keys/${second.keyId}/rotate`, { key: adminA, body: {} })).body as { key: string };
      expect((await api.call('GET', '/v1/me', { key: second.key })).body).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
      expect((await api.call('GET', '/v1/me', { key: third.key })).status).toBe(200);
    });

    it('of another tenant never show up in a listing', async () => {
      const listing = (await api.call('GET', '/v1/api-keys', { key: adminB })).body as { keyId: string }[];
      expect(listing.map((k) => k.keyId)).not.toContain(keyIdOfA);
    });
  });

  describe('Idempotency-Key', () => {
    it('a repeated command returns the first result and appends nothing', async () => {
      const call = () =>
        api.call('POST', `/v1/delegations/${users.u7}/grant`, {
          key: adminA,
          body: { permissions: ['event-log:read'] },
          headers: { 'Idempotency-Key': 'grant-user-7' },
        });
      const first = await call();
      const count = await api.eventCount();
      const again = await call();
      expect(again.status).toBe(first.status);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await api.eventCount()).toBe(count);
      const other = await api.call('POST', `/v1/delegations/${users.u7}/grant`, {
        key: adminA,
        body: { permissions: ['api-keys:read'] },
        headers: { 'Idempotency-Key': 'grant-user-7' },
      });
      expect(other.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY.KEY_REUSED' });
    });

    it('never replays a secret', async () => {
      const call = () =>
        api.call('POST', '/v1/api-keys', { key: adminA, body: { roles: ['service'], label: 'idem' }, headers: { 'Idempotency-Key': 'issue-1' } });
      const first = (await call()).body as Record<string, unknown>;
      const count = await api.eventCount();
      const again = (await call()).body as Record<string, unknown>;
      expect(first['key']).toBeDefined();
      expect(again).toEqual(Object.fromEntries(Object.entries(first).filter(([k]) => k !== 'key')));
      expect(await api.eventCount()).toBe(count);
    });
  });

  describe('OIDC tokens', () => {
    it('map subject, tenant and roles; delegated permissions apply to end users at once', async () => {
      const user = await token({ sub: users.u42, tenant_id: 'tenant-a', roles: ['end-user'] });
      expect((await api.call('GET', '/v1/me', { key: user })).body).toMatchObject({
        actor: `user:${users.u42}`,
        tenantId: 'tenant-a',
        via: 'jwt',
        permissions: ['account:self', 'consent:manage', 'consent:read', 'customers:manage', 'customers:read', 'decisions:request', 'profile:read'],
      });
      expect((await api.call('GET', '/v1/event-log/stats', { key: user })).status).toBe(403);
      expect((await api.call('POST', `/v1/delegations/${users.u42}/grant`, { key: adminA, body: { permissions: ['event-log:read'] } })).body).toEqual({
        userId: users.u42,
        permissions: ['event-log:read'],
      });
      expect((await api.call('GET', '/v1/event-log/stats', { key: user })).status).toBe(200);
      await api.call('POST', `/v1/delegations/${users.u42}/revoke`, { key: adminA, body: { permissions: ['event-log:read'] } });
      expect((await api.call('GET', '/v1/event-log/stats', { key: user })).status).toBe(403);
      // A delegation in tenant A means nothing for the same subject in tenant B.
      expect((await api.call('GET', `/v1/delegations/${users.u42}`, { key: adminB })).body).toEqual({ userId: users.u42, permissions: [] });
    });

    it('an end user with api-keys:manage issues keys only within what they hold; the keys stop when the permission or the person does', async () => {
      const user = await token({ sub: users.u5, tenant_id: 'tenant-a', roles: ['end-user'] });
      expect(
        (await api.call('POST', `/v1/delegations/${users.u5}/grant`, { key: adminA, body: { permissions: ['api-keys:manage', 'api-keys:read'] } })).status,
      ).toBe(200);
      // The reported escalation: an org-admin (or service) key from an end user's delegation.
      for (const roles of [['org-admin'], ['service'], ['compliance-officer']]) {
        expect((await api.call('POST', '/v1/api-keys', { key: user, body: { roles, label: 'escalation' } })).body).toMatchObject({
          status: 403,
          code: 'API_KEY.ROLE_ESCALATION',
        });
      }
      // Within what they hold is allowed, and the key records its issuer.
      const first = body<{ keyId: string; key: string }>(await api.call('POST', '/v1/api-keys', { key: user, body: { roles: ['end-user'], label: 'mine 1' } }));
      const second = body<{ keyId: string; key: string }>(
        await api.call('POST', '/v1/api-keys', { key: user, body: { roles: ['end-user'], label: 'mine 2' } }),
      );
      expect(body<{ issuedBy: string }>(await api.call('GET', `/v1/api-keys/${first.keyId}`, { key: adminA })).issuedBy).toBe(`user:${users.u5}`);
      expect((await api.call('GET', '/v1/me', { key: first.key })).status).toBe(200);
      // Revoking api-keys:manage revokes what they issued with it, an event each with the reason.
      await api.call('POST', `/v1/delegations/${users.u5}/revoke`, { key: adminA, body: { permissions: ['api-keys:manage'] } });
      for (const k of [first, second]) {
        expect((await api.call('GET', '/v1/me', { key: k.key })).status).toBe(401);
        const events = await api.infra.store.readStream(`apiKey-${k.keyId}`);
        expect(events.at(-1)).toMatchObject({ type: 'ApiKeyRevoked.v1', data: { reason: 'issuer-lost-permission' } });
      }
      // Given the right again, a new key; then the person is suspended: that key stops too.
      await api.call('POST', `/v1/delegations/${users.u5}/grant`, { key: adminA, body: { permissions: ['api-keys:manage'] } });
      const third = body<{ keyId: string; key: string }>(await api.call('POST', '/v1/api-keys', { key: user, body: { roles: ['end-user'], label: 'mine 3' } }));
      expect((await api.call('GET', '/v1/me', { key: third.key })).status).toBe(200);
      expect(
        (await api.call('POST', `/v1/platform/accounts/${users.u5}/status`, { key: operator, body: { action: 'suspend', reason: 'violation' } })).status,
      ).toBe(200);
      expect((await api.call('GET', '/v1/me', { key: third.key })).status).toBe(401);
      expect((await api.infra.store.readStream(`apiKey-${third.keyId}`)).at(-1)).toMatchObject({
        type: 'ApiKeyRevoked.v1',
        data: { reason: 'issuer-suspended' },
      });
    });

    it('refuses a delegation to an account that does not exist or belongs to another tenant (404)', async () => {
      expect((await api.call('POST', `/v1/delegations/${uuidv7()}/grant`, { key: adminA, body: { permissions: ['event-log:read'] } })).body).toMatchObject({
        status: 404,
        code: 'DELEGATION.USER_NOT_FOUND',
      });
      expect((await api.call('POST', `/v1/delegations/${users.u1}/grant`, { key: adminB, body: { permissions: ['event-log:read'] } })).body).toMatchObject({
        status: 404,
        code: 'DELEGATION.USER_NOT_FOUND',
      });
      expect((await api.call('POST', '/v1/delegations/user-nobody/grant', { key: adminA, body: { permissions: ['event-log:read'] } })).body).toMatchObject({
        status: 404,
        code: 'DELEGATION.USER_NOT_FOUND',
      });
    });

    it('refuse expired tokens, wrong audiences, foreign signatures and e-mail subjects', async () => {
      const expired = await token({ sub: 'u1', tenant_id: 'tenant-a', roles: ['org-admin'] }, { expiresIn: '-1m' });
      expect((await api.call('GET', '/v1/me', { key: expired })).body).toMatchObject({ status: 401, code: 'AUTH.CREDENTIALS_EXPIRED' });
      const otherAudience = await token({ sub: 'u1', tenant_id: 'tenant-a', roles: ['org-admin'] }, { audience: 'someone-else' });
      expect((await api.call('GET', '/v1/me', { key: otherAudience })).body).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
      const foreign = await new SignJWT({ sub: 'u1', tenant_id: 'tenant-a', roles: ['org-admin'] })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign((await generateKeyPair('ES256')).privateKey);
      expect((await api.call('GET', '/v1/me', { key: foreign })).status).toBe(401);
      const email = await token({ sub: 'jane@example.com', tenant_id: 'tenant-a', roles: ['org-admin'] });
      expect((await api.call('GET', '/v1/me', { key: email })).body).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
      expect((await api.call('GET', '/v1/me', { key: 'not-a-token' })).status).toBe(401);
    });
  });

  describe('tenant isolation in Postgres (second line)', () => {
    it('the app role sees only the rows of the tenant set for its transaction, and writes none directly', async () => {
      const app = await api.infra.connectApp();
      const count: { n: string }[] = await app.query('SELECT count(*) AS n FROM access.api_keys_v1');
      expect(count).toEqual([{ n: '0' }]);
      const seen: unknown = await withTenant(app, 'tenant-b', (m) => m.query(`SELECT DISTINCT tenant_id FROM access.api_keys_v1`));
      expect(seen).toEqual([{ tenant_id: 'tenant-b' }]);
      const appUser: { u: string }[] = await app.query(`SELECT current_user AS u`);
      const ownerUser: { u: string }[] = await api.infra.dataSource.query(`SELECT current_user AS u`);
      expect(appUser).toEqual([{ u: 'attest_app' }]);
      expect(ownerUser[0]?.u).not.toBe('attest_app');
      await expect(app.query(`UPDATE access.api_keys_v1 SET label = 'x'`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`SELECT count(*) FROM event_store.events`)).rejects.toThrow(/permission denied/);
    });
  });

  describe('request context', () => {
    it('every event records tenant, actor, correlation, command and purpose; every log line the correlation id', async () => {
      const res = await api.call('POST', `/v1/delegations/${users.u9}/grant`, {
        key: adminA,
        body: { permissions: ['api-keys:read'] },
        headers: { 'X-Correlation-Id': 'corr-ctx-1', 'X-Purpose': 'access-administration' },
      });
      expect(res.status).toBe(200);
      const [event] = await api.infra.store.readStream(`delegation-tenant-a.${users.u9}`);
      expect(event?.metadata).toMatchObject({
        tenantId: 'tenant-a',
        actor: expect.stringMatching(/^apiKey:/) as string,
        correlationId: 'corr-ctx-1',
        purpose: 'access-administration',
      });
      expect(event?.metadata.commandId).toBeTruthy();
      expect(event?.metadata.causationId).toBe(event?.metadata.commandId);
      const lines = api.logLines.filter((l) => l.includes('corr-ctx-1'));
      expect(lines.length).toBeGreaterThan(0);
      expect(
        lines.some(
          (l) =>
            l.includes('"tenantId":"tenant-a"') &&
            l.includes('"purpose":"access-administration"') &&
            l.includes(`"causationId":"${event?.metadata.commandId ?? '?'}"`),
        ),
      ).toBe(true);
    });

    it('no canary value sent in a request reaches the logs', async () => {
      const canaries = ['canary.mail@example.org', '+8613812345678', 'CANARY-ID-7731', 'canary-secret-token'];
      await api.call('GET', `/v1/me?email=${encodeURIComponent(canaries[0]!)}`, { key: adminA });
      await api.call('POST', `/v1/delegations/${encodeURIComponent(canaries[0]!)}/grant`, { key: adminA, body: { permissions: ['event-log:read'] } });
      await api.call('POST', '/v1/api-keys', { key: adminA, body: { roles: ['service'], label: 'ok', phone: canaries[1] } });
      await api.call('POST', '/v1/api-keys', { key: adminA, body: { roles: [canaries[2]], label: canaries[1] } });
      await api.call('GET', '/v1/me', { key: canaries[3] });
      await api.call('GET', '/v1/me', { key: adminA, headers: { 'X-Purpose': canaries[0]! } });
      const logs = api.logLines.join('\n');
      expect(logs.length).toBeGreaterThan(0);
      for (const canary of canaries) expect(logs).not.toContain(canary);
      expect(logs).not.toContain(adminA);
    });
  });
});

describe('API platform: expiry and rate limits', () => {
  const clock = new FixedClock(new Date());
  const api = new ApiHarness();

  beforeAll(async () => {
    await api.start('access_limits', { rateLimitPerMinute: 3, clock, workers: false });
  });

  // The expiry test moves the clock a month on: every test starts at the present.
  beforeEach(() => {
    clock.set(new Date());
  });

  afterAll(async () => {
    await api.stop();
  });

  it('answers 429 with Retry-After past the limit of a credential', async () => {
    const key = await api.key('tenant-r', ['service']);
    for (let i = 0; i < 3; i++) expect((await api.call('GET', '/v1/me', { key })).status).toBe(200);
    const limited = await api.call('GET', '/v1/me', { key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ code: 'HTTP.TOO_MANY_REQUESTS' });
    const another = await api.key('tenant-r', ['service']);
    expect((await api.call('GET', '/v1/me', { key: another })).status).toBe(200);
  });

  // No workers here: a revocation appended to the log stays out of the read model until projected.
  it('rotate: when the old key changed meanwhile, the replacement is revoked again and nothing else changes', async () => {
    const admin = await api.key('tenant-raced', ['org-admin']);
    const issued = (await api.call('POST', '/v1/api-keys', { key: admin, body: { roles: ['service'], label: 'raced' } })).body as {
      keyId: string;
      key: string;
    };
    // A revocation recorded in the log but not yet in the read model (another process, a moment ago).
    const context = { tenantId: 'tenant-raced', actor: 'user:other', correlationId: uuidv7(), commandId: uuidv7() };
    await api.infra.store.appendToStream(
      `apiKey-${issued.keyId}`,
      [
        {
          id: uuidv7(),
          type: 'ApiKeyRevoked.v1',
          data: { keyId: issued.keyId, tenantId: 'tenant-raced', reason: 'elsewhere', revokedBy: 'user:other' },
          metadata: metadataFor(context, new Date()),
        },
      ],
      { expectedRevision: 'any' },
    );
    const refused = await api.call('POST', `/v1/api-keys/${issued.keyId}/rotate`, { key: admin, body: {} });
    expect(refused.body).toMatchObject({ status: 409, code: 'API_KEY.ALREADY_REVOKED' });
    const raced = ((await api.call('GET', '/v1/api-keys', { key: admin })).body as { label: string; revokedAt: string | null; keyId: string }[]).filter(
      (k) => k.label === 'raced' && k.keyId !== issued.keyId,
    );
    expect(raced).toHaveLength(1);
    expect(raced[0]?.revokedAt).not.toBeNull();
  });

  it('refuses an expired API key', async () => {
    const key = await api.key('tenant-x', ['service']);
    clock.advance(31 * 86_400_000);
    expect((await api.call('GET', '/v1/me', { key })).body).toMatchObject({ status: 401, code: 'AUTH.CREDENTIALS_EXPIRED' });
  });
});
