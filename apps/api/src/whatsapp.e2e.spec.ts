import { CommandBus } from '@nestjs/cqrs';
import { CUSTOMERS_READ_MODEL, type CustomersReadModel } from '@attest/customers-application';
import { uuidv7 } from '@attest/kernel';
import { MESSAGING_NUMBERS } from '@attest/messaging-application';
import {
  messageLogRetentionJob,
  outboxOverview,
  PostgresMessagingNumbers,
  signatureOf,
  StopHandler,
  WhatsAppDispatcher,
} from '@attest/messaging-infrastructure';
import { PROCESSING_JOURNAL, type ProcessingJournal } from '@attest/security';
import { systemClock } from '@attest/kernel';
import { CloudApiSimulator } from '@attest/messaging-simulator';
import { ApiHarness, type ApiResponse } from './testing/api-harness';
import { ContextCustomerData } from './subject-data';

/**
 * P7, K8 (ADR 0015) end to end over real HTTP: the API, the dispatcher and the local Cloud API
 * stand-in, on real Postgres. Every message leaves through the decision and the tenant's rules;
 * blocked recipients are kept with why; statuses arrive signed, repeated and out of order and
 * change the log only forward; STOP withdraws consent; erasure takes the content, not the counts.
 */
describe('WhatsApp messaging (P7, K8; real HTTP, real Postgres, the local Cloud API)', () => {
  const api = new ApiHarness();
  const tenant = 'wa-e2e';
  const phoneNumberId = '100000000000001';
  const businessAccountId = '200000000000001';
  const secrets = { accessToken: 'sim-access-token-1', appSecret: 'sim-app-secret-1', verifyToken: 'sim-verify-token-1' };
  let simulator: CloudApiSimulator;
  let admin: string;
  let service: string;
  let binding: string;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a JSON body
  const body = <T>(res: ApiResponse): T => res.body as T;
  /** Meta's status webhook for one message, as the Cloud API sends it (unsigned JSON text). */
  const statusWebhook = (status: { id: string; status: string; recipient: string; messageId: string }): string =>
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: businessAccountId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '8613900000000', phone_number_id: phoneNumberId },
                statuses: [
                  {
                    id: status.id,
                    status: status.status,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    recipient_id: status.recipient,
                    biz_opaque_callback_data: status.messageId,
                  },
                ],
              },
            },
          ],
        },
      ],
    });
  const must = async (method: string, path: string, options: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse> => {
    const res = await api.call(method, path, options);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${String(res.status)} ${res.text}`);
    return res;
  };
  const until = async <T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const evidence = {
    noticeVersion: 'notice-1',
    method: 'checkbox',
    source: 'web-signup-form',
    collector: 'system:web-shop',
    collectedAt: '2026-11-01T10:00:00.000Z',
  };
  const purpose = (purposeKey: string, legalBasis: string) => ({
    purposeKey,
    name: purposeKey,
    description: `${purposeKey} by WhatsApp`,
    legalBasis,
    method: 'whatsapp-template',
    dataCategories: ['contact'],
    channels: ['whatsapp'],
    retentionDays: 365,
    noticeVersion: 'notice-1',
  });
  const customer = async (phone: string | null): Promise<string> =>
    body<{ id: string }>(
      await must('POST', '/v1/customers', { key: service, body: { profile: { name: 'WA Person', ...(phone ? { phone } : {}) }, tags: ['wa'] } }),
    ).id;
  const grantWhatsApp = async (customerId: string): Promise<void> => {
    await must('POST', `/v1/customers/${customerId}/consents`, {
      key: service,
      body: { purposeKey: 'offers', channel: 'whatsapp', scope: 'general', evidence },
    });
    await must('POST', `/v1/customers/${customerId}/consents`, {
      key: service,
      body: { purposeKey: 'offers', channel: 'whatsapp', scope: 'third-party', thirdParty: { name: 'Meta Platforms' }, evidence },
    });
  };
  const messages = async (
    query = '',
  ): Promise<
    { messageId: string; customerId: string; state: string; step: string | null; reasons: string[]; wamid: string | null; decisionId: string | null }[]
  > => body(await must('GET', `/v1/whatsapp/messages${query}`, { key: admin }));
  const stats = async (campaignId: string): Promise<Record<string, number>> => {
    const rows = body<{ measure: string; detail: string; count: number }[]>(
      await must('GET', `/v1/whatsapp/statistics?campaignId=${campaignId}`, { key: admin }),
    );
    const out: Record<string, number> = {};
    for (const r of rows) out[r.detail ? `${r.measure}:${r.detail}` : r.measure] = (out[r.detail ? `${r.measure}:${r.detail}` : r.measure] ?? 0) + r.count;
    return out;
  };
  let alice: string;
  let bob: string;
  let carol: string;
  let dave: string;
  let campaignId: string;

  beforeAll(async () => {
    await api.start('whatsapp_e2e');
    admin = await api.key(tenant, ['org-admin']);
    service = await api.key(tenant, ['service']);
    for (const p of [purpose('offers', 'consent'), purpose('orders', 'contract')]) await must('POST', '/v1/purposes', { key: admin, body: p });
    binding = body<{ id: string }>(
      await must('POST', '/v1/organization/channels', { key: admin, body: { channel: 'whatsapp-business', externalAccountId: '+8613900000000' } }),
    ).id;
    simulator = new CloudApiSimulator({
      numbers: [
        { phoneNumberId, displayPhoneNumber: '+86 139 0000 0000', businessAccountId, ...secrets, callbackUrl: `${api.base}/v1/whatsapp/webhooks/${binding}` },
      ],
      templates: [
        { id: '1000000000000001', name: 'december_offer', language: 'en', category: 'MARKETING', body: 'Hello, {{1}} off this week' },
        { id: '1000000000000002', name: 'order_update', language: 'en', category: 'UTILITY', body: 'Your order {{1}} has shipped' },
      ],
      statusDelaysMs: { sent: 10, delivered: 20, read: 30 },
    });
    await simulator.start();
  }, 60_000);

  afterAll(async () => {
    await api.app.get(WhatsAppDispatcher, { strict: false }).stop();
    await simulator.stop();
    await api.stop();
  });

  it('A5: configures a bound number with sealed secrets; the webhook handshake answers only the number’s verify token', async () => {
    const unbound = await api.call('PUT', `/v1/whatsapp/numbers/${uuidv7()}`, {
      key: admin,
      body: { baseUrl: simulator.url(), version: 'v23.0', phoneNumberId, businessAccountId, ...secrets },
    });
    expect(unbound.body).toMatchObject({ status: 404, code: 'WHATSAPP.BINDING_NOT_FOUND' });
    const missing = await api.call('PUT', `/v1/whatsapp/numbers/${binding}`, {
      key: admin,
      body: { baseUrl: simulator.url(), version: 'v23.0', phoneNumberId, businessAccountId },
    });
    expect(missing.body).toMatchObject({ status: 400, code: 'WHATSAPP.SECRETS_REQUIRED' });
    const configured = await must('PUT', `/v1/whatsapp/numbers/${binding}`, {
      key: admin,
      body: { baseUrl: simulator.url(), version: 'v23.0', phoneNumberId, businessAccountId, ratePerSecond: 80, ...secrets },
    });
    expect(body<{ webhookPath: string }>(configured).webhookPath).toBe(`/v1/whatsapp/webhooks/${binding}`);
    for (const secret of Object.values(secrets)) expect(configured.text).not.toContain(secret);
    const [row] = await api.infra.dataSource.query<{ secrets: unknown }[]>(`SELECT secrets FROM messaging.numbers_v1 WHERE binding_id = $1`, [binding]);
    for (const secret of Object.values(secrets)) expect(JSON.stringify(row?.secrets)).not.toContain(secret);
    expect(await simulator.handshake(phoneNumberId)).toBe(true);
    const handshake = await api.call('GET', `/v1/whatsapp/webhooks/${binding}?hub.mode=subscribe&hub.verify_token=${secrets.verifyToken}&hub.challenge=4711`);
    expect([handshake.status, handshake.text]).toEqual([200, '4711']);
    expect(body<{ bindingId: string }[]>(await must('GET', '/v1/whatsapp/numbers', { key: admin })).map((n) => n.bindingId)).toEqual([binding]);
    const wrong = await api.call('GET', `/v1/whatsapp/webhooks/${binding}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=123`);
    expect(wrong.status).toBe(403);
  });

  it('syncs templates from the Cloud API; a MARKETING template maps only to a purpose with legal basis consent (K8)', async () => {
    const synced = body<{ templateId: string; name: string; blocked: string | null; parameters: number }[]>(
      await must('POST', `/v1/whatsapp/numbers/${binding}/templates/sync`, { key: admin }),
    );
    expect(synced.map((t) => [t.name, t.blocked, t.parameters])).toEqual([
      ['december_offer', 'not-mapped', 1],
      ['order_update', 'not-mapped', 1],
    ]);
    const refused = await api.call('PUT', `/v1/whatsapp/numbers/${binding}/templates/1000000000000001/purpose`, { key: admin, body: { purposeKey: 'orders' } });
    expect(refused.body).toMatchObject({ status: 400, code: 'TEMPLATE.MARKETING_NEEDS_CONSENT' });
    const mapped = await must('PUT', `/v1/whatsapp/numbers/${binding}/templates/1000000000000001/purpose`, { key: admin, body: { purposeKey: 'offers' } });
    expect(mapped.body).toMatchObject({ purposeKey: 'offers', blocked: null });
    await must('PUT', `/v1/whatsapp/numbers/${binding}/templates/1000000000000002/purpose`, { key: admin, body: { purposeKey: 'orders' } });
  });

  it('the tenant’s rules: defaults until set, then as set; quiet hours must be a span', async () => {
    expect(body<{ quietHours: unknown; thirdParty: string }>(await must('GET', '/v1/whatsapp/settings', { key: admin }))).toMatchObject({
      quietHours: null,
      thirdParty: 'Meta Platforms',
    });
    const rules = {
      marketingCap: 4,
      frequencyWindowDays: 7,
      quietHours: null,
      defaultZone: 'Asia/Shanghai',
      stopKeywords: { en: ['HALT'] },
      thirdParty: 'Meta Platforms',
      transferCountry: null,
      logRetentionDays: 400,
    };
    expect((await api.call('PUT', '/v1/whatsapp/settings', { key: admin, body: { ...rules, quietHours: { from: '21:00', to: '21:00' } } })).body).toMatchObject(
      { status: 400, code: 'MESSAGING.QUIET_HOURS' },
    );
    expect((await api.call('PUT', '/v1/whatsapp/settings', { key: admin, body: { ...rules, defaultZone: 'Mars/Olympus' } })).body).toMatchObject({
      status: 400,
      code: 'MESSAGING.ZONE',
    });
    expect(body(await must('PUT', '/v1/whatsapp/settings', { key: admin, body: rules }))).toMatchObject(rules);
  });

  it('P7, K8: a campaign gates every recipient; the withdrawn, the unconsented and the unreachable are blocked and kept with why; the allowed one is sent once and read', async () => {
    alice = await customer('+86 138 0000 0001');
    bob = await customer('+86 138 0000 0002');
    carol = await customer('+86 138 0000 0003');
    dave = await customer(null);
    for (const c of [alice, bob, dave]) await grantWhatsApp(c);
    await must('POST', `/v1/customers/${bob}/consents/withdraw`, {
      key: service,
      body: { purposeKey: 'offers', channel: 'whatsapp', scope: 'general', method: 'unsubscribe-link', source: 'crm' },
    });
    const created = body<{ campaignId: string; status: string; recipients: number }>(
      await must('POST', '/v1/whatsapp/campaigns', {
        key: service,
        body: { name: 'December', bindingId: binding, templateId: '1000000000000001', parameters: ['20%'], customerIds: [alice, bob, carol, dave] },
      }),
    );
    campaignId = created.campaignId;
    expect(created).toMatchObject({ status: 'draft', recipients: 4 });
    const preview = body<{ queued: number; blocked: Record<string, number>; examples: { customerId: string; step: string }[] }>(
      await must('POST', `/v1/whatsapp/campaigns/${campaignId}/preview`, { key: service }),
    );
    expect(preview.queued).toBe(2); // the preview does not look up numbers: dave is found unreachable at start
    expect(Object.values(preview.blocked).reduce((a, b) => a + b, 0)).toBe(2);
    expect(simulator.messages()).toHaveLength(0);

    const started = body<{ status: string; queued: number; blocked: Record<string, number> }>(
      await must('POST', `/v1/whatsapp/campaigns/${campaignId}/start`, { key: service }),
    );
    expect(started.status).toBe('running');
    expect(started.queued).toBe(1);
    expect(started.blocked['contact:MESSAGING.NO_PHONE']).toBe(1);
    const log = await messages(`?campaignId=${campaignId}`);
    const of = (id: string) => log.find((m) => m.customerId === id);
    expect(of(bob)).toMatchObject({ state: 'blocked', step: 'decision' });
    expect(of(bob)?.reasons.length).toBeGreaterThan(0);
    expect(of(carol)).toMatchObject({ state: 'blocked', step: 'decision' });
    expect(of(dave)).toMatchObject({ state: 'blocked', step: 'contact', reasons: ['MESSAGING.NO_PHONE'] });
    expect(of(alice)?.state).toBe('queued');
    // Nothing of the number or the parameters is in the log row at rest.
    const rows = await api.infra.dataSource.query<{ content: unknown }[]>(`SELECT content FROM messaging.messages WHERE campaign_id = $1`, [campaignId]);
    // The number as given or as sent, and the parameter: not "138" alone, which a ciphertext or key id may hold by chance.
    expect(JSON.stringify(rows)).not.toMatch(/138 0000|8613800000|20%/);

    expect((await outboxOverview(api.infra.dataSource, tenant))[0]).toMatchObject({ bindingId: binding, queued: 1, dueNow: 1, served: false });
    api.app.get(WhatsAppDispatcher, { strict: false }).start();
    await until('the number served', async () => (await outboxOverview(api.infra.dataSource, tenant))[0]?.served === true);
    const read = await until('alice’s message read', async () => {
      const m = (await messages(`?customerId=${alice}`))[0];
      return m?.state === 'read' ? m : null;
    });
    expect(read.wamid).toMatch(/^wamid\./);
    expect(simulator.messages().map((m) => [m.to, m.template, m.texts])).toEqual([['8613800000001', 'december_offer', ['20%']]]);
    expect(await stats(campaignId)).toMatchObject({ requested: 4, queued: 1, sent: 1, delivered: 1, read: 1 });

    // P7: the send and each status are processing records resting on the decision (its entry's id) and its consents.
    await api.infra.recordLog.mergePending();
    const transfers = await until('the transfer records', async () => {
      await api.infra.recordLog.mergePending();
      const found = await api.infra.dataSource.query<{ body: string }[]>(`SELECT body FROM processing.records WHERE tenant_id = $1 AND kind = 'transfer'`, [
        tenant,
      ]);
      return found.length >= 4 ? found.map((r) => JSON.parse(r.body) as Record<string, unknown>) : null;
    });
    expect(transfers.map((t) => t['outcome']).sort()).toEqual(['accepted', 'delivered', 'read', 'sent']);
    for (const t of transfers)
      expect(t).toMatchObject({ method: 'whatsapp-cloud-api', channel: 'whatsapp', purpose: 'offers', legalBasis: 'consent', correlationId: read.decisionId });
    expect((transfers[0]?.['consents'] as string[]).length).toBe(2);
  });

  it('another tenant cannot map this tenant’s template, nor pause or cancel its campaign: 404, nothing written', async () => {
    const intruder = await api.key('wa-e2e-other', ['org-admin']);
    await must('POST', '/v1/purposes', { key: intruder, body: purpose('offers', 'legitimate-interests') });
    const before = await api.eventCount();
    expect(
      (await api.call('PUT', `/v1/whatsapp/numbers/${binding}/templates/1000000000000001/purpose`, { key: intruder, body: { purposeKey: 'offers' } })).body,
    ).toMatchObject({
      status: 404,
      code: 'TEMPLATE.NOT_FOUND',
    });
    for (const action of ['pause', 'cancel'])
      expect((await api.call('POST', `/v1/whatsapp/campaigns/${campaignId}/${action}`, { key: intruder, body: {} })).body).toMatchObject({
        status: 404,
        code: 'CAMPAIGN.NOT_FOUND',
      });
    expect(await api.eventCount()).toBe(before);
    expect(body(await must('GET', `/v1/whatsapp/campaigns/${campaignId}`, { key: admin }))).toMatchObject({ status: 'running' });
  });

  it('a bad signature changes nothing; a repeated and an out-of-order status change nothing', async () => {
    const [m] = await messages(`?customerId=${alice}`);
    const before = await stats(campaignId);
    const envelope = (status: string): string => statusWebhook({ id: m?.wamid ?? '', status, recipient: '8613800000001', messageId: m?.messageId ?? '' });
    const forged = envelope('failed');
    const refused = await api.call('POST', `/v1/whatsapp/webhooks/${binding}`, {
      body: forged,
      headers: { 'x-hub-signature-256': signatureOf(forged, 'not-the-secret') },
    });
    expect(refused.body).toMatchObject({ status: 401, code: 'WHATSAPP.SIGNATURE_INVALID' });
    expect((await api.call('POST', `/v1/whatsapp/webhooks/${binding}`, { body: forged })).status).toBe(401);
    for (const status of ['read', 'delivered', 'sent', 'failed']) {
      const raw = envelope(status);
      const res = await must('POST', `/v1/whatsapp/webhooks/${binding}`, {
        body: raw,
        headers: { 'x-hub-signature-256': signatureOf(raw, secrets.appSecret) },
      });
      expect(res.body).toEqual({ applied: 0, skipped: 0 });
    }
    expect((await messages(`?customerId=${alice}`))[0]?.state).toBe('read');
    expect(await stats(campaignId)).toEqual(before);
  });

  it('K2: a STOP reply withdraws the subject’s marketing consent on whatsapp and blocks the next send at once', async () => {
    simulator.inbound('8613800000001', { text: 'Stop' }, phoneNumberId);
    await until('alice suppressed', async () => {
      const rows = await api.infra.dataSource.query<{ source: string }[]>(`SELECT source FROM messaging.suppressions WHERE customer_id = $1`, [alice]);
      return rows[0]?.source === 'whatsapp:stop-keyword';
    });
    // Suppressed first, at once; then each whatsapp consent withdrawn (the next decision says so).
    await until('alice’s whatsapp consents withdrawn', async () => {
      const history = body<{ action: string; channel: string }[]>(await must('GET', `/v1/customers/${alice}/consents`, { key: admin }));
      return history.filter((r) => r.action === 'withdrawn' && r.channel === 'whatsapp').length === 2;
    });
    const next = body<{ state: string; step: string; reasons: string[] }>(
      await must('POST', '/v1/whatsapp/messages', {
        key: service,
        body: { bindingId: binding, templateId: '1000000000000001', customerId: alice, parameters: ['30%'] },
      }),
    );
    expect(next).toMatchObject({ state: 'blocked', step: 'decision' });
    expect(simulator.messages()).toHaveLength(1);
  });

  it('K2: a person who stops marketing in WhatsApp (user_preferences) is suppressed and their whatsapp consent withdrawn', async () => {
    const judy = await customer('+86 138 0000 0010');
    await grantWhatsApp(judy);
    simulator.userPreference('8613800000010', 'stop', phoneNumberId);
    await until('judy suppressed', async () => {
      const rows = await api.infra.dataSource.query<{ source: string }[]>(`SELECT source FROM messaging.suppressions WHERE customer_id = $1`, [judy]);
      return rows[0]?.source === 'whatsapp:user-preference';
    });
    // Suppressed first, at once; then each whatsapp consent withdrawn through the consent context.
    const withdrawn = await until('both whatsapp consents withdrawn', async () => {
      const receipts = body<{ action: string; channel: string; withdrawal: { source: string } | null }[]>(
        await must('GET', `/v1/customers/${judy}/consents`, { key: admin }),
      );
      const found = receipts.filter((r) => r.action === 'withdrawn').map((r) => [r.channel, r.withdrawal?.source]);
      return found.length === 2 ? found : null;
    });
    expect(withdrawn).toEqual([
      ['whatsapp', 'whatsapp:user-preference'],
      ['whatsapp', 'whatsapp:user-preference'],
    ]);
  });

  it('K2: a withdrawal through the CRM cancels the subject’s messages still waiting, before its answer', async () => {
    const kim = await customer('+86 138 0000 0011');
    await grantWhatsApp(kim);
    await api.app.get(WhatsAppDispatcher, { strict: false }).stop();
    const queued = body<{ messageId: string; state: string }>(
      await must('POST', '/v1/whatsapp/messages', {
        key: service,
        body: { bindingId: binding, templateId: '1000000000000001', customerId: kim, parameters: ['3%'] },
      }),
    );
    expect(queued.state).toBe('queued');
    await must('POST', `/v1/customers/${kim}/consents/withdraw`, {
      key: service,
      body: { purposeKey: 'offers', channel: 'whatsapp', scope: 'general', method: 'crm', source: 'call-centre' },
    });
    expect(body(await must('GET', `/v1/whatsapp/messages/${queued.messageId}`, { key: admin }))).toMatchObject({
      state: 'cancelled',
      reasons: ['CONSENT_WITHDRAWN'],
    });
    api.app.get(WhatsAppDispatcher, { strict: false }).start();
  });

  it('a campaign over a saved filter takes the customers the filter finds when it is created', async () => {
    const tagged = body<{ customerId: string }[]>(await must('GET', '/v1/customers?tag=wa&limit=100', { key: admin })).length;
    const created = body<{ recipients: number; selection: string }>(
      await must('POST', '/v1/whatsapp/campaigns', {
        key: service,
        body: { name: 'All wa', bindingId: binding, templateId: '1000000000000001', parameters: ['2%'], filter: { tag: 'wa' } },
      }),
    );
    expect(created).toMatchObject({ recipients: tagged, selection: 'filter' });
    expect(
      (
        await api.call('POST', '/v1/whatsapp/campaigns', {
          key: service,
          body: { name: 'None', bindingId: binding, templateId: '1000000000000001', parameters: ['2%'] },
        })
      ).body,
    ).toMatchObject({
      status: 400,
      code: 'CAMPAIGN.RECIPIENTS',
    });
    await must('POST', `/v1/whatsapp/campaigns/${(created as unknown as { campaignId: string }).campaignId}/cancel`, { key: service, body: {} });
  });

  it('131049 (Meta’s marketing limit per person) as a failed status queues the message again for a day, not failed, not resent now', async () => {
    const leo = await customer('+86 138 0000 0012');
    await grantWhatsApp(leo);
    simulator.injectFault('8613800000012', { code: 131049, mode: 'async', times: 1 });
    // The failure's webhook comes before the send's answer (Meta answers late): it is refused with 503
    // while the send is being recorded, and applied when Meta delivers it again.
    simulator.delayResponses(1, 500);
    const refusedBefore = simulator.webhooks.failed;
    const sent = body<{ messageId: string }>(
      await must('POST', '/v1/whatsapp/messages', {
        key: service,
        body: { bindingId: binding, templateId: '1000000000000001', customerId: leo, parameters: ['7%'] },
      }),
    );
    const requeued = await until('the message queued again', async () => {
      const m = body<{ state: string; errorCode: number | null; wamid: string | null; attempts: number }>(
        await must('GET', `/v1/whatsapp/messages/${sent.messageId}`, { key: admin }),
      );
      return m.state === 'queued' && m.errorCode === 131049 ? m : null;
    });
    expect(requeued).toMatchObject({ wamid: null, attempts: 1 });
    expect(simulator.webhooks.failed).toBeGreaterThan(refusedBefore);
    const [due] = await api.infra.dataSource.query<{ hours: number }[]>(
      `SELECT extract(epoch FROM next_attempt_at - now()) / 3600 AS hours FROM messaging.messages WHERE message_id = $1`,
      [sent.messageId],
    );
    expect(Number(due?.hours)).toBeGreaterThan(23);
    await new Promise((r) => setTimeout(r, 300));
    expect(simulator.messages().filter((m) => m.to === '8613800000012')).toHaveLength(1);
  });

  it('a dispatcher killed between claiming and recording a send leaves that message in doubt: the next lease holder never sends it again', async () => {
    const erin = await customer('+86 138 0000 0005');
    const frank = await customer('+86 138 0000 0006');
    for (const c of [erin, frank]) await grantWhatsApp(c);
    const dispatcher = api.app.get(WhatsAppDispatcher, { strict: false });
    await dispatcher.stop();
    const sent = body<{ messageId: string; state: string }>(
      await must('POST', '/v1/whatsapp/messages', {
        key: service,
        body: { bindingId: binding, templateId: '1000000000000001', customerId: erin, parameters: ['5%'] },
      }),
    );
    const other = body<{ messageId: string; state: string }>(
      await must('POST', '/v1/whatsapp/messages', {
        key: service,
        body: { bindingId: binding, templateId: '1000000000000001', customerId: frank, parameters: ['5%'] },
      }),
    );
    expect([sent.state, other.state]).toEqual(['queued', 'queued']);
    // What a process killed between claiming and recording the answer leaves: a row `sending`.
    await api.infra.dataSource.query(`UPDATE messaging.messages SET state = 'sending', attempts = 1 WHERE message_id = $1`, [sent.messageId]);
    dispatcher.start();
    await until('frank’s message delivered', async () => (await messages(`?customerId=${frank}`))[0]?.state === 'read');
    expect((await messages(`?customerId=${erin}`))[0]?.state).toBe('in-doubt');
    const references = simulator.messages().map((m) => m.reference);
    expect(references).not.toContain(sent.messageId);
    expect(new Set(references).size).toBe(references.length);

    // Had it left, its statuses would settle it — here arriving together, repeated and out of order.
    const statsRows = async (): Promise<number> => {
      const rows = await api.infra.dataSource.query<{ n: string }[]>(
        `SELECT coalesce(sum(count), 0) AS n FROM messaging.stats_daily_v1 WHERE tenant_id = $1 AND campaign_id IS NULL AND measure IN ('sent', 'delivered', 'read')`,
        [tenant],
      );
      return Number(rows[0]?.n ?? 0);
    };
    const counted = await statsRows();
    const signed = (status: string): { body: string; headers: Record<string, string> } => {
      const raw = statusWebhook({ id: 'wamid.settled-late', status, recipient: '8613800000005', messageId: sent.messageId });
      return { body: raw, headers: { 'x-hub-signature-256': signatureOf(raw, secrets.appSecret) } };
    };
    const answers = await Promise.all(
      ['read', 'sent', 'delivered', 'read', 'sent'].map((status) => must('POST', `/v1/whatsapp/webhooks/${binding}`, signed(status))),
    );
    expect(answers.reduce((n, a) => n + body<{ applied: number }>(a).applied, 0)).toBeGreaterThanOrEqual(1);
    expect((await messages(`?customerId=${erin}`))[0]).toMatchObject({ state: 'read', wamid: 'wamid.settled-late' });
    expect((await statsRows()) - counted).toBe(3);
  });

  it('a send whose answer times out is in doubt, is not resent, and is settled by its status webhook', async () => {
    const grace = await customer('+86 138 0000 0007');
    await grantWhatsApp(grace);
    await api.app.get(WhatsAppDispatcher, { strict: false }).stop();
    // A second process's dispatcher, impatient: it gives up on an answer after 150 ms.
    const impatient = new WhatsAppDispatcher({
      owner: api.infra.dataSource,
      numbers: api.app.get<PostgresMessagingNumbers>(MESSAGING_NUMBERS, { strict: false }),
      privacy: api.infra.privacy,
      journal: api.app.get<ProcessingJournal>(PROCESSING_JOURNAL, { strict: false }),
      stops: api.app.get(StopHandler, { strict: false }),
      clock: systemClock,
      logger: { warn: () => undefined, info: () => undefined, error: () => undefined } as never,
      sendTimeoutMs: 150,
    });
    simulator.delayResponses(1, 600);
    const queued = body<{ messageId: string }>(
      await must('POST', '/v1/whatsapp/messages', {
        key: service,
        body: { bindingId: binding, templateId: '1000000000000001', customerId: grace, parameters: ['15%'] },
      }),
    );
    impatient.start();
    try {
      // The dispatcher gave up on the answer: recorded as a transfer whose outcome it does not know.
      await until('the send recorded in doubt', async () => {
        await api.infra.recordLog.mergePending();
        const rows = await api.infra.dataSource.query<{ body: string }[]>(
          `SELECT body FROM processing.records WHERE tenant_id = $1 AND kind = 'transfer' AND body::jsonb->>'commandId' = $2 AND body::jsonb->>'outcome' = 'in-doubt'`,
          [tenant, queued.messageId],
        );
        return rows.length === 1;
      });
      // Meta did accept it: its statuses (echoing the message id) settle it, whatever came first; nothing is sent again.
      const settled = await until('the webhook’s settlement', async () => {
        const m = (await messages(`?customerId=${grace}`))[0];
        return m?.state === 'read' ? m : null;
      });
      expect(settled.wamid).toMatch(/^wamid\./);
      await new Promise((r) => setTimeout(r, 300));
      expect(simulator.messages().filter((m) => m.reference === queued.messageId)).toHaveLength(1);
    } finally {
      await impatient.stop();
    }
  });

  it('erasing a subject erases its message content and number lookup; the campaign’s statistics stay', async () => {
    const before = await stats(campaignId);
    const bus = api.app.get(CommandBus);
    const customers = api.app.get<CustomersReadModel>(CUSTOMERS_READ_MODEL, { strict: false });
    const data = new ContextCustomerData(bus, customers, {
      store: api.infra.store,
      vault: api.infra.vault,
      privacy: api.infra.privacy,
      recordLog: api.infra.recordLog,
    });
    await data.erase({ tenantId: tenant, actor: 'user:test', correlationId: uuidv7(), commandId: uuidv7() }, alice, uuidv7());
    await until('alice’s content gone', async () => {
      const rows = await api.infra.dataSource.query<{ content: unknown; phone_token: unknown }[]>(
        `SELECT content, phone_token FROM messaging.messages WHERE customer_id = $1`,
        [alice],
      );
      return rows.length > 0 && rows.every((r) => r.content === null && r.phone_token === null);
    });
    expect(await messages('?phone=%2B8613800000001')).toHaveLength(0);
    expect(await stats(campaignId)).toEqual(before);
  });

  it('a template Meta pauses stops its queued messages, and cannot be sent until approved again', async () => {
    const heidi = await customer('+86 138 0000 0008');
    await grantWhatsApp(heidi);
    await api.app.get(WhatsAppDispatcher, { strict: false }).stop();
    const queued = body<{ messageId: string; state: string }>(
      await must('POST', '/v1/whatsapp/messages', {
        key: service,
        body: { bindingId: binding, templateId: '1000000000000001', customerId: heidi, parameters: ['10%'] },
      }),
    );
    expect(queued.state).toBe('queued');
    simulator.setTemplateStatus('december_offer', 'en', 'PAUSED', 'low quality');
    await until('the message stopped', async () => {
      const m = body<{ state: string; reasons: string[] }>(await must('GET', `/v1/whatsapp/messages/${queued.messageId}`, { key: admin }));
      return m.state === 'cancelled' && m.reasons[0] === 'TEMPLATE.STOPPED';
    });
    const templates = body<{ templateId: string; status: string; blocked: string | null }[]>(
      await must('GET', `/v1/whatsapp/templates?bindingId=${binding}`, { key: admin }),
    );
    expect(templates.find((t) => t.templateId === '1000000000000001')).toMatchObject({ status: 'PAUSED', blocked: 'not-approved' });
    const refused = await api.call('POST', '/v1/whatsapp/messages', {
      key: service,
      body: { bindingId: binding, templateId: '1000000000000001', customerId: heidi, parameters: ['10%'] },
    });
    expect(refused.body).toMatchObject({ status: 409, code: 'TEMPLATE.NOT_SENDABLE' });
  });

  it('a campaign is paused, resumed and cancelled; a cancelled one sends nothing and cannot start', async () => {
    await api.app.get(WhatsAppDispatcher, { strict: false }).stop();
    const ivan = await customer('+86 138 0000 0009');
    await grantWhatsApp(ivan);
    // The template Meta paused before is approved again (its status webhook), then used.
    simulator.setTemplateStatus('december_offer', 'en', 'APPROVED');
    await until('the template approved again', async () => {
      const all = body<{ templateId: string; blocked: string | null }[]>(await must('GET', `/v1/whatsapp/templates?bindingId=${binding}`, { key: admin }));
      return all.find((t) => t.templateId === '1000000000000001')?.blocked === null;
    });
    const second = body<{ campaignId: string }>(
      await must('POST', '/v1/whatsapp/campaigns', {
        key: service,
        body: { name: 'Second', bindingId: binding, templateId: '1000000000000001', parameters: ['1%'], customerIds: [ivan] },
      }),
    ).campaignId;
    expect((await api.call('POST', `/v1/whatsapp/campaigns/${second}/pause`, { key: service, body: {} })).body).toMatchObject({
      status: 409,
      code: 'CAMPAIGN.NOT_RUNNING',
    });
    await must('POST', `/v1/whatsapp/campaigns/${second}/start`, { key: service });
    expect(body(await must('POST', `/v1/whatsapp/campaigns/${second}/pause`, { key: service, body: { reason: 'check the offer' } }))).toMatchObject({
      status: 'paused',
    });
    expect((await messages(`?campaignId=${second}`))[0]?.state).toBe('held');
    expect(body(await must('POST', `/v1/whatsapp/campaigns/${second}/resume`, { key: service }))).toMatchObject({ status: 'running' });
    expect((await messages(`?campaignId=${second}`))[0]?.state).toBe('queued');
    expect(body(await must('POST', `/v1/whatsapp/campaigns/${second}/cancel`, { key: service, body: { reason: 'wrong offer' } }))).toMatchObject({
      status: 'cancelled',
    });
    expect((await messages(`?campaignId=${second}`))[0]?.state).toBe('cancelled');
    expect((await api.call('POST', `/v1/whatsapp/campaigns/${second}/start`, { key: service })).body).toMatchObject({
      status: 409,
      code: 'CAMPAIGN.NOT_DRAFT',
    });
    expect(body<{ campaignId: string }>(await must('GET', `/v1/whatsapp/campaigns/${second}`, { key: admin })).campaignId).toBe(second);
    const listed = body<{ campaignId: string; status: string }[]>(await must('GET', '/v1/whatsapp/campaigns', { key: admin })).map((c) => [
      c.campaignId,
      c.status,
    ]);
    expect(listed[0]).toEqual([second, 'cancelled']);
    expect(listed.at(-1)).toEqual([campaignId, 'running']);
    api.app.get(WhatsAppDispatcher, { strict: false }).start();
    await new Promise((r) => setTimeout(r, 300));
    expect(simulator.messages().filter((m) => m.to === '8613800000009')).toHaveLength(0);
    await api.app.get(WhatsAppDispatcher, { strict: false }).stop();
  });

  it('the retention job deletes finished log rows past the tenant’s retention; messages not finished and the statistics stay', async () => {
    const before = await stats(campaignId);
    const job = messageLogRetentionJob({ owner: api.infra.dataSource });
    const later = new Date(Date.now() + 401 * 86_400_000);
    const planned = await job.run({ now: later, dryRun: true });
    expect(planned.counts['messages']).toBeGreaterThan(0);
    expect(await messages(`?campaignId=${campaignId}`)).toHaveLength(4);
    // A message still in doubt is not finished: kept whatever its age.
    await api.infra.dataSource.query(`UPDATE messaging.messages SET state = 'in-doubt' WHERE customer_id = $1`, [carol]);
    const done = await job.run({ now: later, dryRun: false });
    expect(done.counts['messages']).toBe((planned.counts['messages'] ?? 0) - 1);
    expect((await messages(`?campaignId=${campaignId}`)).map((m) => [m.customerId, m.state])).toEqual([[carol, 'in-doubt']]);
    expect(await stats(campaignId)).toEqual(before);
  });
});
