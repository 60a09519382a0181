import { randomBytes } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { RunAccountCommand, RunAccountCommandHandler } from '@attest/accounts-application';
import { completeTenantClosures } from '@attest/runtime';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { scanForCanaries } from '@attest/testing';
import { ApiHarness, type ApiResponse, type CallOptions } from './testing/api-harness';
import { changesWhenDeliveredTwice } from './testing/delivered-twice';
import { WebhookInbox, type InboxMessage } from './testing/webhook-inbox';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'attest-api';
const DAY = 86_400_000;
const tag = randomBytes(3).toString('hex');

interface Person {
  readonly name: string;
  readonly email: string;
}
interface Contact extends Person {
  readonly phone: string;
}
/** The people of one scenario (see `populate`): the personal data a test hands to the API. */
interface Cast {
  readonly contact: Contact;
  readonly personal: { readonly phone: string };
  readonly adult: Person;
  readonly minor: Person;
  readonly guardian: string;
  readonly declined: Person;
  readonly channel: string;
}

// Canaries: personal data that must never be found in plaintext at rest or in logs.
const people: Cast = {
  contact: { name: `Zhang Canary${tag}`, email: `zhang.${tag}@acme-canary.example`, phone: `+86139${String(Date.now()).slice(-8)}` },
  personal: { phone: `+86137${String(Date.now() + 1).slice(-8)}` },
  adult: { name: `Wang Adult${tag}`, email: `wang.${tag}@example.org` },
  minor: { name: `Li Minor${tag}`, email: `li.${tag}@example.org` },
  guardian: `Li Guardian${tag}`,
  declined: { name: `Chen Declined${tag}`, email: `chen.${tag}@example.org` },
  channel: `+86136${String(Date.now() + 2).slice(-8)}`,
};

// Every test makes up its own people, tenants and numbers: unique in this run (tag and serial number).
let serial = 0;
const nextSerial = (): string => String(++serial);
/** The personal data the generators below made up: the plaintext scan looks for all of it besides its canaries. */
const madeUp: string[] = [];
const phoneBase = String(Date.now()).slice(-5);
function newPhone(): string {
  const phone = `+86158${phoneBase}${nextSerial().padStart(3, '0')}`;
  madeUp.push(phone);
  return phone;
}
function newPerson(label: string): Person {
  const n = nextSerial();
  const person = { name: `${label} ${tag} ${n}`, email: `${label.toLowerCase().replace(/[^a-z]+/gu, '.')}.${tag}.${n}@example.org` };
  madeUp.push(person.name, person.email);
  return person;
}
function newGuardian(): string {
  const guardian = `Li Guardian ${tag} ${nextSerial()}`;
  madeUp.push(guardian);
  return guardian;
}
const newContact = (): Contact => ({ ...newPerson('Zhang Contact'), phone: newPhone() });
const cast = (): Cast => ({
  contact: newContact(),
  personal: { phone: newPhone() },
  adult: newPerson('Wang Adult'),
  minor: newPerson('Li Minor'),
  guardian: newGuardian(),
  declined: newPerson('Chen Declined'),
  channel: newPhone(),
});

interface Registration {
  readonly tenantId: string;
  readonly legalName: string;
  readonly registrationNumber: string;
  readonly contact: Contact;
  readonly evidence: { readonly documentRef: string; readonly sha256: string };
}
/** An enterprise registration no one made before in this run. */
function newRegistration(contact: Contact = newContact()): Registration {
  const n = nextSerial();
  return {
    tenantId: `acme-${tag}-${n}`,
    legalName: 'Acme Trading Co., Ltd.',
    registrationNumber: `9131${tag.toUpperCase()}MA${n}K`,
    contact,
    evidence: { documentRef: 'licences/acme.pdf', sha256: 'a'.repeat(64) },
  };
}

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

  /**
   * Runs the outbox until nothing due is left and returns what arrived at the
   * receiver (the dispatcher sends one batch per pass, and other tests may
   * have left notices behind).
   */
  async function deliver(): Promise<InboxMessage[]> {
    await api.runners.find((r) => r.name === 'account-notifications')?.catchUp();
    const arrived: InboxMessage[] = [];
    for (let pass = 0; pass < 50; pass++) {
      arrived.push(...(await inbox.dispatch()));
      const [due] = await api.infra.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM notifications.outbox WHERE status = 'pending' AND next_attempt_at <= $1`,
        [clock.now()],
      );
      if (!due?.n) break;
    }
    return arrived;
  }

  async function codeFor(address: string): Promise<string> {
    const message = (await deliver()).find((m) => m.kind === 'one-time-code' && (m.payload.to.phone === address || m.payload.to.email === address));
    if (!message?.payload.code) throw new Error(`no code arrived for the test address`);
    return message.payload.code;
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: ApiResponse): T => res.body as T;

  /** A call of a test's set-up: it must succeed. */
  async function must(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const res = await api.call(method, path, options);
    if (res.status >= 300) throw new Error(`set-up call ${method} ${path} answered ${String(res.status)}: ${res.text}`);
    return res;
  }

  /** A tenant of the test's own: its enterprise account, its administrator's API key and its contact person. */
  interface Enterprise {
    readonly accountId: string;
    readonly tenantId: string;
    readonly admin: string;
    readonly contact: Contact;
  }

  /** A1: a freshly registered enterprise, pending verification. */
  async function registerEnterprise(contact: Contact = newContact()): Promise<Enterprise> {
    const registered = body<{ accountId: string; tenantId: string }>(await must('POST', '/v1/registrations/enterprise', { body: newRegistration(contact) }));
    return { accountId: registered.accountId, tenantId: registered.tenantId, contact, admin: await api.key(registered.tenantId, ['org-admin']) };
  }

  /** A1: a freshly registered enterprise the operator verified. */
  async function approvedEnterprise(): Promise<Enterprise> {
    const enterprise = await registerEnterprise();
    await must('POST', `/v1/platform/accounts/${enterprise.accountId}/verification`, { key: operator, body: { outcome: 'verified' } });
    return enterprise;
  }

  async function department(admin: string, name: string, parentId?: string): Promise<string> {
    return body<{ id: string }>(await must('POST', '/v1/organization/departments', { key: admin, body: parentId ? { name, parentId } : { name } })).id;
  }

  interface Member {
    readonly accountId: string;
    readonly person: Person;
    /** The token the invitation brought (from the webhook receiver). */
    readonly invitationToken: string;
  }
  interface MemberOptions {
    readonly person?: Person;
    readonly departmentId?: string;
    /** Given: the member is a minor, invited with this guardian's consent and verified identities (A12). */
    readonly guardian?: string;
  }

  /** A3: a member invited into the enterprise, the invitation delivered and not answered yet. */
  async function invitedMember(enterprise: Enterprise, options: MemberOptions = {}): Promise<Member> {
    const person = options.person ?? newPerson('Member');
    const minor =
      options.guardian === undefined
        ? {}
        : {
            birthDate: new Date(clock.now().getTime() - 15 * 365.25 * DAY).toISOString().slice(0, 10),
            minor: {
              guardian: { name: options.guardian, relationship: 'parent' },
              guardianConsentRef: 'consent/17',
              minorIdentityRef: 'kyc/18',
              guardianIdentityRef: 'kyc/19',
            },
          };
    const res = await must('POST', '/v1/organization/invitations', {
      key: enterprise.admin,
      body: { invitations: [{ contact: person, ...(options.departmentId === undefined ? {} : { departmentId: options.departmentId }), ...minor }] },
    });
    const accountId = body<{ status: string; accountId?: string }[]>(res)[0]?.accountId;
    if (!accountId) throw new Error(`the set-up invitation was refused: ${res.text}`);
    const invitationToken = (await deliver()).find((m) => m.kind === 'invitation' && m.payload.accountId === accountId)?.payload.token;
    if (!invitationToken) throw new Error('no invitation arrived for the test member');
    return { accountId, person, invitationToken };
  }

  /** A3: a member who accepted the invitation. */
  async function activeMember(enterprise: Enterprise, options: MemberOptions = {}): Promise<Member> {
    const member = await invitedMember(enterprise, options);
    await must('POST', `/v1/invitations/${member.accountId}/accept`, { body: { token: member.invitationToken } });
    return member;
  }

  /** A2: a personal user, registered with a one-time code to the phone number (one of its codes of the hour). */
  async function registerPersonal(phone: string = newPhone()): Promise<{ accountId: string; tenantId: string; phone: string }> {
    const { challengeId } = body<{ challengeId: string }>(await must('POST', '/v1/registrations/personal/code', { body: { phone } }));
    const registered = body<{ accountId: string; tenantId: string }>(
      await must('POST', '/v1/registrations/personal', { body: { challengeId, code: await codeFor(phone), birthDate: '1990-01-01' } }),
    );
    return { accountId: registered.accountId, tenantId: registered.tenantId, phone };
  }

  /**
   * The flows of this file in brief, with `who`'s personal data: what the
   * checks over the whole database and log look at. They run it first, so they
   * never pass on an empty log, whichever tests ran before them. Returns the
   * enterprise's administrator key and its minor member (active, not erased).
   */
  async function populate(who: Cast): Promise<{ admin: string; minor: string }> {
    // A1: rejected, evidence resubmitted with a code to the contact, verified.
    const enterprise = await registerEnterprise(who.contact);
    const { accountId, tenantId, admin } = enterprise;
    await must('POST', `/v1/platform/accounts/${accountId}/verification`, { key: operator, body: { outcome: 'rejected', reasons: ['licence-expired'] } });
    const evidence = body<{ challengeId: string }>(await must('POST', `/v1/accounts/${accountId}/codes`, { body: { purpose: 'evidence' } }));
    await must('POST', `/v1/accounts/${accountId}/evidence`, {
      body: {
        challengeId: evidence.challengeId,
        code: await codeFor(who.contact.phone),
        evidence: { documentRef: 'licences/acme-2026.pdf', sha256: 'b'.repeat(64) },
      },
    });
    // The operator sees the evidence resubmitted last, before deciding.
    expect(body<{ licenceEvidence: unknown }>(await must('GET', `/v1/platform/accounts/${accountId}`, { key: operator })).licenceEvidence).toEqual({
      documentRef: 'licences/acme-2026.pdf',
      sha256: 'b'.repeat(64),
    });
    await must('POST', `/v1/platform/accounts/${accountId}/verification`, { key: operator, body: { outcome: 'verified' } });

    // A2, A9, A8: a personal user registers, is held back by a dispute, then cancels and is erased.
    const personal = await registerPersonal(who.personal.phone);
    const held = body<{ holds: { holdId: string }[] }>(
      await must('POST', `/v1/platform/accounts/${personal.accountId}/holds`, { key: operator, body: { kind: 'dispute', reference: 'case-2026-17' } }),
    );
    await must('POST', `/v1/platform/accounts/${personal.accountId}/holds/${held.holds[0]?.holdId ?? ''}/release`, { key: operator });
    await must('POST', '/v1/accounts/me/cancellation', { key: await token(personal.accountId, personal.tenantId, ['org-admin']) });
    await must('POST', `/v1/platform/accounts/${personal.accountId}/cancellation/approve`, { key: operator });

    // A3: a department tree, renamed and pruned.
    const sales = await department(admin, 'Sales');
    const east = await department(admin, 'East', sales);
    await must('PATCH', `/v1/organization/departments/${east}`, { key: admin, body: { name: 'East China' } });
    await must('DELETE', `/v1/organization/departments/${await department(admin, 'Temporary', east)}`, { key: admin });

    // A3/A12: an adult, a minor with guardian consent, and one who declines (erased); C3: an authorized read; a delegation.
    const adult = await activeMember(enterprise, { person: who.adult, departmentId: sales });
    const minor = await activeMember(enterprise, { person: who.minor, guardian: who.guardian });
    const declined = await invitedMember(enterprise, { person: who.declined });
    await must('POST', `/v1/invitations/${declined.accountId}/decline`, { body: { token: declined.invitationToken } });
    await must('GET', `/v1/organization/members/${adult.accountId}/personal-data`, { key: admin, headers: { 'x-purpose': 'member-administration' } });
    await must('POST', `/v1/delegations/${adult.accountId}/grant`, { key: admin, body: { permissions: ['organization:read'] } });

    // A5: a channel number bound, released (erased), then bound by another tenant.
    const binding = body<{ id: string }>(
      await must('POST', '/v1/organization/channels', { key: admin, body: { channel: 'whatsapp-business', externalAccountId: who.channel } }),
    ).id;
    await must('DELETE', `/v1/organization/channels/${binding}`, { key: admin });
    const otherAdmin = await api.key(`other-${tag}-${nextSerial()}`, ['org-admin']);
    await must('POST', '/v1/organization/channels', { key: otherAdmin, body: { channel: 'whatsapp-business', externalAccountId: who.channel } });

    // A4, A6, A7: a refused transfer; a restriction lifted with a code; a stolen-account report lifted by the operator.
    const adultUser = await token(adult.accountId, tenantId, ['end-user']);
    expect((await api.call('POST', '/v1/accounts/me/transfer', { key: adultUser, body: {} })).status).toBe(403);
    await must('POST', `/v1/platform/accounts/${adult.accountId}/status`, {
      key: operator,
      body: { action: 'restrict', reason: 'violation', note: 'spam reports' },
    });
    const reactivation = body<{ challengeId: string }>(await must('POST', `/v1/accounts/${adult.accountId}/codes`, { body: { purpose: 'reactivation' } }));
    await must('POST', `/v1/accounts/${adult.accountId}/reactivation`, {
      body: { challengeId: reactivation.challengeId, code: await codeFor(who.adult.email) },
    });
    await must('POST', '/v1/accounts/me/stolen-report', { key: await token(minor.accountId, tenantId, ['end-user']), body: {} });
    await must('POST', `/v1/platform/accounts/${minor.accountId}/status`, { key: operator, body: { action: 'reactivate', reason: 'resolved' } });

    // A10, A11: an agreement ended; a function-data deletion requested and completed.
    await must('POST', `/v1/platform/accounts/${accountId}/agreement`, {
      key: operator,
      body: { action: 'start', startsOn: '2026-01-01', endsOn: '2027-12-31' },
    });
    await must('POST', `/v1/platform/accounts/${accountId}/agreement`, { key: operator, body: { action: 'terminate' } });
    const deletion = body<{ id: string }>(
      await must('POST', '/v1/organization/function-data-deletions', { key: admin, body: { function: 'call-recording' } }),
    ).id;
    await must('POST', `/v1/platform/accounts/${accountId}/function-data-deletions/${deletion}/complete`, { key: operator });

    // A3, A9: a member moved to another department, its unbinding refused; the adult's approved (erased).
    await must('PUT', '/v1/organization/settings', { key: admin, body: { unbindingApprovalRequired: true } });
    const mover = await activeMember(enterprise);
    const support = await department(admin, 'Support');
    await must('POST', `/v1/organization/members/${mover.accountId}/department`, { key: admin, body: { departmentId: support } });
    await must('POST', '/v1/accounts/me/unbinding', { key: await token(mover.accountId, tenantId, ['end-user']) });
    await must('POST', `/v1/organization/members/${mover.accountId}/unbinding/reject`, { key: admin });
    await must('POST', '/v1/accounts/me/unbinding', { key: adultUser });
    await must('POST', `/v1/organization/members/${adult.accountId}/unbinding/approve`, { key: admin });

    // A7, A8: a login recorded; the retention jobs' commands restrict, then cancel the idle member.
    const idle = await activeMember(enterprise);
    await must('GET', '/v1/accounts/me', { key: await token(idle.accountId, tenantId, ['end-user']) });
    const bus = api.app.get(CommandBus);
    const job = { tenantId, actor: 'system:retention', correlationId: uuidv7() };
    const lastActivityAt = clock.now();
    await bus.execute(
      new RunAccountCommand(
        { ...job, commandId: uuidv7() },
        { kind: 'RestrictForInactivity', accountId: idle.accountId, lastActivityAt, inactivityDays: 90 },
        new Date(lastActivityAt.getTime() + 91 * DAY),
      ),
    );
    await bus.execute(
      new RunAccountCommand(
        { ...job, commandId: uuidv7() },
        { kind: 'CancelForInactivity', accountId: idle.accountId, lastActivityAt },
        new Date(lastActivityAt.getTime() + 200 * DAY),
      ),
    );

    // A3: an invitation left to expire, then closed (erased); the clock moves for this only.
    const late = await invitedMember(enterprise);
    const now = clock.now();
    try {
      clock.advance(8 * DAY);
      await must('POST', `/v1/organization/invitations/${late.accountId}/expire`, { key: admin });
    } finally {
      clock.set(now);
    }

    // A8, A9: another enterprise cancelled, its members with it.
    const closing = await registerEnterprise();
    await invitedMember(closing);
    await must('POST', '/v1/organization/cancellation', { key: closing.admin });
    await must('POST', `/v1/platform/accounts/${closing.accountId}/cancellation/approve`, { key: operator });

    return { admin, minor: minor.accountId };
  }

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

  describe('A1/A2 enterprise registration and verification', () => {
    it('A1: registers pending verification; A2: the same identifiers cannot register again', async () => {
      const registration = newRegistration();
      const res = await api.call('POST', '/v1/registrations/enterprise', { body: registration });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ tenantId: registration.tenantId, status: 'active', verification: 'pending' });
      const again = await api.call('POST', '/v1/registrations/enterprise', { body: { ...registration, tenantId: `other-${tag}-${nextSerial()}` } });
      expect(again.body).toMatchObject({ status: 409, code: 'ACCOUNT.IDENTIFIER_TAKEN' });
      const sameTenant = await api.call('POST', '/v1/registrations/enterprise', { body: { ...registration, registrationNumber: `X${tag}0001` } });
      expect(sameTenant.body).toMatchObject({ status: 409, code: 'ACCOUNT.IDENTIFIER_TAKEN' });
      expect((await api.call('POST', '/v1/registrations/enterprise', { body: { ...registration, contact: { name: 'x' } } })).body).toMatchObject({
        status: 409,
      });
    });

    it('A1: the operator rejects with reasons; the contact resubmits evidence with a one-time code; the operator verifies', async () => {
      const enterprise = await registerEnterprise();
      const queue = body<{ accountId: string }[]>(await api.call('GET', '/v1/platform/accounts?verification=pending', { key: operator }));
      expect(queue.map((a) => a.accountId)).toContain(enterprise.accountId);
      const rejected = await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/verification`, {
        key: operator,
        body: { outcome: 'rejected', reasons: ['licence-expired'] },
      });
      expect(rejected.body).toMatchObject({ verification: 'rejected' });
      const notice = (await deliver()).find((m) => m.kind === 'verification-outcome' && m.tenantId === enterprise.tenantId);
      expect(notice?.payload).toMatchObject({ outcome: 'rejected', reasons: ['licence-expired'], to: { email: enterprise.contact.email } });

      const { challengeId } = body<{ challengeId: string }>(
        await api.call('POST', `/v1/accounts/${enterprise.accountId}/codes`, { body: { purpose: 'evidence' } }),
      );
      const code = await codeFor(enterprise.contact.phone);
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
      const admin = await api.key(enterprise.tenantId, ['org-admin']);
      expect(body<{ tenant: { accountId: string } }>(await api.call('GET', '/v1/organization', { key: admin })).tenant.accountId).toBe(enterprise.accountId);
    });
  });

  describe('A2 personal users', () => {
    it('registers an adult by phone and one-time code; refuses wrong codes, minors and repeated registration', async () => {
      const phone = newPhone();
      const first = body<{ challengeId: string }>(await api.call('POST', '/v1/registrations/personal/code', { body: { phone } }));
      const code = await codeFor(phone);
      const wrong = code === '000000' ? '000001' : '000000';
      expect(
        (await api.call('POST', '/v1/registrations/personal', { body: { challengeId: first.challengeId, code: wrong, birthDate: '1990-01-01' } })).body,
      ).toMatchObject({
        status: 400,
        code: 'OTP.INVALID',
        attemptsLeft: 4,
        detail: 'the code is not valid; 4 attempts left',
      });
      const underage = new Date(clock.now().getTime() - 17 * 365.25 * DAY).toISOString().slice(0, 10);
      expect(
        (await api.call('POST', '/v1/registrations/personal', { body: { challengeId: first.challengeId, code, birthDate: underage } })).body,
      ).toMatchObject({
        status: 400,
        code: 'ACCOUNT.UNDERAGE',
      });
      // The underage attempt did not spend the code: the person corrects the date and goes on with it.
      const res = await api.call('POST', '/v1/registrations/personal', { body: { challengeId: first.challengeId, code, birthDate: '1990-01-01' } });
      expect(res.status).toBe(201);
      const personal = body<{ accountId: string; tenantId: string }>(res);
      expect(personal.tenantId).toMatch(/^p-[0-9a-f]{32}$/);
      // Further codes are refused as a repeat registration; a third code in the hour is the limit.
      for (let i = 0; i < 2; i++) {
        const again = body<{ challengeId: string }>(await api.call('POST', '/v1/registrations/personal/code', { body: { phone } }));
        expect(
          (
            await api.call('POST', '/v1/registrations/personal', {
              body: { challengeId: again.challengeId, code: await codeFor(phone), birthDate: '1990-01-01' },
            })
          ).body,
        ).toMatchObject({
          status: 409,
          code: 'ACCOUNT.IDENTIFIER_TAKEN',
        });
      }
      expect((await api.call('POST', '/v1/registrations/personal/code', { body: { phone } })).body).toMatchObject({
        status: 429,
        code: 'OTP.TOO_MANY_CODES',
        retryAfterSeconds: 3600,
      });
    });
  });

  describe('A3/A12 organization structure and invitations', () => {
    it('A3: builds a department tree', async () => {
      const { admin } = await approvedEnterprise();
      const sales = body<{ id: string }>(await api.call('POST', '/v1/organization/departments', { key: admin, body: { name: 'Sales' } })).id;
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
      const enterprise = await approvedEnterprise();
      const { admin } = enterprise;
      const sales = await department(admin, 'Sales');
      const who = cast();
      const minorBirth = new Date(clock.now().getTime() - 15 * 365.25 * DAY).toISOString().slice(0, 10);
      const res = await api.call('POST', '/v1/organization/invitations', {
        key: admin,
        body: {
          invitations: [
            { contact: who.adult, departmentId: sales },
            { contact: who.minor, birthDate: minorBirth },
            {
              contact: who.minor,
              birthDate: minorBirth,
              minor: {
                guardian: { name: who.guardian, relationship: 'parent' },
                guardianConsentRef: 'consent/17',
                minorIdentityRef: 'kyc/18',
                guardianIdentityRef: 'kyc/19',
              },
            },
            { contact: who.declined },
            { contact: { name: 'No Department', email: 'nd@example.org' }, departmentId: uuidv7() },
            // Without identity references: this entry alone is refused, not the batch.
            {
              contact: { name: 'Minor Without Ids', email: 'mwi@example.org' },
              birthDate: minorBirth,
              minor: { guardian: { name: who.guardian, relationship: 'parent' }, guardianConsentRef: 'consent/20' },
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
      const adult = outcomes[0]?.accountId ?? '';
      const minor = outcomes[2]?.accountId ?? '';
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
              { contact: who.adult },
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
      expect(adultData.body).toMatchObject({ erased: false, name: who.adult.name, email: who.adult.email });
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
      const enterprise = await approvedEnterprise();
      const { admin } = enterprise;
      const sales = await department(admin, 'Sales');
      const adult = (await activeMember(enterprise, { departmentId: sales })).accountId;
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
      const { admin } = await approvedEnterprise();
      const channel = newPhone();
      const bound = await api.call('POST', '/v1/organization/channels', {
        key: admin,
        body: { channel: 'whatsapp-business', externalAccountId: channel },
      });
      expect(bound.status).toBe(201);
      const otherAdmin = await api.key(`other-${tag}-${nextSerial()}`, ['org-admin']);
      expect(
        (await api.call('POST', '/v1/organization/channels', { key: otherAdmin, body: { channel: 'whatsapp-business', externalAccountId: channel } })).body,
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
        (await api.call('POST', '/v1/organization/channels', { key: otherAdmin, body: { channel: 'whatsapp-business', externalAccountId: channel } })).status,
      ).toBe(201);
    });
  });

  describe('A4/A6/A7 account states', () => {
    it('A4: a transfer is refused and the attempt recorded', async () => {
      const enterprise = await approvedEnterprise();
      const adult = (await activeMember(enterprise)).accountId;
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
      const enterprise = await approvedEnterprise();
      const { accountId: adult, person } = await activeMember(enterprise);
      const member = await token(adult, enterprise.tenantId, ['end-user']);
      await api.call('POST', `/v1/platform/accounts/${adult}/status`, {
        key: operator,
        body: { action: 'restrict', reason: 'violation', note: 'spam reports' },
      });
      expect((await api.call('GET', '/v1/accounts/me', { key: member })).body).toMatchObject({ status: 403, code: 'ACCOUNT.LOGIN_RESTRICTED' });
      expect((await deliver()).some((m) => m.kind === 'account-notice' && m.payload.accountId === adult && m.payload.reason === 'violation')).toBe(true);
      const { challengeId } = body<{ challengeId: string }>(await api.call('POST', `/v1/accounts/${adult}/codes`, { body: { purpose: 'reactivation' } }));
      const code = await codeFor(person.email);
      expect((await api.call('POST', `/v1/accounts/${adult}/reactivation`, { body: { challengeId, code } })).body).toMatchObject({ status: 'active' });
      expect((await api.call('GET', '/v1/accounts/me', { key: member })).status).toBe(200);
      // Only a restricted account gets a reactivation code.
      expect((await api.call('POST', `/v1/accounts/${adult}/codes`, { body: { purpose: 'reactivation' } })).body).toMatchObject({
        status: 409,
        code: 'ACCOUNT.CODE_NOT_APPLICABLE',
      });
    });

    it('A6: a stolen-account report suspends at once; only the operator lifts a suspension; revocation is final', async () => {
      const enterprise = await approvedEnterprise();
      const { admin } = enterprise;
      const minor = (await activeMember(enterprise, { guardian: newGuardian() })).accountId;
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
      const personal = await registerPersonal();
      // The number gets its other two codes of the hour while the account exists (the registration took the first).
      for (let i = 0; i < 2; i++) await must('POST', '/v1/registrations/personal/code', { body: { phone: personal.phone } });
      const user = await token(personal.accountId, personal.tenantId, ['org-admin']);
      const held = body<{ holds: { holdId: string }[] }>(
        await api.call('POST', `/v1/platform/accounts/${personal.accountId}/holds`, { key: operator, body: { kind: 'dispute', reference: 'case-2026-17' } }),
      );
      const refused = await api.call('POST', '/v1/accounts/me/cancellation', { key: user });
      expect(refused.body).toMatchObject({ status: 409, code: 'ACCOUNT.CANCELLATION_BLOCKED', blockers: ['open-dispute'] });
      await api.call('POST', `/v1/platform/accounts/${personal.accountId}/holds/${held.holds[0]?.holdId ?? ''}/release`, { key: operator });
      expect((await api.call('POST', '/v1/accounts/me/cancellation', { key: user })).body).toMatchObject({ cancellationRequested: true });
      // The operator's queue, as far as this tenant goes (other tests' tenants may have requests open meanwhile).
      const queue = body<{ accountId: string }[]>(
        await api.call('GET', `/v1/platform/accounts?cancellationRequested=true&tenantId=${personal.tenantId}`, { key: operator }),
      );
      expect(queue.map((a) => a.accountId)).toEqual([personal.accountId]);
      expect((await api.call('POST', `/v1/platform/accounts/${personal.accountId}/cancellation/approve`, { key: operator })).body).toMatchObject({
        status: 'cancelled',
      });
      expect(await api.infra.vault.isErased(personal.accountId)).toBe(true);
      // The closing notice still reaches the holder, though their key is gone.
      expect(
        (await deliver()).some((m) => m.kind === 'account-notice' && m.payload.accountId === personal.accountId && m.payload.to.phone === personal.phone),
      ).toBe(true);
      expect((await api.call('GET', '/v1/accounts/me', { key: user })).body).toMatchObject({ status: 403, code: 'TENANT.CLOSED' });
      // Erasure does not reset the hourly limit on codes to the number.
      expect((await api.call('POST', '/v1/registrations/personal/code', { body: { phone: personal.phone } })).body).toMatchObject({
        code: 'OTP.TOO_MANY_CODES',
      });
    });

    it('A9: the enterprise cancellation is refused while a transaction is unfinished', async () => {
      const enterprise = await approvedEnterprise();
      await api.call('POST', `/v1/platform/accounts/${enterprise.accountId}/holds`, {
        key: operator,
        body: { kind: 'unfinished-transaction', reference: 'order-88' },
      });
      expect((await api.call('POST', '/v1/organization/cancellation', { key: enterprise.admin })).body).toMatchObject({
        status: 409,
        blockers: ['open-unfinished-transaction'],
      });
    });

    it('A9: end users unbind, with the enterprise’s approval when it requires one', async () => {
      const enterprise = await approvedEnterprise();
      const { admin } = enterprise;
      const adult = (await activeMember(enterprise)).accountId;
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
      const enterprise = await approvedEnterprise();
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
      const enterprise = await approvedEnterprise();
      const { admin } = enterprise;
      const { id } = body<{ id: string }>(
        await api.call('POST', '/v1/organization/function-data-deletions', { key: admin, body: { function: 'call-recording' } }),
      );
      const org = body<{ functionDataDeletions: { requestId: string; dueOn: string; completedOn: string | null }[] }>(
        await api.call('GET', '/v1/organization', { key: admin }),
      );
      const request = org.functionDataDeletions.find((d) => d.requestId === id);
      const days = (new Date(request?.dueOn ?? '').getTime() - new Date(clock.now().toISOString().slice(0, 10)).getTime()) / DAY;
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
      const enterprise = await approvedEnterprise();
      const { admin } = enterprise;
      const res = await api.call('POST', '/v1/organization/invitations', {
        key: admin,
        body: { invitations: [{ contact: newPerson('Idle User') }] },
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
      // The clock moves for this test only.
      const now = clock.now();
      try {
        clock.advance(60_000);
        await api.call('GET', '/v1/accounts/me', { key: user });
      } finally {
        clock.set(now);
      }
      const second = (
        await api.infra.dataSource.query<{ at: Date }[]>('SELECT last_login_at AS at FROM accounts.last_activity WHERE account_id = $1', [idle])
      )[0]?.at;
      expect(second?.getTime()).toBe(first?.getTime());
      expect(await api.eventCount()).toBe(events);

      const bus = api.app.get(CommandBus);
      const job = { tenantId: enterprise.tenantId, actor: 'system:retention', correlationId: uuidv7(), commandId: uuidv7() };
      const lastActivityAt = first ?? new Date();
      const soon = new Date(lastActivityAt.getTime() + 30 * DAY);
      await expect(
        bus.execute(new RunAccountCommand(job, { kind: 'RestrictForInactivity', accountId: idle, lastActivityAt, inactivityDays: 90 }, soon)),
      ).rejects.toMatchObject({ code: 'ACCOUNT.NOT_INACTIVE' });
      const later = new Date(lastActivityAt.getTime() + 91 * DAY);
      const restricted = await bus.execute(
        new RunAccountCommand({ ...job, commandId: uuidv7() }, { kind: 'RestrictForInactivity', accountId: idle, lastActivityAt, inactivityDays: 90 }, later),
      );
      expect(restricted.account?.status).toBe('restricted');
      const muchLater = new Date(lastActivityAt.getTime() + 200 * DAY);
      const cancelled = await bus.execute(
        new RunAccountCommand({ ...job, commandId: uuidv7() }, { kind: 'CancelForInactivity', accountId: idle, lastActivityAt }, muchLater),
      );
      expect(cancelled.account?.status).toBe('cancelled');
      expect(await api.infra.vault.isErased(idle)).toBe(true);
    });
  });

  describe('A3 expiry, departments and refused unbinding', () => {
    it('moves a member, refuses its unbinding, and closes an invitation once it has expired', async () => {
      const enterprise = await approvedEnterprise();
      const { admin } = enterprise;
      const res = await api.call('POST', '/v1/organization/invitations', {
        key: admin,
        body: {
          invitations: [{ contact: newPerson('Late Invitee') }, { contact: { name: 'Mover', phone: newPhone() } }],
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

      // The enterprise requires its approval to unbind (A9): a request waits, and may be refused.
      await must('PUT', '/v1/organization/settings', { key: admin, body: { unbindingApprovalRequired: true } });
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
      // The clock moves for this test only.
      const now = clock.now();
      try {
        clock.advance(8 * DAY);
        expect((await api.call('POST', `/v1/invitations/${late ?? ''}/accept`, { body: { token: tokenOf(late) } })).body).toMatchObject({
          status: 409,
          code: 'INVITATION.EXPIRED',
        });
        expect((await api.call('POST', `/v1/organization/invitations/${late ?? ''}/expire`, { key: admin })).body).toMatchObject({
          status: 'invitation-closed',
        });
      } finally {
        clock.set(now);
      }
      expect(await api.infra.vault.isErased(late ?? '')).toBe(true);
    });
  });

  it('N5/D4: no personal data in plaintext anywhere in the database or the logs', async () => {
    // The canaries go through this file's flows first, whichever tests ran before.
    const { admin, minor } = await populate(people);
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
    // And none of what the other tests that ran so far made up.
    const report = await scanForCanaries({ databaseUrl: api.databaseUrl, canaries: [...new Set([...canaries, ...madeUp])], logs: api.logLines });
    expect(report.findings).toEqual([]);
    expect(report.rowsScanned).toBeGreaterThan(50);
  });

  describe('A8/A9 cancelling the enterprise', () => {
    it('cancels and erases every member with the enterprise once nothing blocks it', async () => {
      const enterprise = await approvedEnterprise();
      const { admin } = enterprise;
      // Members in each state the cascade meets: active, invited, declined, unbound, and a revoked minor.
      await activeMember(enterprise);
      await invitedMember(enterprise);
      const declined = await invitedMember(enterprise);
      await must('POST', `/v1/invitations/${declined.accountId}/decline`, { body: { token: declined.invitationToken } });
      const leaving = await activeMember(enterprise);
      await must('POST', '/v1/accounts/me/unbinding', { key: await token(leaving.accountId, enterprise.tenantId, ['end-user']) });
      const minor = (await activeMember(enterprise, { guardian: newGuardian() })).accountId;
      await must('POST', `/v1/platform/accounts/${minor}/status`, { key: operator, body: { action: 'revoke', reason: 'authority-request' } });
      // An unfinished transaction held the enterprise back until now.
      await must('POST', `/v1/platform/accounts/${enterprise.accountId}/holds`, {
        key: operator,
        body: { kind: 'unfinished-transaction', reference: 'order-88' },
      });

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
      const enterprise = await approvedEnterprise();
      const { admin } = enterprise;
      expect((await api.call('GET', '/v1/organization/members', { key: admin })).status).toBe(200);
      await must('POST', '/v1/organization/cancellation', { key: admin });
      await must('POST', `/v1/platform/accounts/${enterprise.accountId}/cancellation/approve`, { key: operator });
      // Each process remembers a tenant's state for a second (TENANT_STATUS_TTL_MS); the clock moves for this test only.
      const now = clock.now();
      try {
        clock.advance(1_001);
        expect((await api.call('GET', '/v1/organization/members', { key: admin })).body).toMatchObject({ status: 403, code: 'TENANT.CLOSED' });
        // Tenants without a registered account (the operator's) are not affected.
        expect((await api.call('GET', '/v1/me', { key: operator })).status).toBe(200);
      } finally {
        clock.set(now);
      }
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

  it('every projection, given every event of this suite’s log a second time, changes nothing', async () => {
    // Whichever tests ran before, the log holds this file's flows: a scenario of the test's own first.
    await populate(cast());
    await Promise.all(api.runners.map((r) => r.catchUp()));
    expect(await changesWhenDeliveredTwice(api.infra)).toEqual({});
  }, 120_000);
});
