import { FixedClock } from '@attest/kernel';
import { ApiHarness, type ApiResponse } from './testing/api-harness';
import { TenantReceiver, WebhookInbox } from './testing/webhook-inbox';

/**
 * An organization's own webhook endpoint, end to end over real HTTP: its notices go there, signed
 * with the secret it was shown once; messages to persons keep going to the platform's gateway; a
 * rotated secret signs from then on; dead letters are listed and retried by the organization,
 * never by another; the secret is never at rest in plaintext.
 */
describe('tenant webhook endpoints (real HTTP, real Postgres)', () => {
  const clock = new FixedClock(new Date());
  const api = new ApiHarness();
  let inbox: WebhookInbox;
  let receiver: TenantReceiver;
  let admin: string;
  let other: string;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: ApiResponse): T => res.body as T;

  beforeAll(async () => {
    await api.start('webhooks_e2e', { clock });
    inbox = await WebhookInbox.start(api.infra, clock, { maxAttempts: 2 });
    receiver = await TenantReceiver.start(clock);
    admin = await api.key('hooks-a', ['org-admin']);
    other = await api.key('hooks-b', ['org-admin']);
  }, 60_000);

  afterAll(async () => {
    await receiver.stop();
    await inbox.stop();
    await api.stop();
  });

  it('refuses a URL that is not one, not http(s), or carries credentials; without an endpoint there is nothing to test', async () => {
    expect(body<{ endpoint: null; platformReceiver: boolean }>(await api.call('GET', '/v1/organization/webhook', { key: admin }))).toEqual({
      endpoint: null,
      platformReceiver: true,
    });
    for (const url of ['not a url', 'ftp://example.com/hooks', 'https://user:pass@example.com/hooks'])
      expect((await api.call('PUT', '/v1/organization/webhook', { key: admin, body: { url } })).body).toMatchObject({ code: 'WEBHOOK.URL_INVALID' });
    expect((await api.call('POST', '/v1/organization/webhook/test', { key: admin })).body).toMatchObject({ status: 404, code: 'WEBHOOK.NOT_SET' });
  });

  it('sends the organization’s notices to its endpoint, signed with the secret shown once; messages to persons still go to the gateway', async () => {
    const set = await api.call('PUT', '/v1/organization/webhook', { key: admin, body: { url: receiver.url } });
    expect(set.status).toBe(200);
    const { secret } = body<{ secret: string }>(set);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    receiver.secret = secret;
    // Shown once: neither the settings nor a changed URL repeat it, and the table holds it sealed.
    expect((await api.call('GET', '/v1/organization/webhook', { key: admin })).text).not.toContain(secret);
    expect(body<{ secret?: string }>(await api.call('PUT', '/v1/organization/webhook', { key: admin, body: { url: receiver.url } })).secret).toBeUndefined();
    const [stored] = await api.infra.dataSource.query<{ secret: unknown }[]>(`SELECT secret FROM notifications.tenant_endpoints WHERE tenant_id = 'hooks-a'`);
    expect(JSON.stringify(stored?.secret)).not.toContain(secret.slice(6));

    const queued = body<{ id: string; audience: string }>(await api.call('POST', '/v1/organization/webhook/test', { key: admin }));
    expect(queued.audience).toBe('tenant');
    // A message to a person of the same tenant: a data-subject request's one-time code.
    const service = await api.key('hooks-a', ['service']);
    const handler = await api.key('hooks-a', ['dsr-handler']);
    const customer = body<{ id: string }>(await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: 'Hook Person' }, tags: [] } }));
    const request = body<{ requestId: string }>(
      await api.call('POST', '/v1/data-subject-requests', {
        key: service,
        body: { customerId: customer.id, type: 'access', channel: 'web', requester: { relation: 'self', contact: { email: 'hook.person@example.org' } } },
      }),
    );
    expect((await api.call('POST', `/v1/data-subject-requests/${request.requestId}/verification-codes`, { key: handler })).status).toBe(201);

    const atGateway = await inbox.dispatch();
    expect(receiver.messages.map((m) => m.kind)).toEqual(['webhook-test']);
    expect(receiver.messages[0]?.tenantId).toBe('hooks-a');
    expect(atGateway.map((m) => m.kind)).toContain('one-time-code');
    expect(atGateway.map((m) => m.kind)).not.toContain('webhook-test');
    const log = body<{ id: string; status: string; destination: string; audience: string }[]>(
      await api.call('GET', '/v1/organization/webhook/deliveries', { key: admin }),
    );
    expect(log.find((d) => d.id === queued.id)).toMatchObject({ status: 'delivered', destination: 'tenant', audience: 'tenant' });
    expect(log.find((d) => d.audience === 'person')).toMatchObject({ status: 'delivered', destination: 'deployment' });
    // Another organization sees none of it.
    expect(body<unknown[]>(await api.call('GET', '/v1/organization/webhook/deliveries', { key: other }))).toEqual([]);
  });

  it('signs with a rotated secret from then on', async () => {
    const rotated = body<{ secret: string }>(await api.call('POST', '/v1/organization/webhook/secret', { key: admin }));
    expect(rotated.secret).not.toBe(receiver.secret);
    await api.call('POST', '/v1/organization/webhook/test', { key: admin });
    await inbox.dispatch();
    expect(receiver.refused).toBe(1); // the receiver still checks the old secret
    receiver.secret = rotated.secret;
    const dead = body<{ id: string }[]>(await api.call('GET', '/v1/organization/webhook/deliveries?status=pending', { key: admin }));
    expect(dead).toHaveLength(1);
    clock.advance(60_000);
    await inbox.dispatch();
    expect(receiver.messages.map((m) => m.kind)).toEqual(['webhook-test', 'webhook-test']);
  });

  it('a delivery the endpoint keeps refusing becomes a dead letter the organization retries; another organization cannot', async () => {
    receiver.down = true;
    const queued = body<{ id: string }>(await api.call('POST', '/v1/organization/webhook/test', { key: admin }));
    await inbox.dispatch();
    clock.advance(60_000);
    await inbox.dispatch();
    const dead = body<{ id: string; lastError: string; attempts: number }[]>(
      await api.call('GET', '/v1/organization/webhook/deliveries?status=dead', { key: admin }),
    );
    expect(dead).toEqual([expect.objectContaining({ id: queued.id, lastError: 'HTTP 503', attempts: 2 })]);
    expect((await api.call('POST', `/v1/organization/webhook/deliveries/${queued.id}/retry`, { key: other })).body).toMatchObject({
      status: 404,
      code: 'NOTIFICATION.NOT_DEAD',
    });
    receiver.down = false;
    expect(body<{ status: string }>(await api.call('POST', `/v1/organization/webhook/deliveries/${queued.id}/retry`, { key: admin })).status).toBe('pending');
    await inbox.dispatch();
    expect(receiver.messages).toHaveLength(3);
  });

  it('without its endpoint, the organization’s notices go to the platform’s receiver again', async () => {
    expect((await api.call('DELETE', '/v1/organization/webhook', { key: admin })).status).toBe(204);
    expect((await api.call('DELETE', '/v1/organization/webhook', { key: admin })).body).toMatchObject({ status: 404, code: 'WEBHOOK.NOT_SET' });
    // Queued while the endpoint still existed: delivered to the gateway now.
    await api.call('PUT', '/v1/organization/webhook', { key: admin, body: { url: receiver.url } });
    await api.call('POST', '/v1/organization/webhook/test', { key: admin });
    await api.call('DELETE', '/v1/organization/webhook', { key: admin });
    const arrived = await inbox.dispatch();
    expect(arrived.map((m) => m.kind)).toEqual(['webhook-test']);
    expect(receiver.messages).toHaveLength(3);
  });
});
