import { randomBytes } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { RunCustomerCommand } from '@attest/customers-application';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { closeErasedCustomer } from '@attest/runtime';
import { scanForCanaries } from '@attest/testing';
import { ApiHarness, type ApiResponse } from './testing/api-harness';
import { changesWhenDeliveredTwice } from './testing/delivered-twice';
import { differences, everyOtherGrantAsV1, readModelsFromCopiedLog } from './testing/mixed-versions';

const tag = randomBytes(3).toString('hex');
const canary = {
  name: `Zhao Canary${tag}`,
  email: `zhao.${tag}@shop-canary.example`,
  health: `Diabetes type ${tag}`,
  idNumber: `110101199003077${tag.slice(0, 3)}`,
  guardian: `Zhao Guardian${tag}`,
  note: `Prefers calls after six ${tag}`,
};
const evidence = (noticeVersion = 'notice-1') => ({
  noticeVersion,
  method: 'checkbox',
  source: 'web-signup-form',
  collector: 'system:web-shop',
  collectedAt: '2026-11-01T10:00:00.000Z',
});
const purpose = (purposeKey: string, extra: Record<string, unknown> = {}) => ({
  purposeKey,
  name: purposeKey,
  description: `${purposeKey} description`,
  legalBasis: 'consent',
  method: 'bulk-email',
  dataCategories: ['contact', 'behaviour'],
  channels: ['email', 'sms'],
  retentionDays: 730,
  noticeVersion: 'notice-1',
  ...extra,
});
/** The K6 register: five purposes, one of each legal basis, one to retire. */
const purposeRegister = () => [
  purpose('newsletter'),
  purpose('health-programme', { dataCategories: ['contact', 'medical-health'], channels: ['email'] }),
  purpose('billing', { legalBasis: 'contract', channels: ['email', 'postal'] }),
  purpose('geo-ads', { legalBasis: 'legitimate-interests', dataCategories: ['contact', 'whereabouts'], channels: ['in-app'] }),
  purpose('old-campaign'),
];

// Every test works in a tenant of its own, set up by the helpers below, so the tests pass in any order.
describe('customers, consent and processing decisions end to end (C1–C3, K1–K8, P3, P7; real HTTP, real Postgres)', () => {
  const clock = new FixedClock(new Date());
  const api = new ApiHarness();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: ApiResponse): T => res.body as T;
  // The clock is the app's and shared by every test: it only moves forward, and a test relying on time order moves it itself.
  const tick = (): string => {
    clock.advance(60_000);
    return clock.now().toISOString();
  };
  /** An instant strictly after the last step and before the next one. */
  const between = (): string => {
    const t = tick();
    tick();
    return t;
  };

  /** A tenant of the test's own: its account, and keys for its admin and a service (and the platform operator's). */
  interface Tenant {
    readonly accountId: string;
    readonly tenantId: string;
    readonly admin: string;
    readonly service: string;
    readonly operator: string;
  }
  let tenants = 0;
  const freshTenant = async (): Promise<Tenant> => {
    const n = String(++tenants).padStart(2, '0');
    const registered = await api.call('POST', '/v1/registrations/enterprise', {
      body: {
        tenantId: `shop-${tag}-${n}`,
        legalName: `Shop ${n} Ltd`,
        registrationNumber: `SHOP${tag}${n}`,
        contact: { name: 'Shop Contact', email: `c${n}.${tag}@example.org` },
        evidence: { documentRef: 's.pdf', sha256: 'e'.repeat(64) },
      },
    });
    expect(registered.status).toBe(201);
    const { accountId, tenantId } = body<{ accountId: string; tenantId: string }>(registered);
    return {
      accountId,
      tenantId,
      admin: await api.key(tenantId, ['org-admin']),
      service: await api.key(tenantId, ['service']),
      operator: await api.key('platform', ['platform-operator']),
    };
  };

  /** K5: a new notice text for the newsletter (version 2 of the purpose). */
  const reviseNewsletter = async (t: Tenant): Promise<void> => {
    const revised = await api.call('PUT', '/v1/purposes/newsletter', {
      key: t.admin,
      body: { ...purpose('newsletter', { noticeVersion: 'notice-2' }), purposeKey: undefined },
    });
    expect(revised.status).toBe(200);
  };

  const decide = async (
    t: Tenant,
    customerId: string,
    q: Record<string, unknown> = {},
  ): Promise<{ allow: boolean; reasons: string[]; decisionId: string; legalBasis: string | null }> =>
    body(
      await api.call('POST', '/v1/decisions', {
        key: t.service,
        body: { customerId, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'], ...q },
      }),
    );

  /**
   * The register as the K6 test leaves it (five purposes, `old-campaign` retired); with
   * `notice-2`, the newsletter's notice then revised as the K1/K2 test revises it.
   */
  const definePurposes = async (t: Tenant, newsletterNotice: 'notice-1' | 'notice-2' = 'notice-1'): Promise<void> => {
    for (const p of purposeRegister()) expect((await api.call('POST', '/v1/purposes', { key: t.admin, body: p })).status).toBe(201);
    expect((await api.call('POST', '/v1/purposes/old-campaign/retire', { key: t.admin })).status).toBe(200);
    if (newsletterNotice === 'notice-2') await reviseNewsletter(t);
  };

  const newCustomer = async (t: Tenant, profile: Record<string, string>, tags: string[] = []): Promise<string> => {
    const created = await api.call('POST', '/v1/customers', { key: t.service, body: { profile, tags } });
    expect(created.status).toBe(201);
    return body<{ id: string }>(created).id;
  };
  const yearsAgo = (years: number): string => new Date(clock.now().getTime() - years * 365.25 * 86_400_000).toISOString().slice(0, 10);
  const newAdult = (t: Tenant, name = 'Alice'): Promise<string> => newCustomer(t, { name, birthDate: '1990-03-07' });
  /** A child under 14 (K4), as the C1 test creates one. */
  const newChild = (t: Tenant): Promise<string> => newCustomer(t, { name: 'Child', birthDate: yearsAgo(10) }, ['family']);
  /** The canary customer of the C1 test: every personal field a canary value, and a follow-up note that is one too. */
  const canaryCustomer = async (t: Tenant): Promise<string> => {
    const id = await newCustomer(
      t,
      { name: canary.name, email: canary.email, healthNotes: canary.health, idNumber: canary.idNumber, birthDate: '1990-03-07' },
      ['vip'],
    );
    expect((await api.call('POST', `/v1/customers/${id}/follow-ups`, { key: t.service, body: { channel: 'phone', note: canary.note } })).status).toBe(201);
    return id;
  };

  /** Grants a consent (the newsletter by email, general scope, under notice-2, unless `b` says otherwise). */
  const grantConsent = async (t: Tenant, customerId: string, b: Record<string, unknown> = {}): Promise<void> => {
    const granted = await api.call('POST', `/v1/customers/${customerId}/consents`, {
      key: t.service,
      body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', evidence: evidence('notice-2'), ...b },
    });
    expect(granted.status).toBe(201);
  };
  /** Withdraws a consent (the newsletter by email, general scope, unless `b` says otherwise). */
  const withdrawConsent = async (t: Tenant, customerId: string, b: Record<string, unknown> = {}): Promise<void> => {
    const withdrawn = await api.call('POST', `/v1/customers/${customerId}/consents/withdraw`, {
      key: t.service,
      body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', method: 'unsubscribe-link', source: 'newsletter-footer', ...b },
    });
    expect(withdrawn.status).toBe(200);
  };
  /** K4: a guardian consents to the newsletter (notice-2) for a child. */
  const guardianConsent = (t: Tenant, childId: string): Promise<void> =>
    grantConsent(t, childId, { guardian: { name: canary.guardian, relationship: 'parent' } });

  /**
   * The newsletter history of the K1/K2 test (a tenant with the register at notice-1): granted,
   * withdrawn, granted again, the notice revised, granted under the new notice; with an instant
   * inside each state.
   */
  const newsletterTimeline = async (
    t: Tenant,
    customerId: string,
  ): Promise<{ grantedAt: string; withdrawnAt: string; regrantedAt: string; revisedAt: string }> => {
    tick();
    await grantConsent(t, customerId, { evidence: evidence() });
    const grantedAt = between();
    await withdrawConsent(t, customerId);
    const withdrawnAt = between();
    await grantConsent(t, customerId, { evidence: evidence() });
    const regrantedAt = between();
    await reviseNewsletter(t);
    const revisedAt = between();
    await grantConsent(t, customerId, { evidence: evidence('notice-2') });
    tick();
    return { grantedAt, withdrawnAt, regrantedAt, revisedAt };
  };

  /**
   * Everything the whole-log tests below check, written by the checking test itself (so it cannot
   * pass on an empty log): the canary customer with a follow-up note, read with a stated purpose;
   * a guardian's consent for a child; grants (more than 3 not by a guardian, in several scopes),
   * withdrawals and a decision.
   */
  const canaryScenario = async (): Promise<void> => {
    const t = await freshTenant();
    await definePurposes(t, 'notice-2');
    const alice = await canaryCustomer(t);
    expect((await api.call('GET', `/v1/customers/${alice}`, { key: t.service, headers: { 'x-purpose': 'customer-support' } })).status).toBe(200);
    const child = await newChild(t);
    await guardianConsent(t, child);
    await grantConsent(t, alice);
    await withdrawConsent(t, alice);
    await grantConsent(t, alice);
    await grantConsent(t, alice, { purposeKey: 'health-programme', scope: 'general', evidence: evidence() });
    await grantConsent(t, alice, { purposeKey: 'health-programme', scope: 'sensitive', evidence: evidence() });
    await grantConsent(t, alice, { purposeKey: 'health-programme', scope: 'third-party', thirdParty: { name: 'Lab Partner Ltd' }, evidence: evidence() });
    await grantConsent(t, alice, {
      purposeKey: 'health-programme',
      scope: 'cross-border',
      crossBorder: { recipient: 'Acme GmbH', country: 'DE', purpose: 'support', dataTypes: ['contact'] },
      evidence: evidence(),
    });
    await withdrawConsent(t, alice, {
      purposeKey: 'health-programme',
      scope: 'third-party',
      thirdParty: { name: 'Lab Partner Ltd' },
      method: 'support-call',
      source: 'phone',
    });
    expect((await decide(t, alice)).allow).toBe(true);
    expect((await decide(t, child)).allow).toBe(true);
  };

  beforeAll(async () => {
    await api.start('consent_e2e', { clock });
  }, 60_000);

  afterAll(async () => {
    await api.stop();
  });

  describe('C1/C2/C3 customer profiles', () => {
    it('C1/C2: creates classified, encrypted profiles with tags and follow-ups; K4 flags a child under 14', async () => {
      const t = await freshTenant();
      const alice = body<{ id: string }>(
        await api.call('POST', '/v1/customers', {
          key: t.service,
          body: {
            profile: { name: canary.name, email: canary.email, healthNotes: canary.health, idNumber: canary.idNumber, birthDate: '1990-03-07' },
            tags: ['vip'],
          },
        }),
      ).id;
      const childBirth = new Date(clock.now().getTime() - 10 * 365.25 * 86_400_000).toISOString().slice(0, 10);
      const child = body<{ id: string }>(
        await api.call('POST', '/v1/customers', { key: t.service, body: { profile: { name: 'Child', birthDate: childBirth }, tags: ['family'] } }),
      ).id;
      expect((await api.call('POST', `/v1/customers/${alice}/follow-ups`, { key: t.service, body: { channel: 'phone', note: canary.note } })).status).toBe(201);
      expect((await api.call('POST', `/v1/customers/${alice}/tags`, { key: t.service, body: { add: ['newsletter-reader'] } })).status).toBe(200);
      const list = body<{ customerId: string; under14: boolean; profile: unknown; tags: string[] }[]>(
        await api.call('GET', '/v1/customers?tag=vip', { key: t.service }),
      );
      expect(list).toEqual([expect.objectContaining({ customerId: alice, under14: false, profile: null, tags: ['newsletter-reader', 'vip'] })]);
      expect(body<{ under14: boolean }>(await api.call('GET', `/v1/customers/${child}`, { key: t.service })).under14).toBe(true);
    });

    it('C3: personal fields only with a permission and a stated purpose, and every such read is recorded', async () => {
      const t = await freshTenant();
      const alice = await canaryCustomer(t);
      const before = await journal(t, 'read');
      const plain = body<{ profile: unknown; followUps: { note: string | null }[] }>(await api.call('GET', `/v1/customers/${alice}`, { key: t.service }));
      expect(plain.profile).toBeNull();
      expect(plain.followUps[0]?.note).toBeNull();
      const read = body<{ profile: Record<string, string>; followUps: { note: string }[] }>(
        await api.call('GET', `/v1/customers/${alice}`, { key: t.service, headers: { 'x-purpose': 'customer-support' } }),
      );
      expect(read.profile).toMatchObject({ name: canary.name, email: canary.email, healthNotes: canary.health });
      expect(read.followUps[0]?.note).toBe(canary.note);
      const after = await journal(t, 'read');
      expect(after.length).toBe(before.length + 1);
      // The subject appears as its pseudonym only (P1, D4).
      const pseudonym = await api.infra.privacy.pseudonymForSearch(t.tenantId, alice);
      expect(pseudonym).toMatch(/^psn_/);
      expect(after.at(-1)).toMatchObject({
        subject: pseudonym,
        purpose: 'customer-support',
        actor: expect.stringMatching(/^apiKey:/) as unknown,
        categories: expect.arrayContaining(['medical-health', 'specific-identity']) as unknown,
      });
      expect(JSON.stringify(after)).not.toContain(alice);
      const endUser = await api.key(t.tenantId, ['end-user']);
      expect((await api.call('GET', `/v1/customers/${alice}`, { key: endUser, headers: { 'x-purpose': 'customer-support' } })).body).toMatchObject({
        status: 403,
        code: 'AUTH.FORBIDDEN',
      });
    });
  });

  describe('K1–K7 purposes and consent', () => {
    it('K6: a register of purposes with legal bases', async () => {
      const t = await freshTenant();
      for (const p of purposeRegister()) {
        const r = await api.call('POST', '/v1/purposes', { key: t.admin, body: p });
        expect(r.status).toBe(201);
      }
      expect((await api.call('POST', '/v1/purposes', { key: t.admin, body: purpose('newsletter') })).body).toMatchObject({
        status: 409,
        code: 'PURPOSE.EXISTS',
      });
      expect((await api.call('POST', '/v1/purposes', { key: t.service, body: purpose('x') })).status).toBe(403);
      expect((await api.call('POST', '/v1/purposes/old-campaign/retire', { key: t.admin })).status).toBe(200);
      const register = body<{ purposeKey: string; legalBasis: string; retired: boolean }[]>(await api.call('GET', '/v1/purposes', { key: t.service }));
      expect(register.map((p) => [p.purposeKey, p.legalBasis, p.retired])).toEqual([
        ['billing', 'contract', false],
        ['geo-ads', 'legitimate-interests', false],
        ['health-programme', 'consent', false],
        ['newsletter', 'consent', false],
        ['old-campaign', 'consent', true],
      ]);
    });

    it('K1/K2: grant with evidence and withdraw in one call, each with a receipt; K7 history', async () => {
      const t = await freshTenant();
      await definePurposes(t);
      const alice = await newAdult(t);
      tick();
      const granted = await api.call('POST', `/v1/customers/${alice}/consents`, {
        key: t.service,
        body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', evidence: evidence() },
      });
      expect(granted.status).toBe(201);
      between(); // each state lasts a while, as in the K7 test's own timeline (newsletterTimeline)
      // The command answers the receipt and the position it committed at (ADR 0016); the receipt itself has no position.
      const { consistencyToken, ...receipt } = body<{
        receiptId: string;
        action: string;
        purpose: { key: string; version: number; legalBasis: string };
        evidence: unknown;
        event: { id: string };
        consistencyToken: string;
      }>(granted);
      expect(consistencyToken).toMatch(/^pg:/);
      expect(receipt).toMatchObject({
        action: 'granted',
        subjectId: alice,
        purpose: { key: 'newsletter', version: 1, legalBasis: 'consent' },
        evidence: evidence(),
        channel: 'email',
      });
      expect(body(await api.call('GET', `/v1/consent-receipts/${receipt.receiptId}`, { key: t.service }))).toEqual(receipt);
      // The same receipt from the event that made it (a processing record's eventId); another event has none; a non-id is refused.
      expect(body(await api.call('GET', `/v1/consent-receipts?eventId=${receipt.event.id}`, { key: t.service }))).toEqual(receipt);
      expect((await api.call('GET', `/v1/consent-receipts?eventId=${receipt.receiptId}`, { key: t.service })).body).toMatchObject({
        status: 404,
        code: 'RECEIPT.NOT_FOUND',
      });
      expect((await api.call('GET', `/v1/consent-receipts?eventId=nope`, { key: t.service })).body).toMatchObject({
        status: 400,
        errors: [{ field: 'eventId' }],
      });
      expect((await decide(t, alice)).allow).toBe(true);

      const withdrawn = await api.call('POST', `/v1/customers/${alice}/consents/withdraw`, {
        key: t.service,
        body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', method: 'unsubscribe-link', source: 'newsletter-footer' },
      });
      expect(withdrawn.body).toMatchObject({ action: 'withdrawn', withdrawal: { method: 'unsubscribe-link' } });
      between();
      expect(await decide(t, alice)).toMatchObject({ allow: false, reasons: ['CONSENT_WITHDRAWN'] });
      expect(
        (
          await api.call('POST', `/v1/customers/${alice}/consents/withdraw`, {
            key: t.service,
            body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', method: 'stop-link', source: 'email' },
          })
        ).body,
      ).toMatchObject({
        status: 409,
        code: 'CONSENT.NOT_GRANTED',
      });

      await api.call('POST', `/v1/customers/${alice}/consents`, {
        key: t.service,
        body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', evidence: evidence() },
      });
      between();
      // K5: a new notice text needs consent again.
      expect(
        (
          await api.call('PUT', '/v1/purposes/newsletter', {
            key: t.admin,
            body: { ...purpose('newsletter', { noticeVersion: 'notice-2' }), purposeKey: undefined },
          })
        ).status,
      ).toBe(200);
      between();
      expect(await decide(t, alice)).toMatchObject({ allow: false, reasons: ['OUTDATED_NOTICE_VERSION'] });
      expect(
        (
          await api.call('POST', `/v1/customers/${alice}/consents`, {
            key: t.service,
            body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', evidence: evidence() },
          })
        ).body,
      ).toMatchObject({
        code: 'CONSENT.NOTICE_VERSION_MISMATCH',
      });
      await api.call('POST', `/v1/customers/${alice}/consents`, {
        key: t.service,
        body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', evidence: evidence('notice-2') },
      });
      tick();
      expect((await decide(t, alice)).allow).toBe(true);

      const history = body<{ action: string; purpose: { version: number } }[]>(await api.call('GET', `/v1/customers/${alice}/consents`, { key: t.service }));
      expect(history.map((h) => [h.action, h.purpose.version])).toEqual([
        ['granted', 1],
        ['withdrawn', 2],
        ['granted', 1],
        ['granted', 2],
      ]);
    });

    it('K7: the state at any past instant, with the events that prove it', async () => {
      const t = await freshTenant();
      await definePurposes(t);
      const alice = await newAdult(t);
      const { grantedAt, withdrawnAt, regrantedAt, revisedAt } = await newsletterTimeline(t, alice);
      const at = async (instant: string) =>
        body<{ valid: boolean; reasons: string[]; proof: { type: string; eventId: string }[] }>(
          await api.call('GET', `/v1/customers/${alice}/consents/state?purpose=newsletter&channel=email&at=${encodeURIComponent(instant)}`, {
            key: t.service,
          }),
        );
      expect(await at(grantedAt)).toMatchObject({ valid: true, reasons: [] });
      expect(await at(withdrawnAt)).toMatchObject({ valid: false, reasons: ['CONSENT_WITHDRAWN'] });
      expect(await at(regrantedAt)).toMatchObject({ valid: true });
      const afterRevision = await at(revisedAt);
      expect(afterRevision).toMatchObject({ valid: false, reasons: ['OUTDATED_NOTICE_VERSION'] });
      expect(afterRevision.proof.map((p) => p.type)).toEqual([
        'PurposeDefined.v1',
        'ConsentGranted.v2',
        'ConsentWithdrawn.v1',
        'ConsentGranted.v2',
        'PurposeRevised.v1',
      ]);
      expect((await at(clock.now().toISOString())).valid).toBe(true);
      expect((await api.call('GET', `/v1/customers/${uuidv7()}/consents/state?purpose=newsletter&channel=email`, { key: t.service })).status).toBe(404);
    });

    it('K3/K4: separate consents for sensitive data, third parties and transfers; a guardian consents for a child', async () => {
      const t = await freshTenant();
      await definePurposes(t, 'notice-2');
      const alice = await newAdult(t);
      const child = await newChild(t);
      expect(
        (
          await api.call('POST', `/v1/customers/${child}/consents`, {
            key: t.service,
            body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', evidence: evidence('notice-2') },
          })
        ).body,
      ).toMatchObject({
        status: 400,
        code: 'CONSENT.GUARDIAN_REQUIRED',
      });
      const byGuardian = await api.call('POST', `/v1/customers/${child}/consents`, {
        key: t.service,
        body: {
          purposeKey: 'newsletter',
          channel: 'email',
          scope: 'general',
          evidence: evidence('notice-2'),
          guardian: { name: canary.guardian, relationship: 'parent' },
        },
      });
      expect(byGuardian.body).toMatchObject({ givenByGuardian: { relationship: 'parent' } });
      expect(JSON.stringify(byGuardian.body)).not.toContain(canary.guardian);
      expect((await decide(t, child)).allow).toBe(true);

      const grant = (b: Record<string, unknown>) =>
        api.call('POST', `/v1/customers/${alice}/consents`, { key: t.service, body: { channel: 'email', evidence: evidence(), ...b } });
      expect((await grant({ purposeKey: 'health-programme', scope: 'general' })).status).toBe(201);
      expect(await decide(t, alice, { purpose: 'health-programme', dataCategories: ['contact', 'medical-health'] })).toMatchObject({
        allow: false,
        reasons: ['SENSITIVE_WITHOUT_SEPARATE_CONSENT'],
      });
      expect((await grant({ purposeKey: 'health-programme', scope: 'sensitive' })).status).toBe(201);
      expect((await decide(t, alice, { purpose: 'health-programme', dataCategories: ['contact', 'medical-health'] })).allow).toBe(true);
      expect(await decide(t, alice, { purpose: 'health-programme', thirdParty: 'Lab Partner Ltd' })).toMatchObject({ reasons: ['NO_THIRD_PARTY_CONSENT'] });
      expect((await grant({ purposeKey: 'health-programme', scope: 'third-party', thirdParty: { name: 'Lab Partner Ltd' } })).status).toBe(201);
      expect((await decide(t, alice, { purpose: 'health-programme', thirdParty: 'lab partner ltd' })).allow).toBe(true);
      expect(await decide(t, alice, { purpose: 'health-programme', transferCountry: 'DE' })).toMatchObject({ reasons: ['NO_TRANSFER_CONSENT'] });
      expect(
        (
          await grant({
            purposeKey: 'health-programme',
            scope: 'cross-border',
            crossBorder: { recipient: 'Acme GmbH', country: 'DE', purpose: 'support', dataTypes: ['contact'] },
          })
        ).status,
      ).toBe(201);
      expect((await decide(t, alice, { purpose: 'health-programme', transferCountry: 'DE' })).allow).toBe(true);
      expect(await decide(t, alice, { purpose: 'health-programme', transferCountry: 'DE', dataCategories: ['medical-health'] })).toMatchObject({
        reasons: ['NO_TRANSFER_CONSENT'],
      });
      expect(
        (await grant({ purposeKey: 'health-programme', scope: 'cross-border', crossBorder: { recipient: 'x', country: 'DE', purpose: 'p', dataTypes: [] } }))
          .status,
      ).toBe(400);
    });
  });

  describe('P3 processing decisions', () => {
    it('reaches every deny reason through the API, and records every decision', async () => {
      const t = await freshTenant();
      await definePurposes(t, 'notice-2');
      const alice = await newAdult(t);
      await grantConsent(t, alice);
      const child = await newChild(t);
      await guardianConsent(t, child);
      const before = (await journal(t, 'decision')).length;
      const seen = new Set<string>();
      const expectDeny = async (reason: string, customerId: string, q: Record<string, unknown> = {}): Promise<void> => {
        const d = await decide(t, customerId, q);
        expect({ reason, allow: d.allow, reasons: d.reasons }).toEqual({ reason, allow: false, reasons: expect.arrayContaining([reason]) as unknown });
        seen.add(reason);
      };
      await expectDeny('PURPOSE_UNKNOWN', alice, { purpose: 'nothing-like-it' });
      await expectDeny('PURPOSE_RETIRED', alice, { purpose: 'old-campaign' });
      await expectDeny('CHANNEL_NOT_IN_PURPOSE', alice, { channel: 'phone' });
      await expectDeny('CATEGORY_NOT_IN_PURPOSE', alice, { dataCategories: ['biometric'] });
      await expectDeny('SUBJECT_UNKNOWN', uuidv7());
      await expectDeny('LEGAL_BASIS_INSUFFICIENT', alice, { purpose: 'geo-ads', channel: 'in-app', dataCategories: ['whereabouts'] });
      await expectDeny('SENSITIVE_WITHOUT_SEPARATE_CONSENT', child, { purpose: 'health-programme', dataCategories: ['medical-health'] });
      await expectDeny('NO_THIRD_PARTY_CONSENT', alice, { thirdParty: 'Someone Else' });
      await expectDeny('NO_TRANSFER_CONSENT', alice, { transferCountry: 'US' });
      const bob = body<{ id: string }>(
        await api.call('POST', '/v1/customers', { key: t.service, body: { profile: { name: 'Bob', birthDate: '1980-01-01' } } }),
      ).id;
      await expectDeny('NO_CONSENT', bob);
      await api.call('POST', `/v1/customers/${bob}/consents`, {
        key: t.service,
        body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', evidence: evidence('notice-2') },
      });
      await api.call('POST', `/v1/customers/${bob}/consents/withdraw`, {
        key: t.service,
        body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', method: 'sms-stop', source: 'sms' },
      });
      await expectDeny('CONSENT_WITHDRAWN', bob);
      await api.call('POST', `/v1/customers/${bob}/consents`, {
        key: t.service,
        body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', evidence: evidence('notice-2') },
      });
      // The subject turns out to be a child: a consent not given by a guardian does not count.
      await api.call('PATCH', `/v1/customers/${bob}`, {
        key: t.service,
        body: { birthDate: new Date(clock.now().getTime() - 9 * 365.25 * 86_400_000).toISOString().slice(0, 10) },
      });
      await expectDeny('MINOR_WITHOUT_GUARDIAN_CONSENT', bob);
      const carol = body<{ id: string }>(await api.call('POST', '/v1/customers', { key: t.service, body: { profile: { name: 'Carol' } } })).id;
      await api.call('POST', `/v1/customers/${carol}/consents`, {
        key: t.service,
        body: { purposeKey: 'billing', channel: 'email', scope: 'general', evidence: evidence() },
      });
      expect((await decide(t, carol, { purpose: 'billing' })).allow).toBe(true);
      expect(
        (
          await api.call('PUT', '/v1/purposes/billing', {
            key: t.admin,
            body: { ...purpose('billing', { legalBasis: 'consent', channels: ['email', 'postal'] }), purposeKey: undefined },
          })
        ).status,
      ).toBe(200);
      // Still version-1 consent, and the revision changed nothing the subject agreed to: valid.
      expect((await decide(t, carol, { purpose: 'billing' })).allow).toBe(true);
      await api.call('PUT', '/v1/purposes/billing', {
        key: t.admin,
        body: { ...purpose('billing', { legalBasis: 'consent', method: 'profiling' }), purposeKey: undefined },
      });
      await expectDeny('OUTDATED_NOTICE_VERSION', carol, { purpose: 'billing' });
      expect((await api.call('POST', `/v1/customers/${alice}/restriction`, { key: t.service, body: { reason: 'accuracy-contested' } })).status).toBe(200);
      await expectDeny('SUBJECT_RESTRICTED', alice);
      expect((await api.call('DELETE', `/v1/customers/${alice}/restriction`, { key: t.service })).status).toBe(200);
      expect((await decide(t, alice)).allow).toBe(true);
      // Erased as a data-subject request erases: the customers command (its inline projection tells this process's
      // decision facts), then the processing record's entry and the key (ADR 0016).
      const context = { tenantId: t.tenantId, actor: 'system:test', correlationId: uuidv7(), commandId: uuidv7() };
      await api.app.get(CommandBus).execute(new RunCustomerCommand(context, { kind: 'EraseCustomer', customerId: carol, requestId: null }));
      await closeErasedCustomer(api.infra, t.tenantId, carol, 'test: an erasure');
      await expectDeny('SUBJECT_ERASED', carol, { purpose: 'billing' });
      await api.call('POST', `/v1/platform/accounts/${t.accountId}/status`, { key: t.operator, body: { action: 'suspend', reason: 'authority-request' } });
      await expectDeny('ACCOUNT_SUSPENDED', alice);
      await api.call('POST', `/v1/platform/accounts/${t.accountId}/status`, { key: t.operator, body: { action: 'reactivate', reason: 'resolved' } });
      expect((await decide(t, alice)).allow).toBe(true);
      expect([...seen].sort()).toEqual(
        [
          'ACCOUNT_SUSPENDED',
          'CATEGORY_NOT_IN_PURPOSE',
          'CHANNEL_NOT_IN_PURPOSE',
          'CONSENT_WITHDRAWN',
          'LEGAL_BASIS_INSUFFICIENT',
          'MINOR_WITHOUT_GUARDIAN_CONSENT',
          'NO_CONSENT',
          'NO_THIRD_PARTY_CONSENT',
          'NO_TRANSFER_CONSENT',
          'OUTDATED_NOTICE_VERSION',
          'PURPOSE_RETIRED',
          'PURPOSE_UNKNOWN',
          'SENSITIVE_WITHOUT_SEPARATE_CONSENT',
          'SUBJECT_ERASED',
          'SUBJECT_RESTRICTED',
          'SUBJECT_UNKNOWN',
        ].sort(),
      );
      const recorded = await journal(t, 'decision');
      expect(recorded.length - before).toBeGreaterThanOrEqual(20);
      expect(recorded.at(-1)).toMatchObject({
        subject: await api.infra.privacy.pseudonymForSearch(t.tenantId, alice),
        outcome: 'allow',
        purpose: 'newsletter',
        legalBasis: 'consent',
        channel: 'email',
      });
    });

    it('K8/P7: a group send gets one recorded result per recipient; another tenant sees none of ours', async () => {
      const t = await freshTenant();
      await definePurposes(t, 'notice-2');
      const alice = await newAdult(t);
      await grantConsent(t, alice);
      const child = await newChild(t);
      await guardianConsent(t, child);
      const unknown = uuidv7();
      const res = await api.call('POST', '/v1/decisions/bulk', {
        key: t.service,
        body: { customerIds: [alice, child, unknown], purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] },
      });
      expect(res.status).toBe(200);
      const bulk = body<{ allowed: number; denied: number; decisions: { customerId: string; allow: boolean; reasons: string[]; decisionId: string }[] }>(res);
      expect(bulk).toMatchObject({ allowed: 2, denied: 1 });
      expect(bulk.decisions.map((d) => [d.customerId, d.allow])).toEqual([
        [alice, true],
        [child, true],
        [unknown, false],
      ]);
      const ids = bulk.decisions.map((d) => d.decisionId);
      // Recorded durably before the answer (staged or already merged), then in the Merkle log.
      const durable = await api.infra.dataSource.query<{ source_id: string }[]>(
        `SELECT source_id FROM processing.records WHERE source_id = ANY($1::text[])
         UNION SELECT d->>'sourceId' FROM processing.pending p, json_array_elements(p.drafts) d WHERE d->>'sourceId' = ANY($1::text[])`,
        [ids],
      );
      expect(durable).toHaveLength(3);
      await api.infra.recordLog.drain();
      const rows = await api.infra.dataSource.query<{ source_id: string }[]>('SELECT source_id FROM processing.records WHERE source_id = ANY($1::text[])', [
        ids,
      ]);
      expect(rows).toHaveLength(3);
      const tooMany = Array.from({ length: 10_001 }, () => uuidv7());
      expect(
        (
          await api.call('POST', '/v1/decisions/bulk', {
            key: t.service,
            body: { customerIds: tooMany, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] },
          })
        ).status,
      ).toBe(400);
      const other = await api.key(`other-${tag}`, ['service']);
      const foreign = body<{ reasons: string[] }>(
        await api.call('POST', '/v1/decisions', {
          key: other,
          body: { customerId: alice, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] },
        }),
      );
      expect(foreign.reasons).toEqual(['PURPOSE_UNKNOWN']);
      expect((await api.call('GET', `/v1/customers/${alice}/consents`, { key: other })).status).toBe(404);
    });

    it('concurrent changes to one subject are serialised: the history folds to the state decisions see', async () => {
      const t = await freshTenant();
      await definePurposes(t, 'notice-2');
      const alice = await newAdult(t);
      await grantConsent(t, alice);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          i % 2 === 0
            ? api.call('POST', `/v1/customers/${alice}/consents`, {
                key: t.service,
                body: { purposeKey: 'newsletter', channel: 'sms', scope: 'general', evidence: evidence('notice-2') },
              })
            : api.call('POST', `/v1/customers/${alice}/consents/withdraw`, {
                key: t.service,
                body: { purposeKey: 'newsletter', channel: 'sms', scope: 'general', method: 'stop', source: 'sms' },
              }),
        ),
      );
      for (const r of results) expect([200, 201, 409]).toContain(r.status);
      const history = body<{ action: string; channel: string }[]>(await api.call('GET', `/v1/customers/${alice}/consents`, { key: t.service })).filter(
        (h) => h.channel === 'sms',
      );
      expect(history.length).toBe(results.filter((r) => r.status < 300).length);
      // A withdrawal only follows a grant: the log never withdraws twice in a row.
      history.forEach((h, i) => {
        if (h.action === 'withdrawn') expect(history[i - 1]?.action).toBe('granted');
      });
      const last = history.at(-1)?.action;
      expect((await decide(t, alice, { channel: 'sms' })).allow).toBe(last === 'granted');
    });

    it('the CRM list filters by consent status per purpose and shows the overview', async () => {
      const t = await freshTenant();
      await definePurposes(t, 'notice-2');
      const alice = await newAdult(t);
      await grantConsent(t, alice);
      await grantConsent(t, alice, { purposeKey: 'health-programme', scope: 'general', evidence: evidence() });
      await grantConsent(t, alice, { purposeKey: 'health-programme', scope: 'sensitive', evidence: evidence() });
      const child = await newChild(t);
      await guardianConsent(t, child);
      const granted = body<{ customerId: string }[]>(await api.call('GET', '/v1/customers?purpose=health-programme&consentStatus=granted', { key: t.service }));
      expect(granted.map((c) => c.customerId)).toEqual([alice]);
      const none = body<{ customerId: string }[]>(await api.call('GET', '/v1/customers?purpose=health-programme&consentStatus=none', { key: t.service }));
      expect(none.map((c) => c.customerId)).toContain(child);
      expect((await api.call('GET', '/v1/customers?consentStatus=granted', { key: t.service })).status).toBe(400);
      // Per purpose and per channel: the newsletter by email (Alice, and the child through the guardian), and Alice's by SMS, then withdrawn.
      await grantConsent(t, alice, { channel: 'sms' });
      await withdrawConsent(t, alice, { channel: 'sms' });
      type Overview = { purposeKey: string; granted: number; withdrawn: number; channels: { channel: string; granted: number; withdrawn: number }[] };
      const overview = body<Overview[]>(await api.call('GET', '/v1/consents/overview', { key: t.service }));
      expect(overview.find((o) => o.purposeKey === 'health-programme')).toMatchObject({
        granted: 1,
        channels: [{ channel: 'email', granted: 1, withdrawn: 0 }],
      });
      expect(overview.find((o) => o.purposeKey === 'newsletter')).toMatchObject({
        granted: 2,
        withdrawn: 1,
        channels: [
          { channel: 'email', granted: 2, withdrawn: 0 },
          { channel: 'sms', granted: 0, withdrawn: 1 },
        ],
      });
    });
  });

  it('N5: no personal data in plaintext in the database or the logs', async () => {
    await canaryScenario();
    const report = await scanForCanaries({ databaseUrl: api.databaseUrl, canaries: Object.values(canary), logs: api.logLines });
    expect(report.findings).toEqual([]);
  });

  /** The processing records of one kind in a tenant's journal, oldest first. */
  async function journal(t: Tenant, kind: string): Promise<Record<string, unknown>[]> {
    await api.infra.recordLog.drain();
    const rows = await api.infra.dataSource.query<{ body: string }[]>(`SELECT body FROM processing.records WHERE kind = $1 AND tenant_id = $2 ORDER BY idx`, [
      kind,
      t.tenantId,
    ]);
    return rows.map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }

  it('every projection, given every event of this suite’s log a second time, changes nothing', async () => {
    await canaryScenario();
    await Promise.all(api.runners.map((r) => r.catchUp()));
    expect(await changesWhenDeliveredTwice(api.infra)).toEqual({});
  }, 120_000);

  it('every read model built from this log with part of its consent grants stored as ConsentGranted.v1 equals one built from the .v2 log', async () => {
    await canaryScenario();
    await Promise.all(api.runners.map((r) => r.catchUp()));
    const mixed = everyOtherGrantAsV1(api.infra);
    const fromV2 = await readModelsFromCopiedLog(api.infra, api.masterKey, 'consent_v2_only', (row) => row);
    const fromMixed = await readModelsFromCopiedLog(api.infra, api.masterKey, 'consent_mixed', mixed.rewrite);
    // The copy holds both versions, guardians' grants among the old ones.
    expect(mixed.rewritten().all).toBeGreaterThan(3);
    expect(mixed.rewritten().withGuardian).toBeGreaterThan(0);
    expect(Object.keys(fromV2)).toContain('consent.consents_v1');
    expect(differences(fromV2, fromMixed)).toEqual({});
  }, 120_000);
});
