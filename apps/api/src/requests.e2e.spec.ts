import { randomBytes } from 'node:crypto';
import type { GlobalPosition } from '@attest/event-store';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { rebuildProjection } from '@attest/projections';
import {
  BULK_JOBS,
  BulkActions,
  DELETION_EVIDENCE,
  DELETION_LEDGER,
  DeletionProcess,
  SUBJECT_RIGHTS,
  type BulkJobs,
  type DeletionEvidence,
  type DeletionLedger,
  type SignedCertificate,
  type SubjectRights,
} from '@attest/requests-application';
import { CommandBus } from '@nestjs/cqrs';
import { RunCustomerCommand } from '@attest/customers-application';
import { expectEventually, scanForCanaries } from '@attest/testing';
import { openNote, parseVerifierKey, verifyInclusion, openCheckpoint } from '@attest/transparency';
import { ApiHarness, type ApiResponse } from './testing/api-harness';
import { changesWhenDeliveredTwice } from './testing/delivered-twice';
import { WebhookInbox } from './testing/webhook-inbox';

interface RequestView {
  requestId: string;
  status: string;
  verified: boolean;
  dueOn: string;
  maxExtendedDueOn: string | null;
  urgency: string | null;
  handler: string | null;
  escalations: { reason: string }[];
  outcome: { summary: string } | null;
  rejection: { reasons: string[]; complaint: string } | null;
}

const tag = randomBytes(3).toString('hex');
const requesterEmail = `requester.${tag}@example.org`;
const canary = { name: `Zhou Canary${tag}`, email: `zhou.${tag}@canary.example`, health: `Asthma ${tag}`, note: `Call after nine ${tag}` };
const survivor = { name: `Wu Survivor${tag}`, email: `wu.${tag}@survivor.example` };

describe('data-subject requests end to end (D1–D3, K2; real HTTP, real Postgres, real webhook receiver)', () => {
  // Monday 2026-11-23, 10:00 UTC.
  const clock = new FixedClock(new Date('2026-11-23T10:00:00.000Z'));
  const api = new ApiHarness();
  let inbox: WebhookInbox;
  let admin: string;
  let handler: string;
  let service: string;
  let officer: string;
  let operator: string;
  let customer: string;
  let tenantOf: string;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: ApiResponse): T => res.body as T;

  const receive = async (type: string, extra: Record<string, unknown> = {}, key = service): Promise<RequestView> => {
    const res = await api.call('POST', '/v1/data-subject-requests', {
      key,
      body: { customerId: customer, type, channel: 'web', requester: { relation: 'self', contact: { email: requesterEmail } }, ...extra },
    });
    expect(res.status).toBe(201);
    return body<RequestView>(res);
  };
  const post = (requestId: string, step: string, payload?: unknown): Promise<ApiResponse> =>
    api.call('POST', `/v1/data-subject-requests/${requestId}/${step}`, { key: handler, ...(payload === undefined ? {} : { body: payload }) });

  async function codeFor(requestId: string): Promise<{ challengeId: string; code: string }> {
    const sent = await post(requestId, 'verification-codes');
    expect(sent.status).toBe(201);
    const { challengeId } = body<{ challengeId: string }>(sent);
    const message = (await inbox.dispatch()).find(
      (m) => m.kind === 'one-time-code' && m.payload.requestId === requestId && m.payload.to.email === requesterEmail,
    );
    if (!message?.payload.code) throw new Error('no code arrived for the requester');
    return { challengeId, code: message.payload.code };
  }

  /** Received, verified by code, started. */
  async function underWay(type: string, extra: Record<string, unknown> = {}): Promise<string> {
    const { requestId } = await receive(type, extra);
    const { challengeId, code } = await codeFor(requestId);
    expect(body<RequestView>(await post(requestId, 'verification', { challengeId, code }))).toMatchObject({ status: 'verified', verified: true });
    expect(body<RequestView>(await post(requestId, 'start'))).toMatchObject({ status: 'in-progress' });
    return requestId;
  }

  beforeAll(async () => {
    await api.start('requests_e2e', { clock });
    inbox = await WebhookInbox.start(api.infra, clock);
    const registered = await api.call('POST', '/v1/registrations/enterprise', {
      body: {
        tenantId: `dsr-${tag}`,
        legalName: 'Shop Ltd',
        registrationNumber: `DSR${tag}01`,
        contact: { name: 'Shop Contact', email: `c.${tag}@example.org` },
        evidence: { documentRef: 's.pdf', sha256: 'e'.repeat(64) },
      },
    });
    const tenantId = body<{ tenantId: string }>(registered).tenantId;
    tenantOf = tenantId;
    admin = await api.key(tenantId, ['org-admin']);
    handler = await api.key(tenantId, ['dsr-handler']);
    service = await api.key(tenantId, ['service']);
    officer = await api.key(tenantId, ['compliance-officer']);
    operator = await api.key('platform', ['platform-operator']);
    for (const purposeKey of ['newsletter', 'offers']) {
      await api.call('POST', '/v1/purposes', {
        key: admin,
        body: {
          purposeKey,
          name: purposeKey,
          description: purposeKey,
          legalBasis: 'consent',
          method: 'bulk-email',
          dataCategories: ['contact'],
          channels: ['email', 'sms'],
          retentionDays: 730,
          noticeVersion: 'n-1',
        },
      });
    }
    customer = body<{ id: string }>(
      await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: `Li ${tag}`, email: `li.${tag}@example.org` }, tags: [] } }),
    ).id;
    const evidence = { noticeVersion: 'n-1', method: 'checkbox', source: 'web', collector: 'system:web', collectedAt: clock.now().toISOString() };
    for (const [purposeKey, channel] of [
      ['newsletter', 'email'],
      ['newsletter', 'sms'],
      ['offers', 'email'],
    ] as const) {
      expect(
        (await api.call('POST', `/v1/customers/${customer}/consents`, { key: service, body: { purposeKey, channel, scope: 'general', evidence } })).status,
      ).toBe(201);
    }
  }, 60_000);

  afterAll(async () => {
    await inbox.stop();
    await api.stop();
  });

  it('D1/D3: receives a request with the due date of the GDPR month; the queue shows it oldest due first', async () => {
    const r = await receive('access');
    expect(r).toMatchObject({ status: 'received', verified: false, dueOn: '2026-12-23', maxExtendedDueOn: '2027-02-23', urgency: 'on-track' });
    // Manual intake: a letter entered three days after it arrived; its deadline counts from the day it arrived.
    expect(await receive('access', { channel: 'letter', receivedAt: '2026-11-20T08:00:00.000Z' })).toMatchObject({
      receivedAt: '2026-11-20T08:00:00.000Z',
      dueOn: '2026-12-20',
    });
    expect(
      (
        await api.call('POST', '/v1/data-subject-requests', {
          key: service,
          body: {
            customerId: customer,
            type: 'access',
            channel: 'web',
            receivedAt: '2026-11-20T08:00:00.000Z',
            requester: { relation: 'self', contact: { email: requesterEmail } },
          },
        })
      ).body,
    ).toMatchObject({ status: 400, code: 'DSR.RECEIVED_AT_NOT_MANUAL' });
    const queue = body<RequestView[]>(await api.call('GET', '/v1/data-subject-requests', { key: handler }));
    expect(queue.map((q) => q.requestId)).toContain(r.requestId);
    expect(body<RequestView>(await api.call('GET', `/v1/data-subject-requests/${r.requestId}`, { key: officer })).requestId).toBe(r.requestId);
    // No personal data of the requester in the queue.
    expect(JSON.stringify(queue)).not.toContain(requesterEmail);
    expect(
      (
        await api.call('POST', '/v1/data-subject-requests', {
          key: service,
          body: {
            customerId: '0190a9d1-0000-7000-8000-000000000001',
            type: 'access',
            channel: 'web',
            requester: { relation: 'self', contact: { email: requesterEmail } },
          },
        })
      ).body,
    ).toMatchObject({
      status: 404,
      code: 'DSR.SUBJECT_NOT_FOUND',
    });
    expect(
      (
        await api.call('POST', '/v1/data-subject-requests', {
          key: service,
          body: {
            customerId: customer,
            type: 'correction',
            channel: 'web',
            fields: ['shoeSize'],
            requester: { relation: 'self', contact: { email: requesterEmail } },
          },
        })
      ).body,
    ).toMatchObject({
      status: 400,
      code: 'DSR.FIELD_UNKNOWN',
    });
  });

  it('D3: a tenant on 15 working days with holidays gets that due date; existing requests keep theirs', async () => {
    expect(body<{ policy: { kind: string } }>(await api.call('GET', '/v1/data-subject-request-policy', { key: handler })).policy.kind).toBe('gdpr-month');
    expect(
      (await api.call('PUT', '/v1/data-subject-request-policy', { key: handler, body: { policy: { kind: 'gdpr-month' }, holidays: [], retentionDuties: [] } }))
        .status,
    ).toBe(403);
    expect(
      (await api.call('PUT', '/v1/data-subject-request-policy', { key: admin, body: { policy: { kind: 'working-days' }, holidays: [], retentionDuties: [] } }))
        .body,
    ).toMatchObject({ status: 400, code: 'DSR.POLICY_INVALID' });
    const set = await api.call('PUT', '/v1/data-subject-request-policy', {
      key: admin,
      body: { policy: { kind: 'working-days', days: 15 }, holidays: ['2026-12-25', '2026-12-24'], retentionDuties: [] },
    });
    expect(body<{ calendar: { holidays: string[] } }>(set).calendar.holidays).toEqual(['2026-12-24', '2026-12-25']);
    const r = await receive('restriction');
    // 15 working days after Monday 23 November, skipping 24 and 25 December: not reached, so 14 December.
    expect(r).toMatchObject({ dueOn: '2026-12-14', maxExtendedDueOn: null });
    clock.set(new Date('2026-12-10T10:00:00.000Z'));
    const r2 = await receive('restriction');
    // From Thursday 10 December: 15 working days, minus 24 and 25 December, end on 4 January.
    expect(r2.dueOn).toBe('2027-01-04');
    expect(body<RequestView>(await api.call('GET', `/v1/data-subject-requests/${r.requestId}`, { key: handler }))).toMatchObject({
      dueOn: '2026-12-14',
      urgency: 'at-risk',
    });
    expect(body<RequestView[]>(await api.call('GET', '/v1/data-subject-requests?urgency=at-risk', { key: handler })).map((q) => q.requestId)).toContain(
      r.requestId,
    );
    clock.set(new Date('2026-12-15T00:00:01.000Z'));
    expect(body<RequestView>(await api.call('GET', `/v1/data-subject-requests/${r.requestId}`, { key: handler })).urgency).toBe('overdue');
    expect(body<RequestView[]>(await api.call('GET', '/v1/data-subject-requests?urgency=overdue', { key: handler })).map((q) => q.requestId)).toEqual(
      expect.arrayContaining([r.requestId]) as unknown,
    );
    // Each urgency selects exactly the requests `urgencyOf` names so.
    for (const urgency of ['on-track', 'at-risk', 'overdue'] as const) {
      const listed = body<RequestView[]>(await api.call('GET', `/v1/data-subject-requests?urgency=${urgency}&status=all&limit=200`, { key: handler }));
      expect(listed.map((q) => q.urgency)).toEqual(listed.map(() => urgency));
      expect(listed.some((q) => q.requestId === r.requestId)).toBe(urgency === 'overdue');
    }
    await api.call('PUT', '/v1/data-subject-request-policy', { key: admin, body: { policy: { kind: 'gdpr-month' }, holidays: [], retentionDuties: [] } });
    clock.set(new Date('2026-11-23T10:00:00.000Z'));
  });

  it('D2: verifies the requester with a one-time code through the outbox; wrong codes count, expired codes fail', async () => {
    const { requestId } = await receive('access');
    expect((await post(requestId, 'start')).body).toMatchObject({ status: 409, code: 'DSR.NOT_VERIFIED' });
    const { challengeId, code } = await codeFor(requestId);
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await post(requestId, 'verification', { challengeId, code: wrong })).body).toMatchObject({ status: 400, code: 'DSR.CODE_INVALID' });
    clock.advance(16 * 60_000);
    expect((await post(requestId, 'verification', { challengeId, code })).body).toMatchObject({ status: 400, code: 'DSR.CODE_EXPIRED' });
    const second = await codeFor(requestId);
    for (let i = 0; i < 5; i++) await post(requestId, 'verification', { challengeId: second.challengeId, code: wrong });
    expect((await post(requestId, 'verification', second)).body).toMatchObject({ status: 400, code: 'DSR.CODE_ATTEMPTS_EXHAUSTED' });
    const third = await codeFor(requestId);
    expect(body<RequestView>(await post(requestId, 'verification', third))).toMatchObject({ status: 'verified', verified: true });
    expect((await post(requestId, 'verification-codes')).body).toMatchObject({ status: 409, code: 'DSR.ALREADY_VERIFIED' });
    const other = await receive('access');
    expect(body<RequestView>(await post(other.requestId, 'identity-checks', { note: 'ID card checked at the service desk' }))).toMatchObject({
      verified: true,
    });
  });

  it('D2: assigns, escalates to the platform operator, extends within the first month, rejects with how to complain', async () => {
    const { requestId } = await receive('deletion');
    expect(body<RequestView>(await post(requestId, 'assignment', { handler: 'user:alice' })).handler).toBe('user:alice');
    expect(body<RequestView[]>(await api.call('GET', '/v1/data-subject-requests?handler=user:alice', { key: handler })).map((q) => q.requestId)).toEqual([
      requestId,
    ]);
    expect(body<RequestView>(await post(requestId, 'escalations', { reason: 'the tenant has not answered in three weeks' })).escalations).toHaveLength(1);
    expect(body<RequestView[]>(await api.call('GET', '/v1/platform/data-subject-requests/escalated', { key: operator })).map((q) => q.requestId)).toContain(
      requestId,
    );
    expect((await api.call('GET', '/v1/platform/data-subject-requests/escalated', { key: handler })).status).toBe(403);
    expect((await post(requestId, 'extension', { reason: 'x', dueOn: '2027-02-24', requesterToldAt: clock.now().toISOString() })).body).toMatchObject({
      code: 'DSR.EXTENSION_TOO_LONG',
    });
    const extended = body<RequestView>(
      await post(requestId, 'extension', { reason: 'several systems to search', dueOn: '2027-02-23', requesterToldAt: clock.now().toISOString() }),
    );
    expect(extended.dueOn).toBe('2027-02-23');
    expect((await post(requestId, 'extension', { reason: 'again', dueOn: '2027-02-20', requesterToldAt: clock.now().toISOString() })).body).toMatchObject({
      status: 409,
      code: 'DSR.ALREADY_EXTENDED',
    });
    expect((await post(requestId, 'rejection', { reasons: ['x'], complaint: '' })).status).toBe(400);
    const rejected = body<RequestView>(
      await post(requestId, 'rejection', {
        reasons: ['the requester could not be identified'],
        complaint: 'Complain to the data protection authority: dpa.example.org',
      }),
    );
    expect(rejected).toMatchObject({ status: 'rejected', urgency: null, rejection: { reasons: ['the requester could not be identified'] } });
    expect((await post(requestId, 'start')).body).toMatchObject({ status: 409, code: 'DSR.CLOSED' });
    expect(body<RequestView[]>(await api.call('GET', '/v1/data-subject-requests?status=rejected', { key: handler })).map((q) => q.requestId)).toContain(
      requestId,
    );
  });

  it('D2 request page: comments between handlers, and a timeline of every event of the request, open or closed, without the contact', async () => {
    const { requestId } = await receive('deletion');
    const { challengeId, code } = await codeFor(requestId);
    await post(requestId, 'verification', { challengeId: challengeId, code: code === '000000' ? '111111' : '000000' });
    await post(requestId, 'verification', { challengeId, code });
    await post(requestId, 'assignment', { handler: 'user:alice' });
    const made = await post(requestId, 'comments', { text: 'Paper file archived off-site.\nRetrieval booked for Monday.' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ kind: 'commented', text: 'Paper file archived off-site.\nRetrieval booked for Monday.' });
    expect(body<{ actor: string | null }>(made).actor).toMatch(/^apiKey:/); // the handler's key
    expect((await post(requestId, 'comments', { text: '' })).body).toMatchObject({ status: 400 });
    expect((await post(requestId, 'comments', { text: '   ' })).body).toMatchObject({ status: 400, code: 'DSR.COMMENT_INVALID' });
    expect((await post(requestId, 'comments', { text: 'x'.repeat(2001) })).body).toMatchObject({ status: 400 });
    expect((await post(requestId, 'comments', { text: 'bell \u0007' })).body).toMatchObject({ status: 400 });
    await post(requestId, 'rejection', { reasons: ['duplicate of an answered request'], complaint: 'Complain to the authority: dpa.example.org' });
    // A closed request still takes comments.
    expect((await post(requestId, 'comments', { text: 'Requester called: satisfied with the answer.' })).status).toBe(201);

    const timeline = await api.call('GET', `/v1/data-subject-requests/${requestId}/timeline`, { key: handler });
    expect(timeline.status).toBe(200);
    const { entries } = body<{ entries: { kind: string; text: string | null; revision: number | null }[] }>(timeline);
    expect(entries.map((e) => e.kind)).toEqual(['received', 'code-sent', 'code-failed', 'identity-verified', 'assigned', 'commented', 'rejected', 'commented']);
    expect(entries.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(JSON.stringify(timeline.body)).not.toContain(requesterEmail);
    expect((await api.call('GET', `/v1/data-subject-requests/${requestId}/timeline`, { key: operator })).status).toBe(403);
    expect((await api.call('GET', '/v1/data-subject-requests/01890000-0000-7000-8000-000000000000/timeline', { key: handler })).body).toMatchObject({
      status: 404,
      code: 'DSR.NOT_FOUND',
    });
  });

  it("C3 reveal: the requester's contact only with a declared purpose and personal-data:read, each read recorded in the processing record first", async () => {
    const { requestId } = await receive('access');
    const path = `/v1/data-subject-requests/${requestId}/requester`;
    expect(JSON.stringify((await api.call('GET', `/v1/data-subject-requests/${requestId}`, { key: handler })).body)).not.toContain(requesterEmail);
    expect((await api.call('GET', path, { key: handler })).body).toMatchObject({ status: 400, code: 'PURPOSE.REQUIRED' });
    expect((await api.call('GET', path, { key: officer, headers: { 'x-purpose': 'data-subject-request' } })).status).toBe(403);
    const tenantId = body<{ tenantId: string }>(await api.call('GET', '/v1/me', { key: handler })).tenantId;
    const pseudonym = await api.infra.privacy.pseudonymForSearch(tenantId, customer);
    const readsBefore = async (): Promise<number> => {
      await api.infra.recordLog.drain();
      const [row] = await api.infra.dataSource.query<{ n: string }[]>(
        `SELECT count(*)::text AS n FROM processing.records WHERE kind = 'read' AND subject = $1 AND purpose = 'data-subject-request'`,
        [pseudonym],
      );
      return Number(row?.n);
    };
    const before = await readsBefore();
    const revealed = await api.call('GET', path, { key: handler, headers: { 'x-purpose': 'data-subject-request' } });
    expect(revealed.status).toBe(200);
    expect(revealed.body).toMatchObject({ requestId, relation: 'self', email: requesterEmail, phone: null, erased: false });
    expect(body<{ recordedAs: string }>(revealed).recordedAs).toMatch(/^[0-9a-f-]{36}$/);
    // Recorded as a read of the request contact, by the handler, for that purpose, under the subject's pseudonym.
    expect(await readsBefore()).toBe(before + 1);
    const [entry] = await api.infra.dataSource.query<{ body: string }[]>(
      `SELECT body FROM processing.records WHERE kind = 'read' AND subject = $1 AND purpose = 'data-subject-request' ORDER BY idx DESC LIMIT 1`,
      [pseudonym],
    );
    expect(JSON.parse(entry?.body ?? '{}')).toMatchObject({ categories: ['request-contact'], purpose: 'data-subject-request' });
    expect(entry?.body).not.toContain(requesterEmail);
    expect(
      (await api.call('GET', '/v1/data-subject-requests/01890000-0000-7000-8000-000000000000/requester', { key: handler, headers: { 'x-purpose': 'x1' } }))
        .status,
    ).toBe(404);
  });

  it('D1/PIPL 47: a restriction request makes the decision API deny; repeating the execution changes nothing', async () => {
    const decide = async (): Promise<{ allow: boolean; reasons: string[] }> =>
      body(
        await api.call('POST', '/v1/decisions', {
          key: service,
          body: { customerId: customer, purpose: 'offers', channel: 'email', dataCategories: ['contact'] },
        }),
      );
    expect(await decide()).toMatchObject({ allow: true });
    const requestId = await underWay('restriction');
    const done = body<{ outcome: { summary: string } }>(await post(requestId, 'execution', {}));
    expect(done.outcome.summary).toMatch(/restricted/);
    expect(await decide()).toMatchObject({ allow: false, reasons: expect.arrayContaining(['SUBJECT_RESTRICTED']) as unknown });
    expect(body<RequestView>(await api.call('GET', `/v1/data-subject-requests/${requestId}`, { key: handler }))).toMatchObject({
      status: 'completed',
      outcome: { summary: done.outcome.summary },
    });
    expect((await post(requestId, 'execution', {})).body).toMatchObject({ status: 409, code: 'DSR.CLOSED' });
    // Lift it again for the next cases.
    expect((await api.call('DELETE', `/v1/customers/${customer}/restriction`, { key: service })).status).toBeLessThan(300);
  });

  it('D1/K2: a withdrawal request withdraws every consent in force for the named purposes', async () => {
    const requestId = await underWay('withdrawal', { purposes: ['newsletter'] });
    expect(body<{ outcome: { summary: string } }>(await post(requestId, 'execution', {})).outcome.summary).toBe('consent withdrawn for: newsletter');
    const at = new Date(clock.now().getTime() + 1000).toISOString();
    const valid = async (purpose: string, channel: string): Promise<boolean> =>
      body<{ valid: boolean }>(
        await api.call('GET', `/v1/customers/${customer}/consents/state?purpose=${purpose}&channel=${channel}&at=${at}`, { key: service }),
      ).valid;
    expect(await valid('newsletter', 'email')).toBe(false);
    expect(await valid('newsletter', 'sms')).toBe(false);
    expect(await valid('offers', 'email')).toBe(true);
    // Withdrawn by the request, with its id as the source (K2 evidence).
    const history = body<{ action: string; source?: string }[]>(await api.call('GET', `/v1/customers/${customer}/consents`, { key: service }));
    expect(history.filter((h) => h.action === 'withdrawn')).toHaveLength(2);
  });

  it('D1: a correction request replaces the named fields and only those', async () => {
    const requestId = await underWay('correction', { fields: ['email'] });
    expect((await post(requestId, 'execution', { corrections: { name: 'Other' } })).body).toMatchObject({ status: 400, code: 'DSR.FIELDS_OUTSIDE_REQUEST' });
    expect((await post(requestId, 'execution', {})).body).toMatchObject({ status: 400, code: 'DSR.CORRECTIONS_MISSING' });
    const corrected = `li.corrected.${tag}@example.org`;
    expect(body<{ outcome: { summary: string } }>(await post(requestId, 'execution', { corrections: { email: corrected } })).outcome.summary).toBe(
      'corrected: email',
    );
    const profile = body<{ profile: { email: string; name: string } }>(
      await api.call('GET', `/v1/customers/${customer}`, { key: service, headers: { 'x-purpose': 'customer-support' } }),
    ).profile;
    expect(profile).toMatchObject({ email: corrected, name: `Li ${tag}` });
    // The old value is no longer found by lookup; the new one is.
    const tenantId = body<{ tenantId: string }>(await api.call('GET', '/v1/me', { key: handler })).tenantId;
    await api.infra.dataSource.transaction(async (m) => {
      expect(await api.infra.privacy.find(m, tenantId, 'email', `li.${tag}@example.org`)).toEqual([]);
      expect(await api.infra.privacy.find(m, tenantId, 'email', corrected)).toEqual([customer]);
      expect(await api.infra.privacy.find(m, tenantId, 'name', `Li ${tag}`)).toEqual([customer]);
    });
  });

  it('D1 access: exports everything held about the subject as JSON and a readable page, each export recorded as processing', async () => {
    const requestId = await underWay('access');
    const done = body<{ outcome: { summary: string } }>(await post(requestId, 'execution', {}));
    expect(done.outcome.summary).toMatch(/^access export produced/);
    const res = await api.call('GET', `/v1/data-subject-requests/${requestId}/export`, { key: handler });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const made = body<{
      format: string;
      subject: { customerId: string; profile: Record<string, string> };
      consents: { action: string; evidence: unknown }[];
      processing: { kind: string; subject: string }[];
      requests: { requestId: string }[];
    }>(res);
    expect(made.format).toBe('attest-access-export/v1');
    // The profile as it stands now (the correction spec may have run before this one, or not).
    const current = body<{ profile: { email: string; name: string } }>(
      await api.call('GET', `/v1/customers/${customer}`, { key: service, headers: { 'x-purpose': 'customer-support' } }),
    ).profile;
    expect(made.subject).toMatchObject({ customerId: customer, profile: { name: `Li ${tag}`, email: current.email } });
    expect(made.consents.filter((c) => c.action === 'granted')).toHaveLength(3);
    expect(made.consents.every((c) => c.evidence !== undefined)).toBe(true);
    const pseudonym = await api.infra.privacy.pseudonymForSearch(
      body<{ tenantId: string }>(await api.call('GET', '/v1/me', { key: handler })).tenantId,
      customer,
    );
    expect(made.processing.length).toBeGreaterThan(3);
    expect(made.processing.every((r) => r.subject === pseudonym)).toBe(true);
    expect(made.requests.map((r) => r.requestId)).toContain(requestId);
    const html = await api.call('GET', `/v1/data-subject-requests/${requestId}/export.html`, { key: handler });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain(current.email);
    expect(html.text).not.toContain('<script');
    // Execution and the two downloads: three exports recorded, under the subject's pseudonym.
    await api.infra.recordLog.drain();
    const exports = await api.infra.dataSource.query<{ n: string }[]>(
      `SELECT count(*)::text AS n FROM processing.records WHERE kind = 'export' AND subject = $1`,
      [pseudonym],
    );
    expect(Number(exports[0]?.n)).toBe(3);
    const restriction = await receive('restriction');
    expect((await api.call('GET', `/v1/data-subject-requests/${restriction.requestId}/export`, { key: handler })).body).toMatchObject({
      status: 409,
      code: 'DSR.NOT_AN_ACCESS_REQUEST',
    });
  });

  describe('D4 deletion', () => {
    let victim: string;
    let other: string;
    let officer2: string;

    const newCustomer = async (profile: Record<string, string>): Promise<string> => {
      const id = body<{ id: string }>(await api.call('POST', '/v1/customers', { key: service, body: { profile, tags: ['vip'] } })).id;
      const evidence = { noticeVersion: 'n-1', method: 'checkbox', source: 'web', collector: 'system:web', collectedAt: clock.now().toISOString() };
      expect(
        (
          await api.call('POST', `/v1/customers/${id}/consents`, {
            key: service,
            body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', evidence },
          })
        ).status,
      ).toBe(201);
      return id;
    };
    const decrypted = async (): Promise<string> => {
      const all: unknown[] = [];
      let after: GlobalPosition | undefined;
      for (;;) {
        const page = await api.infra.store.readAll({ ...(after ? { after } : {}), maxCount: 1000 });
        all.push(...page.map((e) => e.data));
        const last = page.at(-1);
        if (!last || page.length < 1000) break;
        after = last.globalPosition;
      }
      return JSON.stringify(all);
    };

    beforeAll(async () => {
      officer2 = officer;
      victim = await newCustomer({ name: canary.name, email: canary.email, healthNotes: canary.health });
      expect((await api.call('POST', `/v1/customers/${victim}/follow-ups`, { key: service, body: { channel: 'phone', note: canary.note } })).status).toBe(201);
      other = await newCustomer({ name: survivor.name, email: survivor.email });
      // A purposeful read, recorded with the victim's pseudonym.
      expect((await api.call('GET', `/v1/customers/${victim}`, { key: service, headers: { 'x-purpose': 'customer-support' } })).status).toBe(200);
      // The store shows an event once every transaction that began before it has ended (ADR 0002): a busy machine may take a moment.
      await expectEventually(async () => {
        expect(await decrypted()).toContain(canary.email);
      }, 15_000);
    });

    it('erases the subject everywhere, certifies it from the processing record, tells downstream systems; the record still verifies', async () => {
      const { requestId } = await receive('deletion', { customerId: victim });
      const { challengeId, code } = await codeFor(requestId);
      await post(requestId, 'verification', { challengeId, code });
      await post(requestId, 'start');
      const done = await post(requestId, 'execution', {});
      expect(done.status).toBe(200);
      const outcome = body<{ outcome: { summary: string; documentId: string } }>(done).outcome;
      expect(outcome.summary).toMatch(/subject key/);
      expect(body<RequestView>(await api.call('GET', `/v1/data-subject-requests/${requestId}`, { key: handler }))).toMatchObject({ status: 'completed' });

      // Nothing of the subject is readable any more: API, read models, decrypted events.
      expect((await api.call('GET', `/v1/customers/${victim}`, { key: service, headers: { 'x-purpose': 'customer-support' } })).status).toBe(404);
      expect(body<{ customerId: string }[]>(await api.call('GET', '/v1/customers?tag=vip', { key: service })).map((c) => c.customerId)).toEqual([other]);
      const events = await decrypted();
      for (const value of Object.values(canary)) expect(events).not.toContain(value);
      expect(events).toContain('"$erased":true');
      const decision = body<{ allow: boolean; reasons: string[] }>(
        await api.call('POST', '/v1/decisions', {
          key: service,
          body: { customerId: victim, purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] },
        }),
      );
      expect(decision).toMatchObject({ allow: false, reasons: expect.arrayContaining(['SUBJECT_ERASED']) as unknown });
      for (const table of ['customers.customers_v1', 'customers.follow_ups_v1', 'consent.consents_v1', 'consent.receipts_v1', 'privacy.lookup_tokens']) {
        const rows = await api.infra.dataSource.query<unknown[]>(
          `SELECT 1 FROM ${table} WHERE ${table === 'privacy.lookup_tokens' ? 'subject_id' : 'customer_id'} = $1`,
          [victim],
        );
        expect([table, rows.length]).toEqual([table, 0]);
      }
      // The other subject is untouched.
      const kept = body<{ profile: Record<string, string> }>(
        await api.call('GET', `/v1/customers/${other}`, { key: service, headers: { 'x-purpose': 'customer-support' } }),
      );
      expect(kept.profile).toMatchObject({ name: survivor.name, email: survivor.email });

      // The certificate: signed with the record's key, and its delete entry is in a signed checkpoint.
      const signed = body<SignedCertificate>(await api.call('GET', `/v1/data-subject-requests/${requestId}/certificate`, { key: officer2 }));
      const { certificate } = signed;
      expect(certificate).toMatchObject({ requestId, subjectRef: victim, certificateId: outcome.documentId, retained: [] });
      const verifier = parseVerifierKey(certificate.verifierKey);
      expect(JSON.parse(openNote(signed.signedNote, [verifier]).text)).toEqual(certificate);
      const checkpoint = openCheckpoint(certificate.processingRecord.checkpoint, [verifier]);
      expect(() => {
        verifyInclusion(
          certificate.processingRecord.index,
          checkpoint.size,
          Buffer.from(certificate.processingRecord.leafHash, 'base64'),
          certificate.processingRecord.inclusionProof.map((p) => Buffer.from(p, 'base64')),
          checkpoint.root,
        );
      }).not.toThrow();
      const entry = body<{ record: { kind: string; subject: string | null; categories: string[] } }>(
        await api.call('GET', `/v1/processing-record/entries/${String(certificate.processingRecord.index)}`, { key: officer2 }),
      );
      expect(entry.record).toMatchObject({ kind: 'delete', categories: expect.arrayContaining(['profile', 'subject-key']) as unknown });
      // The delete entry carries the pseudonym the subject's earlier records had (now unlinkable to anyone).
      await api.infra.recordLog.drain();
      const reads = await api.infra.dataSource.query<{ subject: string }[]>(`SELECT subject FROM processing.records WHERE kind = 'read' AND subject = $1`, [
        entry.record.subject,
      ]);
      expect(reads.length).toBeGreaterThan(0);
      expect(await api.infra.privacy.pseudonymForSearch(certificate.tenantId, victim)).toBeNull();
      expect(body<{ ok: boolean }>(await api.call('GET', '/v1/processing-record/verification', { key: officer2 })).ok).toBe(true);

      // Downstream systems hear of it (no personal data in the notice).
      const notices = (await inbox.dispatch()).filter((m) => m.kind === 'subject-erased');
      expect(notices).toEqual([
        expect.objectContaining({ payload: expect.objectContaining({ requestId, subjectRef: victim, certificateId: certificate.certificateId }) as unknown }),
      ]);

      // Rebuilding every projection brings nothing back.
      for (const projection of api.infra.projections.filter((p) => p.name !== 'processing-record')) {
        await rebuildProjection({ dataSource: api.infra.dataSource, store: api.infra.store, projection });
      }
      expect((await api.call('GET', `/v1/customers/${victim}`, { key: service, headers: { 'x-purpose': 'customer-support' } })).status).toBe(404);
      const report = await scanForCanaries({ databaseUrl: api.databaseUrl, canaries: Object.values(canary), logs: api.logLines });
      expect(report.findings).toEqual([]);

      // Running it again changes nothing.
      const before = await api.eventCount();
      expect((await post(requestId, 'execution', {})).body).toMatchObject({ status: 409, code: 'DSR.CLOSED' });
      expect(await api.app.get(DeletionProcess).resumeUnfinished()).toBe(0);
      expect(await api.eventCount()).toBe(before);
    }, 60_000);

    it('D5: fields under a retention duty stay, readable under their own key, with the reason; only those', async () => {
      const bank = `CN62 0000 ${tag} 0001`;
      const name = `Qian Retained${tag}`;
      const duties = [{ field: 'bankAccount', reason: 'Tax law: accounting records are kept 10 years', years: 10 }];
      expect(
        (
          await api.call('PUT', '/v1/data-subject-request-policy', {
            key: admin,
            body: { policy: { kind: 'gdpr-month' }, holidays: [], retentionDuties: [{ field: 'shoeSize', reason: 'x', years: 1 }] },
          })
        ).body,
      ).toMatchObject({
        status: 400,
        code: 'DSR.DUTY_FIELD_UNKNOWN',
      });
      expect(
        (
          await api.call('PUT', '/v1/data-subject-request-policy', {
            key: admin,
            body: { policy: { kind: 'gdpr-month' }, holidays: [], retentionDuties: duties },
          })
        ).status,
      ).toBe(200);
      const kept = await newCustomer({ name, email: `qian.${tag}@canary.example`, bankAccount: bank });
      const requestId = await underWay('deletion', { customerId: kept });
      const hold = { field: 'email', reason: 'Legal claim 2026-117 pending', until: '2028-12-31' };
      expect((await post(requestId, 'execution', { legalHolds: [{ ...hold, field: 'shoeSize' }] })).body).toMatchObject({
        status: 400,
        code: 'DSR.FIELD_UNKNOWN',
      });
      expect((await post(requestId, 'execution', { legalHolds: [{ ...hold, until: '2020-01-01' }] })).body).toMatchObject({
        status: 400,
        code: 'DSR.HOLD_INVALID',
      });
      expect((await post(requestId, 'execution', { legalHolds: [hold] })).status).toBe(200);
      const { certificate } = body<SignedCertificate>(await api.call('GET', `/v1/data-subject-requests/${requestId}/certificate`, { key: handler }));
      expect(certificate.retained).toEqual([
        { category: 'bankAccount', reason: duties[0]?.reason, until: '2036-11-23' },
        { category: 'email', reason: hold.reason, until: hold.until },
      ]);
      expect(certificate.covered).toContain('profile (except the retained fields)');
      const retained = body<{ field: string; value: string | null; retainUntil: string }[]>(
        await api.call('GET', `/v1/data-subject-requests/${requestId}/retained`, { key: handler }),
      );
      expect(retained).toEqual([
        { field: 'bankAccount', reason: duties[0]?.reason, retainUntil: '2036-11-23', value: bank },
        { field: 'email', reason: hold.reason, retainUntil: hold.until, value: `qian.${tag}@canary.example` },
      ]);
      // Everything else is gone; the kept value is not readable from the customer's own data any more.
      expect((await api.call('GET', `/v1/customers/${kept}`, { key: service, headers: { 'x-purpose': 'customer-support' } })).status).toBe(404);
      const events = await decrypted();
      expect(events).not.toContain(name);
      expect(events).not.toContain(bank);
      expect((await scanForCanaries({ databaseUrl: api.databaseUrl, canaries: [bank, name], logs: api.logLines })).findings).toEqual([]);
      await api.call('PUT', '/v1/data-subject-request-policy', { key: admin, body: { policy: { kind: 'gdpr-month' }, holidays: [], retentionDuties: [] } });
    }, 60_000);

    it.each([
      ['inside the erasure, after the event', 'erase'],
      ['after erasing, before the certificate', 'certify'],
      ['after the certificate, before telling downstream systems', 'notify'],
    ] as const)(
      'D7: killed %s, a deletion completes on restart, once',
      async (_, where) => {
        const second = await newCustomer({ name: `Sun Second${tag}${where}`, email: `sun.${where}.${tag}@canary.example` });
        const { requestId } = await receive('deletion', { customerId: second });
        await post(requestId, 'identity-checks', { note: 'checked' });
        await post(requestId, 'start');
        const rights = api.app.get<SubjectRights>(SUBJECT_RIGHTS);
        const evidence = api.app.get<DeletionEvidence>(DELETION_EVIDENCE);
        const ledger = api.app.get<DeletionLedger>(DELETION_LEDGER);
        const original = { erase: rights.erase.bind(rights), certify: evidence.certify.bind(evidence), notify: ledger.notifyDownstream.bind(ledger) };
        const killed = (): Promise<never> => Promise.reject(new Error('killed'));
        if (where === 'erase') {
          // The customer's event is appended, then the process dies before the key is destroyed.
          rights.erase = async (context, customerId, id) => {
            await api.app.get(CommandBus).execute(new RunCustomerCommand(context, { kind: 'EraseCustomer', customerId, requestId: id }));
            return killed();
          };
        }
        if (where === 'certify') evidence.certify = killed;
        if (where === 'notify') ledger.notifyDownstream = killed;
        // The handler is told which step stopped and what to do (never a bare 500); the deletion records it.
        expect((await post(requestId, 'execution', {})).body).toMatchObject({ status: 503, code: 'DSR.DELETION_STEP_FAILED' });
        expect(body(await api.call('GET', `/v1/data-subject-requests/${requestId}/deletion`, { key: handler }))).toMatchObject({
          step: where,
          failure: { step: where, code: 'Error' },
        });
        rights.erase = original.erase;
        evidence.certify = original.certify;
        ledger.notifyDownstream = original.notify;
        expect(body<RequestView>(await api.call('GET', `/v1/data-subject-requests/${requestId}`, { key: handler })).status).toBe('in-progress');
        if (where === 'certify') {
          // The handler's retry: carrying the request out again continues from the step that stopped.
          expect((await post(requestId, 'execution', {})).status).toBe(200);
        } else {
          // "Restart": the start-up hook resumes it.
          expect(await api.app.get(DeletionProcess).resumeUnfinished()).toBe(1);
        }
        expect(body(await api.call('GET', `/v1/data-subject-requests/${requestId}/deletion`, { key: handler }))).toMatchObject({ step: 'done', failure: null });
        expect(body<RequestView>(await api.call('GET', `/v1/data-subject-requests/${requestId}`, { key: handler }))).toMatchObject({ status: 'completed' });
        expect((await api.call('GET', `/v1/data-subject-requests/${requestId}/certificate`, { key: handler })).status).toBe(200);
        const tenantId = body<{ tenantId: string }>(await api.call('GET', '/v1/me', { key: handler })).tenantId;
        expect(await api.infra.privacy.pseudonymForSearch(tenantId, second)).toBeNull();
        const events = await api.eventCount();
        expect(await api.app.get(DeletionProcess).resumeUnfinished()).toBe(0);
        expect(await api.eventCount()).toBe(events);
        expect((await inbox.dispatch()).filter((m) => m.kind === 'subject-erased' && m.payload.requestId === requestId)).toHaveLength(1);
        // One delete entry in the processing record, whatever the interruption.
        await api.infra.recordLog.drain();
        const deletes = await api.infra.dataSource.query<unknown[]>(
          `SELECT 1 FROM processing.records WHERE tenant_id = $1 AND kind = 'delete' AND body::jsonb->>'eventId' IN (SELECT event_id::text FROM event_store.events WHERE stream_id = $2 AND type = 'CustomerErased.v1')`,
          [tenantId, `customer-${second}`],
        );
        expect(deletes).toHaveLength(1);
      },
      60_000,
    );
  });

  it('D2 queue: filters by verification, channel and due window; stale unverified requests get their own tab; open duplicates are named; pages by `after`', async () => {
    type Queued = RequestView & { channel: string; receivedAt: string; duplicates: string[] };
    const queue = async (query: string): Promise<Queued[]> => body<Queued[]>(await api.call('GET', `/v1/data-subject-requests?${query}`, { key: handler }));
    const ids = (rows: readonly Queued[]): string[] => rows.map((r) => r.requestId);
    // Two open access requests of one subject by phone: duplicates of each other. One by letter, verified another way.
    const first = await receive('access', { channel: 'phone' });
    const second = await receive('access', { channel: 'phone' });
    const letter = await receive('access', { channel: 'letter' });
    expect(body<RequestView>(await post(letter.requestId, 'identity-checks', { note: 'Signed letter matched the customer file' })).verified).toBe(true);
    const phone = await queue('channel=phone');
    expect(ids(phone)).toEqual(expect.arrayContaining([first.requestId, second.requestId]));
    expect(phone.find((r) => r.requestId === first.requestId)?.duplicates).toEqual(expect.arrayContaining([second.requestId]));
    expect(phone.every((r) => r.channel === 'phone')).toBe(true);
    expect(ids(await queue('channel=letter&verified=true'))).toContain(letter.requestId);
    expect(ids(await queue('channel=letter&verified=false'))).not.toContain(letter.requestId);
    // The due window: all three are due on the same day.
    const due = first.dueOn;
    expect(ids(await queue(`channel=phone&dueFrom=${due}&dueTo=${due}`))).toEqual(expect.arrayContaining([first.requestId, second.requestId]));
    expect(await queue(`channel=phone&dueTo=2026-01-01`)).toEqual([]);
    expect((await api.call('GET', `/v1/data-subject-requests?dueFrom=2027-01-02&dueTo=2027-01-01`, { key: handler })).body).toMatchObject({
      status: 400,
      code: 'DSR.DUE_WINDOW_EMPTY',
    });
    // Pages by `after`: one at a time, the same order as one page.
    const whole = await queue('channel=phone&limit=500');
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await queue(`channel=phone&limit=1${after ? `&after=${after}` : ''}`);
      if (page.length === 0) break;
      paged.push(...ids(page));
      after = page[0]?.requestId;
    }
    expect(paged).toEqual(ids(whole));
    // Unverified for longer than the tenant's age (3 days here): out of the queue, into their own tab. The verified one stays.
    const current = body<{ policy: unknown; calendar: { holidays: string[] }; retentionDuties: unknown[]; unverifiedAfterDays: number }>(
      await api.call('GET', '/v1/data-subject-request-policy', { key: handler }),
    );
    expect(current.unverifiedAfterDays).toBe(14);
    const setAge = async (unverifiedAfterDays: number): Promise<ApiResponse> =>
      api.call('PUT', '/v1/data-subject-request-policy', {
        key: admin,
        body: { policy: current.policy, holidays: current.calendar.holidays, retentionDuties: current.retentionDuties, unverifiedAfterDays },
      });
    expect((await setAge(0)).body).toMatchObject({ status: 400 });
    expect(body<{ unverifiedAfterDays: number }>(await setAge(3)).unverifiedAfterDays).toBe(3);
    const start = clock.now();
    try {
      expect(ids(await queue('stale=true'))).not.toContain(first.requestId);
      clock.advance(4 * 86_400_000);
      const stale = await queue('stale=true');
      expect(ids(stale)).toEqual(expect.arrayContaining([first.requestId, second.requestId]));
      expect(ids(stale)).not.toContain(letter.requestId);
      const fresh = ids(await queue('stale=false&limit=500'));
      expect(fresh).not.toContain(first.requestId);
      expect(fresh).toContain(letter.requestId);
    } finally {
      clock.set(start);
      expect((await setAge(14)).status).toBe(200);
    }
    // Merged: the second rejected as a duplicate of the first, which then no longer names it.
    expect(
      (await post(second.requestId, 'rejection', { reasons: [`Duplicate of ${first.requestId}`], complaint: 'You may complain to the authority.' })).status,
    ).toBe(200);
    expect((await queue('channel=phone&limit=500')).find((r) => r.requestId === first.requestId)?.duplicates).not.toContain(second.requestId);
  });

  it('D2 bulk actions: reject every request a filter reaches but the excluded ones, as a durable job; a partial failure lists which and why', async () => {
    type Job = {
      jobId: string;
      total: number;
      done: number;
      failed: number;
      pending: number;
      finishedAt: string | null;
      failures: { requestId: string; code: string }[];
    };
    const finished = async (jobId: string): Promise<Job> => {
      for (let i = 0; i < 200; i++) {
        const job = body<Job>(await api.call('GET', `/v1/data-subject-requests/bulk-actions/${jobId}`, { key: handler }));
        if (job.finishedAt !== null) return job;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`bulk job ${jobId} did not finish`);
    };
    const reached: string[] = [];
    for (let i = 0; i < 12; i++) reached.push((await receive('access', { channel: 'in-person' })).requestId);
    const kept = [reached[3] ?? '', reached[7] ?? ''];
    const started = await api.call('POST', '/v1/data-subject-requests/bulk-actions', {
      key: handler,
      body: {
        action: 'reject',
        filter: { channel: 'in-person' },
        exclude: kept,
        reasons: ['The requester could not be identified within the time allowed'],
        complaint: 'Complain to the data protection authority: dpa.example.org',
      },
    });
    expect(started.status).toBe(201);
    const job = await finished(body<Job>(started).jobId);
    expect(job).toMatchObject({ total: 10, done: 10, failed: 0, pending: 0, failures: [] });
    const open = body<{ requestId: string }[]>(await api.call('GET', '/v1/data-subject-requests?channel=in-person', { key: handler }));
    expect(open.map((r) => r.requestId).sort()).toEqual([...kept].sort());
    // Assign over every in-person request, closed ones included: the ten rejected fail with the refusal's code, the two open are assigned.
    const assign = await api.call('POST', '/v1/data-subject-requests/bulk-actions', {
      key: handler,
      body: { action: 'assign', handler: 'user:bulk-handler', filter: { channel: 'in-person', status: 'all' } },
    });
    const partial = await finished(body<Job>(assign).jobId);
    expect(partial).toMatchObject({ total: 12, done: 2, failed: 10 });
    expect(new Set(partial.failures.map((f) => f.code))).toEqual(new Set(['DSR.CLOSED']));
    expect(partial.failures.map((f) => f.requestId)).not.toEqual(expect.arrayContaining([kept[0]]));
    expect(body<Job[]>(await api.call('GET', '/v1/data-subject-requests/bulk-actions?limit=2', { key: handler })).map((j) => j.jobId)).toEqual([
      partial.jobId,
      job.jobId,
    ]);
    // Refusals: an incomplete action, an empty filter, a filter that reaches nothing, an unknown job.
    expect(
      (await api.call('POST', '/v1/data-subject-requests/bulk-actions', { key: handler, body: { action: 'reject', filter: { channel: 'in-person' } } })).body,
    ).toMatchObject({ status: 400, code: 'VALIDATION.FAILED', errors: expect.arrayContaining([expect.objectContaining({ field: 'reasons' })]) as unknown });
    // A filter is required: an empty one would reach every open request.
    expect((await api.call('POST', '/v1/data-subject-requests/bulk-actions', { key: handler, body: { action: 'send-codes', filter: {} } })).status).toBe(400);
    expect(
      (
        await api.call('POST', '/v1/data-subject-requests/bulk-actions', {
          key: handler,
          body: { action: 'send-codes', filter: { channel: 'in-person', dueTo: '2020-01-01' } },
        })
      ).body,
    ).toMatchObject({ status: 400, code: 'DSR.BULK_EMPTY' });
    expect((await api.call('GET', `/v1/data-subject-requests/bulk-actions/${reached[0] ?? ''}`, { key: handler })).body).toMatchObject({
      status: 404,
      code: 'DSR.BULK_JOB_NOT_FOUND',
    });
    // A process that stopped after rejecting but before recording it: the item is claimed again and counts as done, not as a failure.
    const jobs = api.app.get<BulkJobs>(BULK_JOBS);
    const stuck = uuidv7();
    await jobs.create({
      jobId: stuck,
      tenantId: tenantOf,
      action: { kind: 'reject', reasons: ['x'], complaint: 'y' },
      filter: {},
      excluded: [],
      createdBy: 'user:bulk-handler',
      createdAt: clock.now(),
      requestIds: [reached[0] ?? ''],
    });
    await api.infra.dataSource.query(`UPDATE requests.bulk_job_items SET state = 'running', claimed_at = $2 WHERE job_id = $1`, [
      stuck,
      new Date(clock.now().getTime() - 3_600_000),
    ]);
    await api.app.get(BulkActions).drain();
    expect(await finished(stuck)).toMatchObject({ total: 1, done: 1, failed: 0 });
  });

  it('every projection, given every event of this suite’s log a second time, changes nothing (runs last)', async () => {
    await Promise.all(api.runners.map((r) => r.catchUp()));
    expect(await changesWhenDeliveredTwice(api.infra)).toEqual({});
  }, 120_000);
});
