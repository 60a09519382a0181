import { uuidv7 } from '@attest/kernel';
import { ApiHarness, type ApiResponse } from './testing/api-harness';
import { NEWSLETTER_PURPOSE } from './testing/newsletter-purpose';
import { spawnApiProcess, type SpawnedApiProcess } from './testing/spawn-api-process';

/**
 * ADR 0016 across two real API processes on one database: decisions answer
 * from memory, and a consistency token makes a write in one process visible
 * to a decision in the other.
 */
describe('decisions from memory with consistency tokens (two API processes)', () => {
  const api = new ApiHarness();
  let second: SpawnedApiProcess | undefined;
  let secondUrl: string;
  let key: string;
  const tenant = `t-${uuidv7().slice(-8)}`;

  async function callSecond(path: string, body: unknown): Promise<ApiResponse> {
    const res = await fetch(`${secondUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as unknown };
  }

  const question = (customerId: string, extra: object = {}): object => ({
    customerId,
    purpose: 'newsletter',
    channel: 'email',
    dataCategories: ['contact'],
    ...extra,
  });

  type Decision = { allow: boolean; reasons: string[]; asOf: string | null; decisionId: string };

  beforeAll(async () => {
    await api.start('decision_consistency');
    second = await spawnApiProcess(api);
    secondUrl = second.url;
    key = await api.key(tenant, ['org-admin', 'service']);
    const purpose = await api.call('POST', '/v1/purposes', {
      key,
      body: NEWSLETTER_PURPOSE,
    });
    expect(purpose.status).toBe(201);
    expect(purpose.body).toMatchObject({ consistencyToken: expect.stringMatching(/^pg:/) as unknown });
  }, 120_000);

  afterAll(async () => {
    await second?.stop();
    await api.stop();
  });

  async function customerWithConsent(): Promise<string> {
    const created = await api.call('POST', '/v1/customers', { key, body: { profile: { name: 'A. Person', email: 'a@example.com' } } });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string; consistencyToken: string }).id;
    const granted = await api.call('POST', `/v1/customers/${id}/consents`, {
      key,
      body: {
        purposeKey: 'newsletter',
        channel: 'email',
        scope: 'general',
        evidence: { noticeVersion: 'n-1', method: 'checkbox', source: 'test', collector: 'system:test', collectedAt: new Date().toISOString() },
      },
    });
    expect(granted.status).toBe(201);
    return id;
  }

  it('a withdrawal in one process, then a decision with its token in the other: denied, and the answer says how fresh', async () => {
    const id = await customerWithConsent();
    // The second process loads the subject into memory: allowed.
    const before = (await callSecond('/v1/decisions', question(id))).body as Decision;
    expect(before).toMatchObject({ allow: true });
    for (let round = 0; round < 5; round++) {
      const withdrawn = await api.call('POST', `/v1/customers/${id}/consents/withdraw`, {
        key,
        body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', method: 'unsubscribe-link', source: 'test' },
      });
      expect(withdrawn.status).toBe(200);
      const token = (withdrawn.body as { consistencyToken: string }).consistencyToken;
      expect(token).toMatch(/^pg:/);
      const after = (await callSecond('/v1/decisions', question(id, { atLeastAsFresh: token }))).body as Decision;
      expect(after).toMatchObject({ allow: false, reasons: expect.arrayContaining(['CONSENT_WITHDRAWN']) as unknown });
      expect(after.asOf && after.asOf >= token).toBe(true);
      // Granted again in the first process: the next token shows the grant.
      const regranted = await api.call('POST', `/v1/customers/${id}/consents`, {
        key,
        body: {
          purposeKey: 'newsletter',
          channel: 'email',
          scope: 'general',
          evidence: { noticeVersion: 'n-1', method: 'checkbox', source: 'test', collector: 'system:test', collectedAt: new Date().toISOString() },
        },
      });
      const again = (await callSecond('/v1/decisions', question(id, { atLeastAsFresh: (regranted.body as { consistencyToken: string }).consistencyToken })))
        .body as Decision;
      expect(again.allow).toBe(true);
    }
  });

  it('a restriction in one process denies in the other from the token on; bulk decisions use the same memory', async () => {
    const [a, b] = [await customerWithConsent(), await customerWithConsent()];
    const bulk = (await callSecond('/v1/decisions/bulk', { customerIds: [a, b], purpose: 'newsletter', channel: 'email', dataCategories: ['contact'] }))
      .body as {
      allowed: number;
      asOf: string;
    };
    expect(bulk.allowed).toBe(2);
    const restricted = await api.call('POST', `/v1/customers/${a}/restriction`, { key, body: { reason: 'objection' } });
    const token = (restricted.body as { consistencyToken: string }).consistencyToken;
    const after = (
      await callSecond('/v1/decisions/bulk', {
        customerIds: [a, b],
        purpose: 'newsletter',
        channel: 'email',
        dataCategories: ['contact'],
        atLeastAsFresh: token,
      })
    ).body as { allowed: number; asOf: string; decisions: Decision[] };
    expect(after.allowed).toBe(1);
    expect(after.decisions[0]).toMatchObject({ allow: false, reasons: expect.arrayContaining(['SUBJECT_RESTRICTED']) as unknown });
    expect(after.asOf >= token).toBe(true);
  });

  it('a write is visible to the next decision in its own process at once, without a token', async () => {
    const id = await customerWithConsent();
    expect(((await api.call('POST', '/v1/decisions', { key, body: question(id) })).body as Decision).allow).toBe(true);
    await api.call('POST', `/v1/customers/${id}/consents/withdraw`, {
      key,
      body: { purposeKey: 'newsletter', channel: 'email', scope: 'general', method: 'unsubscribe-link', source: 'test' },
    });
    expect(((await api.call('POST', '/v1/decisions', { key, body: question(id) })).body as Decision).allow).toBe(false);
  });

  it('`full` reads the database; a malformed token, or a token with `full`, is a 400 with a stable code', async () => {
    const id = await customerWithConsent();
    const full = (await callSecond('/v1/decisions', question(id, { consistency: 'full' }))).body as Decision;
    expect(full.allow).toBe(true);
    expect(full.asOf).toMatch(/^pg:/);
    expect((await callSecond('/v1/decisions', question(id, { atLeastAsFresh: 'yesterday' }))).body).toMatchObject({
      status: 400,
      code: 'DECISION.INVALID_TOKEN',
    });
    expect((await callSecond('/v1/decisions', question(id, { atLeastAsFresh: full.asOf, consistency: 'full' }))).body).toMatchObject({
      status: 400,
      code: 'DECISION.CONSISTENCY_CONFLICT',
    });
    expect((await callSecond('/v1/decisions', question(id, { consistency: 'fresh' }))).status).toBe(400);
  });
});
