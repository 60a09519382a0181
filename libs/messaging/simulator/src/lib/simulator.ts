// A local stand-in of the WhatsApp Business Cloud API on loopback, for development
// (`npx attest whatsapp-simulator`), the end-to-end tests and bench:messaging. It behaves as the
// real API does where a client can get it wrong: a 200 only means accepted, the outcome comes
// later by signed webhook (duplicated and out of order when asked), throughput and pair limits
// answer 130429 / 131056, templates must exist and match, free-form text needs the 24-hour
// window, a person who stopped marketing gets 131050, and faults can be injected per recipient.
// It keeps what it was sent in memory only, and is never part of a deployment.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLOUD_API_ERRORS, signatureOf, type GraphError, type MessageRequest, type WebhookEnvelope, type WireStatus } from '@attest/messaging-infrastructure';

export interface SimulatedNumber {
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string;
  readonly businessAccountId: string;
  readonly accessToken: string;
  readonly appSecret: string;
  /** Where its webhooks go (Attest's intake); none: nothing is delivered. */
  readonly callbackUrl?: string;
  readonly verifyToken?: string;
}

export interface SimulatedTemplate {
  readonly id: string;
  readonly name: string;
  readonly language: string;
  readonly category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  status: string;
  /** The body's text with positional `{{1}}` placeholders. */
  readonly body: string;
}

export interface SimulatorOptions {
  readonly port?: number;
  readonly numbers: readonly SimulatedNumber[];
  /** The business account's templates; APPROVED unless a status is given. */
  readonly templates?: readonly (Omit<SimulatedTemplate, 'status'> & { readonly status?: string })[];
  /** Messages a second per business number before 130429 (default 80, as Meta's default). */
  readonly throughputPerSecond?: number;
  /** Per recipient: a burst, then one message per `pairIntervalMs` before 131056 (default 45 and 6 s). */
  readonly pairBurst?: number;
  readonly pairIntervalMs?: number;
  /** The HTTP status of 130429 and 131056 (sources disagree between 400 and 429; default 400). */
  readonly throttleStatus?: number;
  /** Delay before each status webhook of a message (default sent 20 ms, delivered 40 ms, read 80 ms). */
  readonly statusDelaysMs?: { readonly sent: number; readonly delivered: number; readonly read: number };
  /** Deliver a message's statuses shuffled and one of them twice (default false). */
  readonly disorder?: boolean;
  /** Whether a delivered message is also read (default true). */
  readonly read?: boolean;
  /** Statuses batched into one webhook POST at most (default 50). */
  readonly webhookBatch?: number;
  /** Deterministic randomness for tests (default Math.random). */
  readonly random?: () => number;
  readonly now?: () => number;
}

/** A message the stand-in accepted. */
export interface AcceptedMessage {
  readonly wamid: string;
  readonly phoneNumberId: string;
  readonly to: string;
  readonly type: 'template' | 'text';
  readonly template: string | null;
  readonly language: string | null;
  readonly category: string | null;
  /** The body parameters' texts, or the text's body. */
  readonly texts: readonly string[];
  readonly reference: string | null;
  readonly acceptedAt: number;
}

export interface Fault {
  /** The Cloud API error code to answer. */
  readonly code: number;
  /** In the send's answer (sync) or as a `failed` status webhook after a 200 (async). */
  readonly mode: 'sync' | 'async';
  /** How many sends to this recipient it applies to (default: every one). */
  times?: number;
}

const DEFAULT_DELAYS = { sent: 20, delivered: 40, read: 80 };
const TITLES: Readonly<Record<number, string>> = {
  [CLOUD_API_ERRORS.throughput]: 'Rate limit hit',
  [CLOUD_API_ERRORS.pairRate]: '(Business Account, Consumer Account) pair rate limit hit',
  [CLOUD_API_ERRORS.marketingLimit]: 'This message was not delivered to maintain healthy ecosystem engagement',
  [CLOUD_API_ERRORS.undeliverable]: 'Message undeliverable',
  [CLOUD_API_ERRORS.reEngagement]: 'Re-engagement message',
  [CLOUD_API_ERRORS.marketingStopped]:
    'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
  [CLOUD_API_ERRORS.parameterMismatch]: 'Number of parameters does not match the expected number of params',
  [CLOUD_API_ERRORS.templateMissing]: 'Template name does not exist in the translation',
  [CLOUD_API_ERRORS.templatePaused]: 'Template is paused',
  [CLOUD_API_ERRORS.templateDisabled]: 'Template is disabled',
  [CLOUD_API_ERRORS.accessToken]: 'Error validating access token',
  100: 'Invalid parameter',
};

const DAY_MS = 24 * 3_600_000;

interface Bucket {
  tokens: number;
  at: number;
}

interface PendingDelivery {
  readonly number: SimulatedNumber;
  readonly statuses: WireStatus[];
  readonly messages: Record<string, unknown>[];
  readonly other: WebhookEnvelope['entry'][number]['changes'][number][];
  attempts: number;
}

export class CloudApiSimulator {
  private server: Server | null = null;
  private readonly numbers = new Map<string, SimulatedNumber>();
  private readonly templates: SimulatedTemplate[];
  private readonly buckets = new Map<string, Bucket>();
  private readonly pairs = new Map<string, Bucket>();
  private readonly faults = new Map<string, Fault>();
  private readonly lastInbound = new Map<string, number>();
  private readonly stoppedMarketing = new Set<string>();
  private readonly accepted: AcceptedMessage[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly outbox: PendingDelivery[] = [];
  private slowResponses: { count: number; ms: number } = { count: 0, ms: 0 };
  private delivering = false;
  /** Webhook POSTs answered 2xx, and those refused or unreachable (then retried). */
  readonly webhooks = { delivered: 0, failed: 0, statuses: 0 };

  constructor(private readonly options: SimulatorOptions) {
    for (const n of options.numbers) this.numbers.set(n.phoneNumberId, n);
    this.templates = (options.templates ?? []).map((t) => ({ ...t, status: t.status ?? 'APPROVED' }));
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private random(): number {
    return this.options.random?.() ?? Math.random();
  }

  /** Listens on 127.0.0.1; answers the base URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      void this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        resolve();
      });
    });
    this.server = server;
    return this.url();
  }

  url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the simulator is not started');
    return `http://127.0.0.1:${String(address.port)}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  }

  // --- What tests and the developer steer --------------------------------------------------

  /** Every message accepted so far, oldest first. */
  messages(): readonly AcceptedMessage[] {
    return this.accepted;
  }

  /** Answers (or fails asynchronously) sends to this recipient with `code`. */
  injectFault(to: string, fault: Fault): void {
    this.faults.set(digits(to), { ...fault });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** The next `count` sends are accepted (and their statuses sent) but answered only after `ms`: a client's timeout. */
  delayResponses(count: number, ms: number): void {
    this.slowResponses = { count, ms };
  }

  /** A template's status changes, and the change is sent as a `message_template_status_update` webhook. */
  setTemplateStatus(name: string, language: string, event: string, reason: string | null = null): void {
    const template = this.templates.find((t) => t.name === name && t.language === language);
    if (!template) throw new Error(`no template ${name} (${language})`);
    template.status = event;
    for (const number of this.numbers.values()) {
      if (number.callbackUrl === undefined) continue;
      this.enqueue(number, {
        other: [
          {
            field: 'message_template_status_update',
            value: {
              event,
              message_template_id: Number(template.id),
              message_template_name: name,
              message_template_language: language,
              reason,
              message_template_category: template.category,
            },
          },
        ],
      });
    }
  }

  /** A person writes to the business (text or a button), which opens the 24-hour window; sent as a webhook. */
  inbound(from: string, content: { readonly text?: string; readonly button?: string }, phoneNumberId?: string): string {
    const number = phoneNumberId !== undefined ? this.numbers.get(phoneNumberId) : this.numbers.values().next().value;
    if (!number) throw new Error('no such business number');
    const waId = digits(from);
    const at = this.now();
    this.lastInbound.set(`${number.phoneNumberId}:${waId}`, at);
    const id = wamid();
    const message: Record<string, unknown> = { from: waId, id, timestamp: String(Math.floor(at / 1000)) };
    if (content.button !== undefined) Object.assign(message, { type: 'button', button: { payload: content.button, text: content.button } });
    else Object.assign(message, { type: 'text', text: { body: content.text ?? '' } });
    this.enqueue(number, { messages: [message] });
    return id;
  }

  /** A person stops (or resumes) marketing messages: a `user_preferences` webhook; later marketing fails with 131050. */
  userPreference(waId: string, value: 'stop' | 'resume', phoneNumberId?: string): void {
    const number = phoneNumberId !== undefined ? this.numbers.get(phoneNumberId) : this.numbers.values().next().value;
    if (!number) throw new Error('no such business number');
    const id = digits(waId);
    if (value === 'stop') this.stoppedMarketing.add(id);
    else this.stoppedMarketing.delete(id);
    this.enqueue(number, {
      other: [
        {
          field: 'user_preferences',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId },
            contacts: [{ wa_id: id }],
            user_preferences: [
              {
                wa_id: id,
                detail: `User requested to ${value} marketing messages`,
                category: 'marketing_messages',
                value,
                timestamp: Math.floor(this.now() / 1000),
              },
            ],
          },
        },
      ],
    });
  }

  /** The subscription handshake against a number's callback: true when it echoed the challenge. */
  async handshake(phoneNumberId: string): Promise<boolean> {
    const number = this.numbers.get(phoneNumberId);
    if (number?.callbackUrl === undefined || number.verifyToken === undefined) return false;
    const challenge = String(Math.floor(this.random() * 1e9));
    const url = new URL(number.callbackUrl);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.verify_token', number.verifyToken);
    url.searchParams.set('hub.challenge', challenge);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return res.status === 200 && (await res.text()) === challenge;
    } catch {
      return false;
    }
  }

  /** Resolves once no webhook is waiting to be delivered (or `timeoutMs` passed: false). */
  async settled(timeoutMs = 10_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.timers.size === 0 && this.outbox.length === 0 && !this.delivering) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  }

  // --- HTTP --------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    // /{version}/{phone-number-id}/messages
    if (req.method === 'POST' && parts.length === 3 && /^v\d+\.\d+$/.test(parts[0] ?? '') && parts[2] === 'messages') {
      return this.send(req, res, parts[1] ?? '', body);
    }
    // /{version}/{waba-id}/message_templates
    if (req.method === 'GET' && parts.length === 3 && /^v\d+\.\d+$/.test(parts[0] ?? '') && parts[2] === 'message_templates') {
      this.listTemplates(req, res, parts[1] ?? '', url.searchParams);
      return;
    }
    // The developer's controls (loopback only, like the rest).
    if (req.method === 'POST' && parts[0] === '_simulator' && isRecord(body)) {
      try {
        switch (parts[1]) {
          case 'inbound': {
            json(res, 200, {
              id: this.inbound(String(body['from']), {
                ...(typeof body['text'] === 'string' ? { text: body['text'] } : {}),
                ...(typeof body['button'] === 'string' ? { button: body['button'] } : {}),
              }),
            });
            return;
          }
          case 'user-preferences':
            this.userPreference(String(body['waId']), body['value'] === 'resume' ? 'resume' : 'stop');
            {
              json(res, 200, {});
              return;
            }
          case 'template-status':
            this.setTemplateStatus(String(body['name']), String(body['language']), String(body['event']));
            {
              json(res, 200, {});
              return;
            }
          case 'faults': {
            const code = Number(body['code']);
            this.injectFault(String(body['to']), {
              code,
              mode: body['mode'] === 'sync' ? 'sync' : 'async',
              ...(typeof body['times'] === 'number' ? { times: body['times'] } : {}),
            });
            json(res, 200, {});
            return;
          }
          default:
            break;
        }
      } catch (cause) {
        json(res, 400, { error: cause instanceof Error ? cause.message : 'bad request' });
        return;
      }
    }
    if (req.method === 'GET' && url.pathname === '/_simulator/messages') {
      json(res, 200, { messages: this.accepted.length, webhooks: this.webhooks });
      return;
    }
    graph(res, 400, 100, 'Unsupported request');
  }

  private authorized(req: IncomingMessage, number: SimulatedNumber): boolean {
    return req.headers.authorization === `Bearer ${number.accessToken}`;
  }

  private async send(req: IncomingMessage, res: ServerResponse, phoneNumberId: string, body: unknown): Promise<void> {
    const number = this.numbers.get(phoneNumberId);
    if (!number) {
      graph(res, 400, 100, `Unsupported post request. Object with ID '${phoneNumberId}' does not exist`);
      return;
    }
    if (!this.authorized(req, number)) {
      graph(res, 401, CLOUD_API_ERRORS.accessToken);
      return;
    }
    const message = asMessage(body);
    if (message === null) {
      graph(res, 400, 100, 'the message is not a template or text message to a number');
      return;
    }
    const to = digits(message.to);
    const now = this.now();
    if (!take(this.buckets, number.phoneNumberId, this.options.throughputPerSecond ?? 80, 1_000 / (this.options.throughputPerSecond ?? 80), now)) {
      graph(res, this.options.throttleStatus ?? 400, CLOUD_API_ERRORS.throughput);
      return;
    }
    if (!take(this.pairs, `${number.phoneNumberId}:${to}`, this.options.pairBurst ?? 45, this.options.pairIntervalMs ?? 6_000, now)) {
      graph(res, this.options.throttleStatus ?? 400, CLOUD_API_ERRORS.pairRate);
      return;
    }
    let template: SimulatedTemplate | null = null;
    if (message.type === 'template') {
      template = this.templates.find((t) => t.name === message.template.name && t.language === message.template.language.code) ?? null;
      if (template === null || !['APPROVED', 'PAUSED', 'DISABLED'].includes(template.status)) {
        graph(res, 404, CLOUD_API_ERRORS.templateMissing, `template name (${message.template.name}) does not exist in ${message.template.language.code}`);
        return;
      }
      if (template.status === 'PAUSED') {
        graph(res, 400, CLOUD_API_ERRORS.templatePaused);
        return;
      }
      if (template.status === 'DISABLED') {
        graph(res, 400, CLOUD_API_ERRORS.templateDisabled);
        return;
      }
      const expected = placeholders(template.body);
      const given = message.template.components?.find((c) => c.type === 'body')?.parameters.length ?? 0;
      if (expected !== given) {
        graph(
          res,
          400,
          CLOUD_API_ERRORS.parameterMismatch,
          `body: number of localizable_params (${String(given)}) does not match the expected number of params (${String(expected)})`,
        );
        return;
      }
    }
    const fault = this.faults.get(to);
    if (fault !== undefined) {
      if (fault.times !== undefined && --fault.times <= 0) this.faults.delete(to);
      if (fault.mode === 'sync') {
        graph(
          res,
          fault.code === CLOUD_API_ERRORS.throughput || fault.code === CLOUD_API_ERRORS.pairRate ? (this.options.throttleStatus ?? 400) : 400,
          fault.code,
        );
        return;
      }
    }
    const id = wamid();
    const accepted: AcceptedMessage = {
      wamid: id,
      phoneNumberId,
      to,
      type: message.type,
      template: template?.name ?? null,
      language: template?.language ?? null,
      category: template?.category ?? null,
      texts:
        message.type === 'template'
          ? (message.template.components?.find((c) => c.type === 'body')?.parameters.map((p) => ('text' in p ? p.text : '')) ?? [])
          : [message.text.body],
      reference: message.biz_opaque_callback_data ?? null,
      acceptedAt: now,
    };
    this.accepted.push(accepted);
    this.scheduleOutcome(number, accepted, fault?.mode === 'async' ? fault.code : this.asyncFailure(number, accepted));
    const answer = {
      messaging_product: 'whatsapp',
      contacts: [{ input: message.to, wa_id: to }],
      messages: [{ id, ...(message.type === 'template' ? { message_status: 'accepted' } : {}) }],
    };
    if (this.slowResponses.count > 0) {
      this.slowResponses.count--;
      const ms = this.slowResponses.ms;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    if (!res.destroyed) json(res, 200, answer);
  }

  /** The failures Meta reports only later, by webhook. */
  private asyncFailure(number: SimulatedNumber, message: AcceptedMessage): number | null {
    if (message.category === 'MARKETING' && this.stoppedMarketing.has(message.to)) return CLOUD_API_ERRORS.marketingStopped;
    if (message.type === 'text') {
      const last = this.lastInbound.get(`${number.phoneNumberId}:${message.to}`);
      if (last === undefined || message.acceptedAt - last > DAY_MS) return CLOUD_API_ERRORS.reEngagement;
    }
    return null;
  }

  private listTemplates(req: IncomingMessage, res: ServerResponse, businessAccountId: string, query: URLSearchParams): void {
    const number = [...this.numbers.values()].find((n) => n.businessAccountId === businessAccountId);
    if (!number) {
      graph(res, 400, 100, `Object with ID '${businessAccountId}' does not exist`);
      return;
    }
    if (!this.authorized(req, number)) {
      graph(res, 401, CLOUD_API_ERRORS.accessToken);
      return;
    }
    const limit = Math.min(Math.max(Number(query.get('limit') ?? 25) || 25, 1), 1_000);
    const after = query.get('after');
    const start = after === null ? 0 : Number(Buffer.from(after, 'base64url').toString()) || 0;
    const page = this.templates.slice(start, start + limit);
    const next = start + limit < this.templates.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
    json(res, 200, {
      data: page.map((t) => ({
        id: t.id,
        name: t.name,
        language: t.language,
        status: t.status,
        category: t.category,
        parameter_format: 'POSITIONAL',
        components: [{ type: 'BODY', text: t.body }],
      })),
      paging: {
        cursors: { before: Buffer.from(String(start)).toString('base64url'), after: next ?? Buffer.from(String(start + page.length)).toString('base64url') },
        ...(next !== undefined ? { next: `${this.url()}/v23.0/${businessAccountId}/message_templates?limit=${String(limit)}&after=${next}` } : {}),
      },
    });
  }

  // --- Webhooks ----------------------------------------------------------------------------

  private scheduleOutcome(number: SimulatedNumber, message: AcceptedMessage, failure: number | null): void {
    if (number.callbackUrl === undefined) return;
    const delays = this.options.statusDelaysMs ?? DEFAULT_DELAYS;
    const status = (name: string, errorCode?: number): WireStatus => ({
      id: message.wamid,
      status: name,
      timestamp: String(Math.floor(this.now() / 1000)),
      recipient_id: message.to,
      ...(message.reference !== null ? { biz_opaque_callback_data: message.reference } : {}),
      ...(name === 'sent'
        ? { pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: (message.category ?? 'service').toLowerCase() } }
        : {}),
      ...(errorCode !== undefined
        ? {
            errors: [
              {
                code: errorCode,
                title: TITLES[errorCode] ?? 'Error',
                message: TITLES[errorCode] ?? 'Error',
                error_data: { details: TITLES[errorCode] ?? 'Error' },
              },
            ],
          }
        : {}),
    });
    let plan: [number, WireStatus][] =
      failure !== null
        ? [[delays.sent, status('failed', failure)]]
        : [
            [delays.sent, status('sent')],
            [delays.delivered, status('delivered')],
            ...((this.options.read ?? true) ? [[delays.read, status('read')] as [number, WireStatus]] : []),
          ];
    if (this.options.disorder === true && plan.length > 1) {
      // Reversed order, and one status twice.
      const twice = plan[Math.floor(this.random() * plan.length)];
      plan = [
        ...plan.map(([, s], i): [number, WireStatus] => [plan[plan.length - 1 - i]?.[0] ?? 0, s]).reverse(),
        ...(twice ? [[delays.read + 10, twice[1]] as [number, WireStatus]] : []),
      ];
    }
    for (const [delay, s] of plan) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.enqueue(number, { statuses: [s] });
      }, delay);
      this.timers.add(timer);
    }
  }

  private enqueue(number: SimulatedNumber, add: { statuses?: WireStatus[]; messages?: Record<string, unknown>[]; other?: PendingDelivery['other'] }): void {
    const batch = this.options.webhookBatch ?? 50;
    const last = this.outbox.at(-1);
    // Statuses of one number are batched into one POST, as Meta sometimes does.
    if (
      last &&
      last.number === number &&
      last.attempts === 0 &&
      add.statuses &&
      !add.messages &&
      !add.other &&
      last.statuses.length > 0 &&
      last.statuses.length < batch
    ) {
      last.statuses.push(...add.statuses);
    } else {
      this.outbox.push({ number, statuses: add.statuses ?? [], messages: add.messages ?? [], other: add.other ?? [], attempts: 0 });
    }
    void this.deliver();
  }

  private async deliver(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let item = this.outbox.shift(); item !== undefined; item = this.outbox.shift()) {
        const ok = await this.post(item);
        if (ok) continue;
        // Retried with backoff (at least once: a retried POST may have been processed).
        item.attempts++;
        if (item.attempts < 6 && this.server !== null) {
          const timer = setTimeout(
            () => {
              this.timers.delete(timer);
              this.outbox.push(item);
              void this.deliver();
            },
            100 * 2 ** item.attempts,
          );
          this.timers.add(timer);
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  private async post(item: PendingDelivery): Promise<boolean> {
    const number = item.number;
    if (number.callbackUrl === undefined) return true;
    const metadata = { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId };
    const changes: WebhookEnvelope['entry'][number]['changes'][number][] = [...item.other];
    if (item.statuses.length > 0 || item.messages.length > 0) {
      changes.unshift({
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata,
          ...(item.messages.length > 0
            ? { contacts: item.messages.map((m) => ({ wa_id: String(m['from']), profile: { name: 'Simulated Person' } })), messages: item.messages as never }
            : {}),
          ...(item.statuses.length > 0 ? { statuses: item.statuses } : {}),
        },
      });
    }
    const envelope: WebhookEnvelope = {
      object: 'whatsapp_business_account',
      entry: [{ id: number.businessAccountId, time: Math.floor(this.now() / 1000), changes }],
    };
    const raw = Buffer.from(JSON.stringify(envelope));
    try {
      const res = await fetch(number.callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(raw, number.appSecret) },
        body: raw,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.webhooks.delivered++;
        this.webhooks.statuses += item.statuses.length;
        return true;
      }
    } catch {
      // counted below
    }
    this.webhooks.failed++;
    return false;
  }
}

// --- helpers -----------------------------------------------------------------------------

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const digits = (value: string): string => value.replace(/\D/g, '');
const wamid = (): string => `wamid.${randomBytes(24).toString('base64url')}`;
const placeholders = (text: string): number => new Set([...text.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1])).size;

function take(buckets: Map<string, Bucket>, key: string, capacity: number, refillMs: number, now: number): boolean {
  const bucket = buckets.get(key) ?? { tokens: capacity, at: now };
  bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) / refillMs);
  bucket.at = now;
  buckets.set(key, bucket);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

function asMessage(body: unknown): MessageRequest | null {
  if (!isRecord(body) || body['messaging_product'] !== 'whatsapp' || typeof body['to'] !== 'string' || !/^\+?\d{6,15}$/.test(body['to'])) return null;
  if (body['type'] === 'template' && isRecord(body['template']) && typeof body['template']['name'] === 'string' && isRecord(body['template']['language'])) {
    return body as unknown as MessageRequest;
  }
  if (body['type'] === 'text' && isRecord(body['text']) && typeof body['text']['body'] === 'string') return body as unknown as MessageRequest;
  return null;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1_000_000) return null;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function graph(res: ServerResponse, status: number, code: number, details?: string): void {
  const title = TITLES[code] ?? 'Error';
  const error: GraphError = {
    error: {
      message: `(#${String(code)}) ${title}`,
      type: 'OAuthException',
      code,
      ...(details !== undefined || code !== CLOUD_API_ERRORS.accessToken
        ? { error_data: { messaging_product: 'whatsapp' as const, details: details ?? title } }
        : {}),
      fbtrace_id: randomBytes(9).toString('base64url'),
    },
  };
  json(res, status, error);
}
