import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  answerHandshake,
  CloudApiClient,
  parseWebhook,
  signatureMatches,
  type TemplateMessageRequest,
  type WebhookNotification,
} from '@attest/messaging-infrastructure';
import { CloudApiSimulator, type SimulatorOptions } from './simulator';

/**
 * The local Cloud API stand-in driven by the real client over real HTTP, its webhooks received
 * by a real HTTP server that checks their signatures as Attest's intake does.
 */
const NUMBER = {
  phoneNumberId: '100000000000001',
  displayPhoneNumber: '15550001111',
  businessAccountId: '200000000000001',
  accessToken: 'simulator-access-token',
  appSecret: 'simulator-app-secret',
  verifyToken: 'simulator-verify-token',
};
const TEMPLATES = [
  { id: '900000000000001', name: 'order_update', language: 'en_US', category: 'UTILITY' as const, body: 'Hello {{1}}, order {{2}} has shipped.' },
  { id: '900000000000002', name: 'spring_sale', language: 'en_US', category: 'MARKETING' as const, body: 'Spring sale: {{1}} off today.' },
  { id: '900000000000003', name: 'login_code', language: 'en_US', category: 'AUTHENTICATION' as const, body: 'Your code is {{1}}.' },
  { id: '900000000000004', name: 'order_update', language: 'zh_CN', category: 'UTILITY' as const, body: '{{1}}，您的订单 {{2}} 已发货。' },
  { id: '900000000000005', name: 'winter_sale', language: 'en_US', category: 'MARKETING' as const, body: 'Winter sale.', status: 'PENDING' },
];

class Receiver {
  readonly notifications: WebhookNotification[] = [];
  readonly refusedSignatures: number[] = [];
  failNext = 0;
  posts = 0;
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET') {
        const answer = answerHandshake(Object.fromEntries(url.searchParams), NUMBER.verifyToken);
        res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.posts++;
        const raw = Buffer.concat(chunks);
        if (!signatureMatches(raw, req.headers['x-hub-signature-256'] as string | undefined, NUMBER.appSecret)) {
          this.refusedSignatures.push(this.posts);
          res.writeHead(401).end();
          return;
        }
        if (this.failNext > 0) {
          this.failNext--;
          res.writeHead(503).end();
          return;
        }
        this.notifications.push(...(parseWebhook(JSON.parse(raw.toString('utf8')))?.notifications ?? []));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) =>
      this.server?.listen(0, '127.0.0.1', () => {
        resolve();
      }),
    );
    return `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}/webhook`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  statusesOf(wamid: string): string[] {
    return this.notifications.flatMap((n) => (n.kind === 'status' && n.wamid === wamid ? [n.status] : []));
  }
}

const template = (to: string, name: string, texts: readonly string[], reference?: string, language = 'en_US'): TemplateMessageRequest => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to,
  type: 'template',
  template: { name, language: { code: language }, components: [{ type: 'body', parameters: texts.map((text) => ({ type: 'text' as const, text })) }] },
  ...(reference !== undefined ? { biz_opaque_callback_data: reference } : {}),
});

describe('the local WhatsApp Cloud API stand-in, through the real client over HTTP', () => {
  const receiver = new Receiver();
  let callbackUrl: string;
  const started: CloudApiSimulator[] = [];

  const simulator = async (options: Partial<SimulatorOptions> = {}): Promise<{ sim: CloudApiSimulator; client: CloudApiClient }> => {
    const sim = new CloudApiSimulator({
      numbers: [{ ...NUMBER, callbackUrl }],
      templates: TEMPLATES,
      statusDelaysMs: { sent: 5, delivered: 10, read: 15 },
      ...options,
    });
    started.push(sim);
    const baseUrl = await sim.start();
    return {
      sim,
      client: new CloudApiClient({
        baseUrl,
        version: 'v23.0',
        phoneNumberId: NUMBER.phoneNumberId,
        businessAccountId: NUMBER.businessAccountId,
        accessToken: NUMBER.accessToken,
      }),
    };
  };

  beforeAll(async () => {
    callbackUrl = await receiver.start();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
    receiver.notifications.length = 0;
  });
  afterAll(async () => {
    await receiver.stop();
  });

  it('accepts a template send with a wamid, then delivers sent, delivered and read as signed webhooks echoing the reference', async () => {
    const { sim, client } = await simulator();
    const outcome = await client.send(template('+86 138 0000 0001'.replace(/ /g, ''), 'order_update', ['Alex', 'A-1'], 'message-1'));
    expect(outcome).toMatchObject({ kind: 'accepted', waId: '8613800000001', held: false });
    const wamid = outcome.kind === 'accepted' ? outcome.wamid : '';
    expect(wamid).toMatch(/^wamid\./);
    expect(await sim.settled()).toBe(true);
    expect(receiver.statusesOf(wamid)).toEqual(['sent', 'delivered', 'read']);
    expect(receiver.notifications.every((n) => n.kind !== 'status' || n.reference === 'message-1')).toBe(true);
    expect(receiver.refusedSignatures).toEqual([]);
    expect(sim.messages()).toMatchObject([
      { to: '8613800000001', template: 'order_update', category: 'UTILITY', texts: ['Alex', 'A-1'], reference: 'message-1' },
    ]);
  });

  it('refuses what Meta refuses, each with its code: a bad token (190), an unknown template or language (132001), parameters that do not match (132000), a template not approved', async () => {
    const { client, sim } = await simulator();
    const base = sim.url();
    const wrongToken = new CloudApiClient({
      baseUrl: base,
      version: 'v23.0',
      phoneNumberId: NUMBER.phoneNumberId,
      businessAccountId: NUMBER.businessAccountId,
      accessToken: 'stolen',
    });
    expect(await wrongToken.send(template('8613800000001', 'order_update', ['a', 'b']))).toMatchObject({ kind: 'refused', code: 190, httpStatus: 401 });
    expect(await client.send(template('8613800000001', 'no_such', ['a']))).toMatchObject({ kind: 'refused', code: 132001 });
    expect(await client.send(template('8613800000001', 'order_update', ['a', 'b'], undefined, 'de_DE'))).toMatchObject({ kind: 'refused', code: 132001 });
    expect(await client.send(template('8613800000001', 'order_update', ['only one']))).toMatchObject({
      kind: 'refused',
      code: 132000,
      details: 'body: number of localizable_params (1) does not match the expected number of params (2)',
    });
    expect(await client.send(template('8613800000001', 'winter_sale', []))).toMatchObject({ kind: 'refused', code: 132001 });
    expect(sim.messages()).toHaveLength(0);
  });

  it('pauses a template by webhook: the change arrives signed, and sends of it are refused (132015) until it is approved again', async () => {
    const { sim, client } = await simulator();
    sim.setTemplateStatus('spring_sale', 'en_US', 'PAUSED', 'NONE');
    expect(await sim.settled()).toBe(true);
    expect(receiver.notifications).toContainEqual(
      expect.objectContaining({
        kind: 'template-status',
        name: 'spring_sale',
        language: 'en_US',
        event: 'PAUSED',
        templateId: '900000000000002',
        businessAccountId: NUMBER.businessAccountId,
      }),
    );
    expect(await client.send(template('8613800000001', 'spring_sale', ['20%']))).toMatchObject({ kind: 'refused', code: 132015 });
    sim.setTemplateStatus('spring_sale', 'en_US', 'APPROVED');
    expect(await client.send(template('8613800000001', 'spring_sale', ['20%']))).toMatchObject({ kind: 'accepted' });
  });

  it('limits throughput per number (130429) and pace per recipient (131056) while other recipients still get through', async () => {
    let now = 1_000_000;
    const { client } = await simulator({ throughputPerSecond: 5, pairBurst: 2, pairIntervalMs: 6_000, throttleStatus: 429, now: () => now });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await client.send(template(`861380000010${String(i)}`, 'login_code', ['1234'])));
    expect(results.slice(0, 5).map((r) => r.kind)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(results[5]).toMatchObject({ kind: 'refused', code: 130429, httpStatus: 429 });
    now += 1_000;
    expect(await client.send(template('8613800000200', 'login_code', ['1']))).toMatchObject({ kind: 'accepted' });
    expect(await client.send(template('8613800000200', 'login_code', ['2']))).toMatchObject({ kind: 'accepted' });
    expect(await client.send(template('8613800000200', 'login_code', ['3']))).toMatchObject({ kind: 'refused', code: 131056 });
    expect(await client.send(template('8613800000201', 'login_code', ['4']))).toMatchObject({ kind: 'accepted' });
    now += 6_000;
    expect(await client.send(template('8613800000200', 'login_code', ['5']))).toMatchObject({ kind: 'accepted' });
  });

  it('fails free-form text outside the 24-hour window (131047, by webhook), and delivers it once the person wrote', async () => {
    const { sim, client } = await simulator();
    const text = (body: string) => ({
      messaging_product: 'whatsapp' as const,
      recipient_type: 'individual' as const,
      to: '8613800000300',
      type: 'text' as const,
      text: { body },
    });
    const first = await client.send(text('Are you there?'));
    expect(first.kind).toBe('accepted');
    sim.inbound('8613800000300', { text: 'Hello, I have a question' });
    await sim.settled();
    const second = await client.send(text('Yes, how can we help?'));
    await sim.settled();
    const failed = receiver.notifications.find((n) => n.kind === 'status' && first.kind === 'accepted' && n.wamid === first.wamid);
    expect(failed).toMatchObject({ status: 'failed', errors: [{ code: 131047 }] });
    expect(receiver.statusesOf(second.kind === 'accepted' ? second.wamid : '')).toEqual(['sent', 'delivered', 'read']);
    expect(receiver.notifications).toContainEqual(expect.objectContaining({ kind: 'inbound', from: '8613800000300', text: 'Hello, I have a question' }));
  });

  it('a person who stopped marketing: a user_preferences webhook, then marketing fails with 131050 while a utility message is delivered', async () => {
    const { sim, client } = await simulator();
    sim.userPreference('8613800000400', 'stop');
    const marketing = await client.send(template('8613800000400', 'spring_sale', ['20%']));
    const utility = await client.send(template('8613800000400', 'order_update', ['Alex', 'A-2']));
    await sim.settled();
    expect(receiver.notifications).toContainEqual(
      expect.objectContaining({ kind: 'user-preference', waId: '8613800000400', value: 'stop', category: 'marketing_messages' }),
    );
    expect(receiver.notifications.find((n) => n.kind === 'status' && marketing.kind === 'accepted' && n.wamid === marketing.wamid)).toMatchObject({
      status: 'failed',
      errors: [{ code: 131050 }],
    });
    expect(receiver.statusesOf(utility.kind === 'accepted' ? utility.wamid : '')).toEqual(['sent', 'delivered', 'read']);
  });

  it('injects faults per recipient: synchronous (in the answer) for a number of sends, or asynchronous (a failed status after a 200)', async () => {
    const { sim, client } = await simulator();
    sim.injectFault('8613800000500', { code: 131049, mode: 'async' });
    sim.injectFault('8613800000501', { code: 130429, mode: 'sync', times: 1 });
    const later = await client.send(template('8613800000500', 'spring_sale', ['10%']));
    expect(later.kind).toBe('accepted');
    expect(await client.send(template('8613800000501', 'login_code', ['1']))).toMatchObject({ kind: 'refused', code: 130429 });
    expect(await client.send(template('8613800000501', 'login_code', ['1']))).toMatchObject({ kind: 'accepted' });
    await sim.settled();
    expect(receiver.notifications.find((n) => n.kind === 'status' && later.kind === 'accepted' && n.wamid === later.wamid)).toMatchObject({
      status: 'failed',
      errors: [{ code: 131049 }],
    });
  });

  it('a send that times out at the client was still sent: its statuses arrive with the reference, so it can be reconciled instead of resent', async () => {
    const { sim } = await simulator();
    const impatient = new CloudApiClient(
      {
        baseUrl: sim.url(),
        version: 'v23.0',
        phoneNumberId: NUMBER.phoneNumberId,
        businessAccountId: NUMBER.businessAccountId,
        accessToken: NUMBER.accessToken,
      },
      { timeoutMs: 100 },
    );
    sim.delayResponses(1, 400);
    expect(await impatient.send(template('8613800000600', 'order_update', ['Alex', 'A-3'], 'message-timeout'))).toEqual({
      kind: 'unknown',
      reason: 'timeout',
      httpStatus: null,
    });
    await sim.settled();
    expect(sim.messages()).toHaveLength(1);
    expect(receiver.notifications.filter((n) => n.kind === 'status' && n.reference === 'message-timeout').map((n) => n.kind === 'status' && n.status)).toEqual([
      'sent',
      'delivered',
      'read',
    ]);
  });

  it('when asked, delivers a message’s statuses out of order and one of them twice', async () => {
    const { sim, client } = await simulator({ disorder: true, random: () => 0 });
    const sent = await client.send(template('8613800000700', 'order_update', ['Alex', 'A-4']));
    await sim.settled();
    expect(receiver.statusesOf(sent.kind === 'accepted' ? sent.wamid : '')).toEqual(['read', 'delivered', 'sent', 'sent']);
  });

  it('retries a webhook the receiver refused until it is accepted (at least once)', async () => {
    const { sim, client } = await simulator();
    receiver.failNext = 2;
    const sent = await client.send(template('8613800000701', 'order_update', ['Alex', 'A-5']));
    expect(await sim.settled(15_000)).toBe(true);
    expect([...receiver.statusesOf(sent.kind === 'accepted' ? sent.wamid : '')].sort()).toEqual(['delivered', 'read', 'sent']);
    expect(sim.webhooks.failed).toBe(2);
  }, 20_000);

  it('lists the templates page by page, following the cursor on its own base URL', async () => {
    const { client } = await simulator();
    const listed = await client.listTemplates(2);
    expect(listed.map((t) => `${t.name}/${t.language}/${t.status}/${t.category}`)).toEqual([
      'order_update/en_US/APPROVED/UTILITY',
      'spring_sale/en_US/APPROVED/MARKETING',
      'login_code/en_US/APPROVED/AUTHENTICATION',
      'order_update/zh_CN/APPROVED/UTILITY',
      'winter_sale/en_US/PENDING/MARKETING',
    ]);
  });

  it('performs the subscription handshake against the callback', async () => {
    const { sim } = await simulator();
    expect(await sim.handshake(NUMBER.phoneNumberId)).toBe(true);
    const wrong = new CloudApiSimulator({ numbers: [{ ...NUMBER, callbackUrl, verifyToken: 'not-the-token' }] });
    started.push(wrong);
    await wrong.start();
    expect(await wrong.handshake(NUMBER.phoneNumberId)).toBe(false);
  });
});
