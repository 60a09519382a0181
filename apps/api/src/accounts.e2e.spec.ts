import { randomBytes } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { RunAccountCommand, RunAccountCommandHandler } from '@attest/accounts-application';
import { completeTenantClosures } from '@attest/runtime';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { scanForCanaries } from '@attest/testing';
import { ApiHarness, type ApiResponse } from './testing/api-harness';
import { changesWhenDeliveredTwice } from './testing/delivered-twice';
import { WebhookInbox, type InboxMessage } from './testing/webhook-inbox';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'attest-api';
const tag = randomBytes(3).toString('hex');
// Canaries: personal data that must never be found in plaintext at rest or in logs.
const people = {
  contact: { name: `Zhang Canary${tag}`, email: `zhang.${tag}@acme-canary.example`, phone: `+86139${String(Date.now()).slice(-8)}` },
  personal: { phone: `+86137${String(Date.now() + 1).slice(-8)}` },
  adult: { name: `Wang Adult${tag}`, email: `wang.${tag}@example.org` },
  minor: { name: `Li Minor${tag}`, email: `li.${tag}@example.org` },
  guardian: `Li Guardian${tag}`,
  declined: { name: `Chen Declined${tag}`, email: `chen.${tag}@example.org` },
  channel: `+86136${String(Date.now() + 2).slice(-8)}`,
};

describe('accounts and organizations end to end (A1–A12; real HTTP, real Postgres, real webhook receiver)', () => {
  const clock = new FixedClock(new Date());
  const api = new ApiHarness();
  let inbox: WebhookInbox;
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let operator: string;

  const token = (sub: string, tenant: string, roles: string[]): Promise<string> =>
    new SignJWT({ sub, tenant_id: tenant, roles })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(signingKey);

  /** Runs the outbox once and returns what arrived at the receiver. */
  async function deliver(): Promise<InboxMessage[]> {
    await api.runners.find((r) => r.name === 'account-notifications')?.catchUp();
    return inbox.dispatch();
  }

  async function codeFor(address: string): Promise<string> {
    const message = (await deliver()).find((m) => m.kind === 'one-time-code' && (m.payload.to.phone === address || m.payload.to.email === address));
    if (!message?.payload.code) throw new Error(`no code arrived for the test address`);
    return message.payload.code;
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: ApiResponse): T => res.body as T;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    await api.start('accounts_e2e', { clock, oidc: { issuer: ISSUER, audience: AUDIENCE, jwks: createLocalJWKSet({ keys: [jwk] }) } });
    operator = await api.key('platform', ['platform-operator']);
    inbox = await WebhookInbox.start(api.infra, clock);
  }, 60_000);

  afterAll(async () => {
    await inbox.stop();
    await api.stop();
  });

  let enterprise: { accountId: string; tenantId: string };
  let admin: string;

  describe('A1/A2 enterprise registration and verification', () => {
    const registration = {
      tenantId: `acme-${tag}`,
      legalName: 'Acme Trading Co., Ltd.',
      registrationNumber: `9131${tag.toUpperCase()}MA1K`,
      contact: people.contact,
      evidence: { documentRef: 'licences/acme.pdf', sha256: 'a'.repeat(64) },
    };

    it('A1: registers pending verification; A2: the same identifiers cannot register again', async () => {
      const res = await api.call('POST', '/v1/registrations/enterprise', { body: registration });
      expect(res.status).toBe(201);
      enterprise = body(res);
      expect(res.body).toMatchObject({ tenantId: registration.tenantId, status: 'active', verification: 'pending' });
      const again = await api.call('POST', '/v1/registrations/enterprise', { body: { ...registration, tenantId: `other-${tag}` } });
      expect(again.body).toMatchObject({ status: 409, code: 'ACCOUNT.IDENTIFIER_TAKEN' });
      const sameTenant = await api.call('POST', '/v1/registrations/enterprise', { body: { ...registration, registrationNumber: `X${tag}0001` } });
      expect(sameTenant.body).toMatchObject({ status: 409, code: 'ACCOUNT.IDENTIFIER_TAKEN' });
      expect((await api.call('POST', '/v1/registrations/enterprise', { body: { ...registration, contact: { name: 'x' } } })).body).toMatchObject({
        status: 409,
      });
    });

    it('A1: the operator rejects with reasons; the contact resubmits evidence with a one-time code; the operator verifies', async () => {
      const queue = body<{ accountId: string }[]>(await api.call('GET', '/v1/platform/accounts?verification=pending', { key: operator }));
      expect(queue.map((a) => a.accountId)).toContain(enterprise.accountId);
      const rejected = await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/verification`, {
        key: operator,
        body: { outcome: 'rejected', reasons: ['licence-expired'] },
      });
      expect(rejected.body).toMatchObject({ verification: 'rejected' });
      const notice = (await deliver()).find((m) => m.kind === 'verification-outcome');
      expect(notice?.payload).toMatchObject({ outcome: 'rejected', reasons: ['licence-expired'], to: { email: people.contact.email } });

      const { challengeId } = body<{ challengeId: string }>(
        await api.call('POST', `/v1/accounts/${enterprise.accountId}/codes`, { body: { purpose: 'evidence' } }),
      );
      const code = await codeFor(people.contact.phone);
      const resubmitted = await api.call('POST', `/v1/accounts/${enterprise.accountId}/evidence`, {
        body: { challengeId, code, evidence: { documentRef: 'licences/acme-2026.pdf', sha256: 'b'.repeat(64) } },
      });
      expect(resubmitted.body).toMatchObject({ verification: 'pending' });
      // A code works once.
      expect(
        (
          await api.call('POST', `/v1/accounts/${enterprise.accountId}/evidence`, {
            body: { challengeId, code, evidence: { documentRef: 'x', sha256: 'c'.repeat(64) } },
          })
        ).body,
      ).toMatchObject({
        code: 'OTP.ALREADY_USED',
      });
      expect(
        (await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/verification`, { key: operator, body: { outcome: 'verified' } })).body,
      ).toMatchObject({ verification: 'verified' });
      const detail = body<{ history: { event: string; reason: string | null }[] }>(
        await api.call('GET', `/v1/platform/accounts/${enterprise.accountId}`, { key: operator }),
      );
      expect(detail.history.map((h) => h.event)).toEqual([
        'EnterpriseRegistered.v1',
        'EnterpriseRejected.v1',
        'LicenceEvidenceSubmitted.v1',
        'EnterpriseVerified.v1',
      ]);
      admin = await api.key(enterprise.tenantId, ['org-admin']);
      expect(body<{ tenant: { accountId: string } }>(await api.call('GET', '/v1/organization', { key: admin })).tenant.accountId).toBe(enterprise.accountId);
    });
  });

  let personal: { accountId: string; tenantId: string };

  describe('A2 personal users', () => {
    it('registers an adult by phone and one-time code; refuses wrong codes, minors and repeated registration', async () => {
      const first = body<{ challengeId: string }>(await api.call('POST', '/v1/registrations/personal/code', { body: { phone: people.personal.phone } }));
      const code = await codeFor(people.personal.phone);
      const wrong = code === '000000' ? '000001' : '000000';
      expect(
        (await api.call('POST', '/v1/registrations/personal', { body: { challengeId: first.challengeId, code: wrong, birthDate: '1990-01-01' } })).body,
      ).toMatchObject({
        status: 400,
        code: 'OTP.INVALID',
        attemptsLeft: 4,
        detail: 'the code is not valid; 4 attempts left',
      });
      const underage = new Date(clock.now().getTime() - 17 * 365.25 * 86_400_000).toISOString().slice(0, 10);
      expect(
        (await api.call('POST', '/v1/registrations/personal', { body: { challengeId: first.challengeId, code, birthDate: underage } })).body,
      ).toMatchObject({
        status: 400,
        code: 'ACCOUNT.UNDERAGE',
      });
      // The underage attempt did not spend the code: the person corrects the date and goes on with it.
      const res = await api.call('POST', '/v1/registrations/personal', { body: { challengeId: first.challengeId, code, birthDate: '1990-01-01' } });
      expect(res.status).toBe(201);
      personal = body(res);
      expect(personal.tenantId).toMatch(/^p-[0-9a-f]{32}$/);
      // Further codes are refused as a repeat registration; a third code in the hour is the limit.
      for (let i = 0; i < 2; i++) {
        const again = body<{ challengeId: string }>(await api.call('POST', '/v1/registrations/personal/code', { body: { phone: people.personal.phone } }));
        expect(
          (
            await api.call('POST', '/v1/registrations/personal', {
              body: { challengeId: again.challengeId, code: await codeFor(people.personal.phone), birthDate: '1990-01-01' },
            })
          ).body,
        ).toMatchObject({
          status: 409,
          code: 'ACCOUNT.IDENTIFIER_TAKEN',
        });
      }
      expect((await api.call('POST', '/v1/registrations/personal/code', { body: { phone: people.personal.phone } })).body).toMatchObject({
        status: 429,
        code: 'OTP.TOO_MANY_CODES',
        retryAfterSeconds: 3600,
      });
    });
  });

  let adult: string;
  let minor: string;

  describe('A3/A12 organization structure and invitations', () => {
    let sales: string;

    it('A3: builds a department tree', async () => {
      sales = body<{ id: string }>(await api.call('POST', '/v1/organization/departments', { key: admin, body: { name: 'Sales' } })).id;
      const east = body<{ id: string }>(await api.call('POST', '/v1/organization/departments', { key: admin, body: { name: 'East', parentId: sales } })).id;
      expect((await api.call('POST', '/v1/organization/departments', { key: admin, body: { name: 'sales' } })).body).toMatchObject({
        status: 409,
        code: 'DEPARTMENT.NAME_TAKEN',
      });
      expect((await api.call('DELETE', `/v1/organization/departments/${sales}`, { key: admin })).body).toMatchObject({
        status: 409,
        code: 'DEPARTMENT.HAS_SUBDEPARTMENTS',
      });
      expect((await api.call('PATCH', `/v1/organization/departments/${east}`, { key: admin, body: { name: 'East China' } })).status).toBe(200);
      // A department with no subdepartments and no members can go.
      const temporary = body<{ id: string }>(
        await api.call('POST', '/v1/organization/departments', { key: admin, body: { name: 'Temporary', parentId: east } }),
      ).id;
      expect((await api.call('DELETE', `/v1/organization/departments/${temporary}`, { key: admin })).body).toMatchObject({ id: temporary });
      expect((await api.call('DELETE', `/v1/organization/departments/${temporary}`, { key: admin })).status).toBe(404);
      const org = body<{ departments: { name: string; parentId: string | null }[] }>(await api.call('GET', '/v1/organization', { key: admin }));
      expect(org.departments).toEqual([
        expect.objectContaining({ name: 'Sales', parentId: null }),
        expect.objectContaining({ name: 'East China', parentId: sales }),
      ]);
    });

    it('A3/A12: invites from a contact list; a minor needs guardian consent and verified identities', async () => {
      const minorBirth = new Date(clock.now().getTime() - 15 * 365.25 * 86_400_000).toISOString().slice(0, 10);
      const res = await api.call('POST', '/v1/organization/invitations', {
        key: admin,
        body: {
          invitations: [
            { contact: people.adult, departmentId: sales },
            { contact: people.minor, birthDate: minorBirth },
            {
              contact: people.minor,
              birthDate: minorBirth,
              minor: {
                guardian: { name: people.guardian, relationship: 'parent' },
                guardianConsentRef: 'consent/17',
                minorIdentityRef: 'kyc/18',
                guardianIdentityRef: 'kyc/19',
              },
            },
            { contact: people.declined },
            { contact: { name: 'No Department', email: 'nd@example.org' }, departmentId: uuidv7() },
            // Without identity references: this entry alone is refused, not the batch.
            {
              contact: { name: 'Minor Without Ids', email: 'mwi@example.org' },
              birthDate: minorBirth,
              minor: { guardian: { name: people.guardian, relationship: 'parent' }, guardianConsentRef: 'consent/20' },
            },
          ],
        },
      });
      expect(res.status).toBe(201);
      const outcomes = body<{ index: number; status: string; accountId?: string; code?: string }[]>(res);
      expect(outcomes.map((o) => [o.status, o.code])).toEqual([
        ['invited', undefined],
        ['refused', 'INVITATION.GUARDIAN_CONSENT_REQUIRED'],
        ['invited', undefined],
        ['invited', undefined],
        ['refused', 'DEPARTMENT.NOT_FOUND'],
        ['refused', 'INVITATION.IDENTITY_VERIFICATION_REQUIRED'],
      ]);
      adult = outcomes[0]?.accountId ?? '';
      minor = outcomes[2]?.accountId ?? '';
      const declined = outcomes[3]?.accountId ?? '';
      const pending = body<{ accountId: string; minor: boolean }[]>(await api.call('GET', '/v1/organization/members?status=invited', { key: admin }));
      expect(pending.map((p) => p.accountId).sort()).toEqual([adult, minor, declined].sort());
      expect(pending.find((p) => p.accountId === minor)?.minor).toBe(true);

      const invitations = (await deliver()).filter((m) => m.kind === 'invitation');
      const tokenOf = (id: string): string => invitations.find((m) => m.payload.accountId === id)?.payload.token ?? '';
      expect((await api.call('POST', `/v1/invitations/${adult}/accept`, { body: { token: tokenOf(minor) } })).body).toMatchObject({
        status: 403,
        code: 'INVITATION.INVALID_TOKEN',
      });
      expect((await api.call('POST', `/v1/invitations/${adult}/accept`, { body: { token: tokenOf(adult) } })).body).toMatchObject({ status: 'active' });
      expect((await api.call('POST', `/v1/invitations/${minor}/accept`, { body: { token: tokenOf(minor) } })).body).toMatchObject({ status: 'active' });
      expect((await api.call('POST', `/v1/invitations/${declined}/decline`, { body: { token: tokenOf(declined) } })).body).toMatchObject({
        status: 'invitation-closed',
      });
      // The same person is not invited twice: in one batch, or once already a member.
      const again = body<{ status: string; code?: string; detail?: string }[]>(
        await api.call('POST', '/v1/organization/invitations', {
          key: admin,
          body: {
            invitations: [
              { contact: people.adult },
              { contact: { name: 'Twice', email: `twice.${tag}@example.org` } },
              { contact: { name: 'Twice Again', email: `twice.${tag}@example.org` } },
            ],
          },
        }),
      );
      expect(again.map((o) => [o.status, o.code])).toEqual([
        ['refused', 'INVITATION.ALREADY_A_MEMBER'],
        ['invited', undefined],
        ['refused', 'INVITATION.ALREADY_INVITED'],
      ]);
      expect(again[0]?.detail).toContain(adult);
      expect(again[2]?.detail).toMatch(/open invitation .*expire/u);
      // Declining erases what the administrator entered about the contact.
      const declinedData = await api.call('GET', `/v1/organization/members/${declined}/personal-data`, {
        key: admin,
        headers: { 'x-purpose': 'member-administration' },
      });
      expect(declinedData.body).toMatchObject({ erased: true, name: null, email: null });
      const adultData = await api.call('GET', `/v1/organization/members/${adult}/personal-data`, {
        key: admin,
        headers: { 'x-purpose': 'member-administration' },
      });
      expect(adultData.body).toMatchObject({ erased: false, name: people.adult.name, email: people.adult.email });
      // C3: the read is itself a recorded processing action.
      await api.infra.recordLog.drain();
      const reads = await api.infra.dataSource.query<{ purpose: string; kind: string }[]>(
        `SELECT purpose, kind FROM processing.records WHERE subject = $1 AND kind = 'read'`,
        [await api.infra.privacy.pseudonymForSearch(enterprise.tenantId, adult)],
      );
      expect(reads).toEqual([{ purpose: 'member-administration', kind: 'read' }]);
      expect((await api.call('GET', `/v1/organization/members/${adult}/personal-data`, { key: admin })).body).toMatchObject({
        status: 400,
        code: 'PURPOSE.REQUIRED',
      });
    });

    it('A3: delegated management rights apply to the member at once; the admin action is the enterprise’s', async () => {
      const member = await token(adult, enterprise.tenantId, ['end-user']);
      expect((await api.call('GET', '/v1/organization/members', { key: member })).status).toBe(403);
      await api.call('POST', `/v1/delegations/${adult}/grant`, { key: admin, body: { permissions: ['organization:read'] } });
      const members = body<{ accountId: string; delegatedPermissions: string[]; departmentId: string | null }[]>(
        await api.call('GET', '/v1/organization/members?status=active', { key: member }),
      );
      expect(members.find((m) => m.accountId === adult)).toMatchObject({ delegatedPermissions: ['organization:read'], departmentId: sales });
      // One member answers as the list shows it, with its history.
      expect(body<unknown>(await api.call('GET', `/v1/organization/members/${adult}`, { key: member }))).toMatchObject({
        accountId: adult,
        delegatedPermissions: ['organization:read'],
        departmentId: sales,
        history: expect.any(Array) as unknown,
      });
    });

    it('A5: binds a WhatsApp Business number to one tenant only; unbinding erases the number', async () => {
      const bound = await api.call('POST', '/v1/organization/channels', {
        key: admin,
        body: { channel: 'whatsapp-business', externalAccountId: people.channel },
      });
      expect(bound.status).toBe(201);
      const otherAdmin = await api.key(`other-${tag}`, ['org-admin']);
      expect(
        (await api.call('POST', '/v1/organization/channels', { key: otherAdmin, body: { channel: 'whatsapp-business', externalAccountId: people.channel } }))
          .body,
      ).toMatchObject({
        status: 409,
        code: 'CHANNEL.BOUND_ELSEWHERE',
      });
      const { id } = body<{ id: string }>(bound);
      expect(
        body<{ channelBindings: { bindingId: string }[] }>(await api.call('GET', '/v1/organization', { key: admin })).channelBindings.map((b) => b.bindingId),
      ).toEqual([id]);
      expect((await api.call('DELETE', `/v1/organization/channels/${id}`, { key: admin })).status).toBe(200);
      expect(await api.infra.vault.isErased(id)).toBe(true);
      // Released: another tenant may bind it now.
      expect(
        (await api.call('POST', '/v1/organization/channels', { key: otherAdmin, body: { channel: 'whatsapp-business', externalAccountId: people.channel } }))
          .status,
      ).toBe(201);
    });
  });

  describe('A4/A6/A7 account states', () => {
    it('A4: a transfer is refused and the attempt recorded', async () => {
      const member = await token(adult, enterprise.tenantId, ['end-user']);
      const res = await api.call('POST', '/v1/accounts/me/transfer', { key: member, body: { newOwner: 'someone-else' } });
      expect(res.body).toMatchObject({ status: 403, code: 'ACCOUNT.NOT_TRANSFERABLE' });
      const me = body<{ history: { event: string; reason: string | null }[] }>(await api.call('GET', '/v1/accounts/me', { key: member }));
      expect(me.history.at(-1)).toMatchObject({ event: 'OwnerChangeRefused.v1', reason: 'transfer-refused' });
      // Naming a new owner is not needed to be refused.
      expect((await api.call('POST', '/v1/accounts/me/transfer', { key: member, body: {} })).body).toMatchObject({
        status: 403,
        code: 'ACCOUNT.NOT_TRANSFERABLE',
      });
    });

    it('A6/A7: a restricted login is refused until reactivated by a one-time code', async () => {
      const member = await token(adult, enterprise.tenantId, ['end-user']);
      await api.call('POST', `/v1/platform/accounts/${adult}/status`, {
        key: operator,
        body: { action: 'restrict', reason: 'violation', note: 'spam reports' },
      });
      expect((await api.call('GET', '/v1/accounts/me', { key: member })).body).toMatchObject({ status: 403, code: 'ACCOUNT.LOGIN_RESTRICTED' });
      expect((await deliver()).some((m) => m.kind === 'account-notice' && m.payload.accountId === adult && m.payload.reason === 'violation')).toBe(true);
      const { challengeId } = body<{ challengeId: string }>(await api.call('POST', `/v1/accounts/${adult}/codes`, { body: { purpose: 'reactivation' } }));
      const code = await codeFor(people.adult.email);
      expect((await api.call('POST', `/v1/accounts/${adult}/reactivation`, { body: { challengeId, code } })).body).toMatchObject({ status: 'active' });
      expect((await api.call('GET', '/v1/accounts/me', { key: member })).status).toBe(200);
      // Only a restricted account gets a reactivation code.
      expect((await api.call('POST', `/v1/accounts/${adult}/codes`, { body: { purpose: 'reactivation' } })).body).toMatchObject({
        status: 409,
        code: 'ACCOUNT.CODE_NOT_APPLICABLE',
      });
    });

    it('A6: a stolen-account report suspends at once; only the operator lifts a suspension; revocation is final', async () => {
      const member = await token(minor, enterprise.tenantId, ['end-user']);
      expect((await api.call('POST', '/v1/accounts/me/stolen-report', { key: member, body: {} })).body).toMatchObject({ status: 'suspended' });
      expect((await api.call('GET', '/v1/accounts/me', { key: member })).body).toMatchObject({ status: 403, code: 'ACCOUNT.SUSPENDED' });
      expect((await api.call('POST', `/v1/accounts/${minor}/codes`, { body: { purpose: 'reactivation' } })).body).toMatchObject({
        code: 'ACCOUNT.CODE_NOT_APPLICABLE',
      });
      expect(
        (await api.call('POST', `/v1/platform/accounts/${minor}/status`, { key: operator, body: { action: 'reactivate', reason: 'resolved' } })).body,
      ).toMatchObject({ status: 'active' });
      expect(
        (await api.call('POST', `/v1/platform/accounts/${minor}/status`, { key: operator, body: { action: 'revoke', reason: 'authority-request' } })).body,
      ).toMatchObject({ status: 'revoked' });
      expect(
        (await api.call('POST', `/v1/platform/accounts/${minor}/status`, { key: operator, body: { action: 'reactivate', reason: 'resolved' } })).body,
      ).toMatchObject({ status: 409, code: 'ACCOUNT.CLOSED' });
      expect((await api.call('GET', '/v1/accounts/me', { key: member })).body).toMatchObject({ code: 'ACCOUNT.REVOKED' });
      const history = body<{ history: { status: string; reason: string | null; decidedBy: string }[] }>(
        await api.call('GET', `/v1/organization/members/${minor}`, { key: admin }),
      ).history;
      expect(history.map((h) => [h.status, h.reason])).toEqual([
        ['invited', null],
        ['active', null],
        ['suspended', 'stolen-report'],
        ['active', 'resolved'],
        ['revoked', 'authority-request'],
      ]);
    });
  });

  describe('A9 cancellation and unbinding', () => {
    it('A9: cancellation is refused while a hold is open, then approved by the operator and the personal data erased (A8)', async () => {
      const user = await token(personal.accountId, personal.tenantId, ['org-admin']);
      const held = body<{ holds: { holdId: string }[] }>(
        await api.call('POST', `/v1/platform/accounts/${personal.accountId}/holds`, { key: operator, body: { kind: 'dispute', reference: 'case-2026-17' } }),
      );
      const refused = await api.call('POST', '/v1/accounts/me/cancellation', { key: user });
      expect(refused.body).toMatchObject({ status: 409, code: 'ACCOUNT.CANCELLATION_BLOCKED', blockers: ['open-dispute'] });
      await api.call('POST', `/v1/platform/accounts/${personal.accountId}/holds/${held.holds[0]?.holdId ?? ''}/release`, { key: operator });
      expect((await api.call('POST', '/v1/accounts/me/cancellation', { key: user })).body).toMatchObject({ cancellationRequested: true });
      const queue = body<{ accountId: string }[]>(await api.call('GET', '/v1/platform/accounts?cancellationRequested=true', { key: operator }));
      expect(queue.map((a) => a.accountId)).toEqual([personal.accountId]);
      expect((await api.call('POST', `/v1/platform/accounts/${personal.accountId}/cancellation/approve`, { key: operator })).body).toMatchObject({
        status: 'cancelled',
      });
      expect(await api.infra.vault.isErased(personal.accountId)).toBe(true);
      // The closing notice still reaches the holder, though their key is gone.
      expect(
        (await deliver()).some(
          (m) => m.kind === 'account-notice' && m.payload.accountId === personal.accountId && m.payload.to.phone === people.personal.phone,
        ),
      ).toBe(true);
      expect((await api.call('GET', '/v1/accounts/me', { key: user })).body).toMatchObject({ status: 403, code: 'TENANT.CLOSED' });
      // Erasure does not reset the hourly limit on codes to the number.
      expect((await api.call('POST', '/v1/registrations/personal/code', { body: { phone: people.personal.phone } })).body).toMatchObject({
        code: 'OTP.TOO_MANY_CODES',
      });
    });

    it('A9: the enterprise cancellation is refused while a transaction is unfinished', async () => {
      await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/holds`, {
        key: operator,
        body: { kind: 'unfinished-transaction', reference: 'order-88' },
      });
      expect((await api.call('POST', '/v1/organization/cancellation', { key: admin })).body).toMatchObject({
        status: 409,
        blockers: ['open-unfinished-transaction'],
      });
    });

    it('A9: end users unbind, with the enterprise’s approval when it requires one', async () => {
      expect((await api.call('PUT', '/v1/organization/settings', { key: admin, body: { unbindingApprovalRequired: true } })).status).toBe(200);
      const member = await token(adult, enterprise.tenantId, ['end-user']);
      expect((await api.call('POST', '/v1/accounts/me/unbinding', { key: member })).body).toMatchObject({ status: 'active', unbindingRequested: true });
      const waiting = body<{ accountId: string }[]>(await api.call('GET', '/v1/organization/members?unbindingRequested=true', { key: admin }));
      expect(waiting.map((w) => w.accountId)).toEqual([adult]);
      expect((await api.call('POST', `/v1/organization/members/${adult}/unbinding/approve`, { key: admin })).body).toMatchObject({ status: 'unbound' });
      expect(await api.infra.vault.isErased(adult)).toBe(true);
    });
  });

  describe('A10/A11 agreements and function-data deletion', () => {
    it('A10: an ended agreement schedules personal-data deletion six months later', async () => {
      const started = await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/agreement`, {
        key: operator,
        body: { action: 'start', startsOn: '2026-01-01', endsOn: '2027-12-31' },
      });
      expect(started.body).toMatchObject({ agreement: { status: 'active', endsOn: '2027-12-31' } });
      const ended = await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/agreement`, { key: operator, body: { action: 'terminate' } });
      const today = clock.now().toISOString().slice(0, 10);
      expect(ended.body).toMatchObject({ agreement: { status: 'ended', endsOn: today } });
      const due = body<{ agreement: { personalDataDeletionDueOn: string } }>(ended).agreement.personalDataDeletionDueOn;
      expect(new Date(due).getUTCMonth()).toBe((new Date(today).getUTCMonth() + 6) % 12);
      expect(
        (await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/agreement`, { key: operator, body: { action: 'start' } })).body,
      ).toMatchObject({
        status: 400,
        code: 'VALIDATION.FAILED',
      });
    });

    it('A11: a function-data deletion is due in 15 working days and completed by the operator', async () => {
      const { id } = body<{ id: string }>(
        await api.call('POST', '/v1/organization/function-data-deletions', { key: admin, body: { function: 'call-recording' } }),
      );
      const org = body<{ functionDataDeletions: { requestId: string; dueOn: string; completedOn: string | null }[] }>(
        await api.call('GET', '/v1/organization', { key: admin }),
      );
      const request = org.functionDataDeletions.find((d) => d.requestId === id);
      const days = (new Date(request?.dueOn ?? '').getTime() - new Date(clock.now().toISOString().slice(0, 10)).getTime()) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(19);
      expect(days).toBeLessThanOrEqual(21);
      await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/function-data-deletions/${id}/complete`, { key: operator });
      const after = body<{ functionDataDeletions: { requestId: string; completedOn: string | null }[] }>(
        await api.call('GET', '/v1/organization', { key: admin }),
      );
      expect(after.functionDataDeletions.find((d) => d.requestId === id)?.completedOn).not.toBeNull();
    });
  });

  describe('A7/A8 last activity and the commands the retention jobs call', () => {
    it('records logins at most once an hour, without events; restricts and cancels on inactivity', async () => {
      const res = await api.call('POST', '/v1/organization/invitations', {
        key: admin,
        body: { invitations: [{ contact: { name: 'Idle User', email: `idle.${tag}@example.org` } }] },
      });
      expect(res.status).toBe(201);
      const invited = body<{ accountId: string }[]>(res);
      expect(invited).toEqual([expect.objectContaining({ status: 'invited' })]);
      const idle = invited[0]?.accountId ?? '';
      const message = (await deliver()).find((m) => m.kind === 'invitation' && m.payload.accountId === idle);
      await api.call('POST', `/v1/invitations/${idle}/accept`, { body: { token: message?.payload.token ?? '' } });
      const user = await token(idle, enterprise.tenantId, ['end-user']);
      const events = await api.eventCount();
      await api.call('GET', '/v1/accounts/me', { key: user });
      const first = (
        await api.infra.dataSource.query<{ at: Date }[]>('SELECT last_login_at AS at FROM accounts.last_activity WHERE account_id = $1', [idle])
      )[0]?.at;
      expect(first).toBeInstanceOf(Date);
      clock.advance(60_000);
      await api.call('GET', '/v1/accounts/me', { key: user });
      const second = (
        await api.infra.dataSource.query<{ at: Date }[]>('SELECT last_login_at AS at FROM accounts.last_activity WHERE account_id = $1', [idle])
      )[0]?.at;
      expect(second?.getTime()).toBe(first?.getTime());
      expect(await api.eventCount()).toBe(events);

      const bus = api.app.get(CommandBus);
      const job = { tenantId: enterprise.tenantId, actor: 'system:retention', correlationId: uuidv7(), commandId: uuidv7() };
      const lastActivityAt = first ?? new Date();
      const soon = new Date(lastActivityAt.getTime() + 30 * 86_400_000);
      await expect(
        bus.execute(new RunAccountCommand(job, { kind: 'RestrictForInactivity', accountId: idle, lastActivityAt, inactivityDays: 90 }, soon)),
      ).rejects.toMatchObject({ code: 'ACCOUNT.NOT_INACTIVE' });
      const later = new Date(lastActivityAt.getTime() + 91 * 86_400_000);
      const restricted = await bus.execute(
        new RunAccountCommand({ ...job, commandId: uuidv7() }, { kind: 'RestrictForInactivity', accountId: idle, lastActivityAt, inactivityDays: 90 }, later),
      );
      expect(restricted.account?.status).toBe('restricted');
      const muchLater = new Date(lastActivityAt.getTime() + 200 * 86_400_000);
      const cancelled = await bus.execute(
        new RunAccountCommand({ ...job, commandId: uuidv7() }, { kind: 'CancelForInactivity', accountId: idle, lastActivityAt }, muchLater),
      );
      expect(cancelled.account?.status).toBe('cancelled');
      expect(await api.infra.vault.isErased(idle)).toBe(true);
    });
  });

  describe('A3 expiry, departments and refused unbinding', () => {
    it('moves a member, refuses its unbinding, and closes an invitation once it has expired', async () => {
      const res = await api.call('POST', '/v1/organization/invitations', {
        key: admin,
        body: {
          invitations: [{ contact: { name: 'Late Invitee', email: `late.${tag}@example.org` } }, { contact: { name: 'Mover', phone: '+8613500000001' } }],
        },
      });
      const [late, mover] = body<{ accountId: string }[]>(res).map((o) => o.accountId);
      const messages = await deliver();
      const tokenOf = (id: string | undefined): string => messages.find((m) => m.kind === 'invitation' && m.payload.accountId === id)?.payload.token ?? '';
      await api.call('POST', `/v1/invitations/${mover ?? ''}/accept`, { body: { token: tokenOf(mover) } });

      const department = body<{ id: string }>(await api.call('POST', '/v1/organization/departments', { key: admin, body: { name: `Support ${tag}` } })).id;
      expect(
        (await api.call('POST', `/v1/organization/members/${mover ?? ''}/department`, { key: admin, body: { departmentId: uuidv7() } })).body,
      ).toMatchObject({ status: 404, code: 'DEPARTMENT.NOT_FOUND' });
      expect(
        (await api.call('POST', `/v1/organization/members/${mover ?? ''}/department`, { key: admin, body: { departmentId: department } })).body,
      ).toMatchObject({ departmentId: department });
      expect((await api.call('DELETE', `/v1/organization/departments/${department}`, { key: admin })).body).toMatchObject({
        status: 409,
        code: 'DEPARTMENT.HAS_MEMBERS',
      });

      const user = await token(mover ?? '', enterprise.tenantId, ['end-user']);
      expect((await api.call('POST', '/v1/accounts/me/unbinding', { key: user })).body).toMatchObject({ unbindingRequested: true });
      expect((await api.call('POST', `/v1/organization/members/${mover ?? ''}/unbinding/reject`, { key: admin })).body).toMatchObject({
        status: 'active',
        unbindingRequested: false,
      });
      expect((await api.call('POST', `/v1/organization/members/${mover ?? ''}/unbinding/reject`, { key: admin })).body).toMatchObject({
        status: 409,
        code: 'ACCOUNT.NO_UNBINDING_REQUEST',
      });

      expect((await api.call('POST', `/v1/organization/invitations/${late ?? ''}/expire`, { key: admin })).body).toMatchObject({
        status: 409,
        code: 'INVITATION.NOT_EXPIRED',
      });
      clock.advance(8 * 86_400_000);
      expect((await api.call('POST', `/v1/invitations/${late ?? ''}/accept`, { body: { token: tokenOf(late) } })).body).toMatchObject({
        status: 409,
        code: 'INVITATION.EXPIRED',
      });
      expect((await api.call('POST', `/v1/organization/invitations/${late ?? ''}/expire`, { key: admin })).body).toMatchObject({ status: 'invitation-closed' });
      expect(await api.infra.vault.isErased(late ?? '')).toBe(true);
    });
  });

  it('N5/D4: no personal data in plaintext anywhere in the database or the logs', async () => {
    await Promise.all(api.runners.map((r) => r.catchUp()));
    // The data is there (readable through an authorized read) — and nowhere in plaintext.
    const minorData = await api.call('GET', `/v1/organization/members/${minor}/personal-data`, {
      key: admin,
      headers: { 'x-purpose': 'member-administration' },
    });
    expect(minorData.body).toMatchObject({ name: people.minor.name, email: people.minor.email, erased: false });
    const canaries = [
      people.contact.name,
      people.contact.email,
      people.contact.phone,
      people.personal.phone,
      people.adult.name,
      people.adult.email,
      people.minor.name,
      people.minor.email,
      people.guardian,
      people.declined.email,
      people.channel,
    ];
    const report = await scanForCanaries({ databaseUrl: api.databaseUrl, canaries, logs: api.logLines });
    expect(report.findings).toEqual([]);
    expect(report.rowsScanned).toBeGreaterThan(50);
  });

  describe('A8/A9 cancelling the enterprise (after the scan above)', () => {
    it('cancels and erases every member with the enterprise once nothing blocks it', async () => {
      const held = body<{ holds: { holdId: string }[] }>(await api.call('GET', `/v1/platform/accounts/${enterprise.accountId}`, { key: operator }));
      for (const h of held.holds) await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/holds/${h.holdId}/release`, { key: operator });
      expect((await api.call('POST', '/v1/organization/cancellation', { key: admin })).body).toMatchObject({ cancellationRequested: true });
      expect((await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/cancellation/approve`, { key: operator })).body).toMatchObject({
        status: 'cancelled',
      });
      const members = body<{ accountId: string; status: string }[]>(
        await api.call('GET', `/v1/platform/accounts?tenantId=${enterprise.tenantId}&kind=member&limit=200`, { key: operator }),
      );
      expect(members.length).toBeGreaterThanOrEqual(5);
      for (const m of members) {
        expect(['cancelled', 'unbound', 'invitation-closed']).toContain(m.status);
        expect(await api.infra.vault.isErased(m.accountId)).toBe(true);
      }
      expect(members.find((m) => m.accountId === minor)?.status).toBe('cancelled');
      expect(await api.infra.vault.isErased(enterprise.accountId)).toBe(true);
    });

    it('A9: a cancelled tenant accepts no credential any more, API keys included', async () => {
      // Each process remembers a tenant's state for a second (TENANT_STATUS_TTL_MS).
      clock.advance(1_001);
      expect((await api.call('GET', '/v1/organization/members', { key: admin })).body).toMatchObject({ status: 403, code: 'TENANT.CLOSED' });
      // Tenants without a registered account (the operator's) are not affected.
      expect((await api.call('GET', '/v1/me', { key: operator })).status).toBe(200);
    });

    it('an interrupted member cascade is finished by `attest accounts complete-closures`', async () => {
      const registered = body<{ accountId: string; tenantId: string }>(
        await api.call('POST', '/v1/registrations/enterprise', {
          body: {
            tenantId: `beta-${tag}`,
            legalName: 'Beta Ltd',
            registrationNumber: `BETA${tag}01`,
            contact: { name: 'Beta Contact', email: `beta.${tag}@example.org` },
            evidence: { documentRef: 'b.pdf', sha256: 'd'.repeat(64) },
          },
        }),
      );
      const betaAdmin = await api.key(registered.tenantId, ['org-admin']);
      const invited = body<{ accountId: string }[]>(
        await api.call('POST', '/v1/organization/invitations', {
          key: betaAdmin,
          body: { invitations: [{ contact: { name: 'Beta Member', email: `bm.${tag}@example.org` } }] },
        }),
      );
      const member = invited[0]?.accountId ?? '';
      await api.call('POST', '/v1/organization/cancellation', { key: betaAdmin });
      // The approving process "crashes" between the enterprise's cancellation and its members'.
      const handler = api.app.get(RunAccountCommandHandler);
      const cascade = jest.spyOn(handler, 'cancelMembersOf').mockResolvedValueOnce(0);
      await api.call('POST', `/v1/platform/accounts/${registered.accountId}/cancellation/approve`, { key: operator });
      expect(cascade).toHaveBeenCalledTimes(1);
      cascade.mockRestore();
      expect(body<{ status: string }>(await api.call('GET', `/v1/platform/accounts/${member}`, { key: operator })).status).toBe('invited');
      expect(await completeTenantClosures(api.infra)).toBe(1);
      expect(body<{ status: string }>(await api.call('GET', `/v1/platform/accounts/${member}`, { key: operator })).status).toBe('cancelled');
      expect(await api.infra.vault.isErased(member)).toBe(true);
      expect(await completeTenantClosures(api.infra)).toBe(0);
    });
  });

  it('every projection, given every event of this suite’s log a second time, changes nothing (runs last)', async () => {
    await Promise.all(api.runners.map((r) => r.catchUp()));
    expect(await changesWhenDeliveredTwice(api.infra)).toEqual({});
  }, 120_000);
});
