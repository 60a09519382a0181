import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '@attest/kernel';
import { TenantEndpoints, verifyWebhookSignature, WebhookDispatcher } from '@attest/notifications';
import type { Infrastructure } from '@attest/runtime';

/** A notification as the receiving system gets it (decrypted by the dispatcher, signed). */
export interface InboxMessage {
  readonly id: string;
  readonly kind: string;
  readonly tenantId: string;
  readonly payload: {
    to: { email: string | null; phone: string | null };
    code?: string;
    token?: string;
    accountId?: string;
    requestId?: string;
    event?: string;
    [k: string]: unknown;
  };
}

/** An HTTP server that accepts deliveries signed with `secret()` (204), refuses the rest (401), or answers 503 while `down()`. */
function signedReceiver(
  clock: Clock,
  on: { secret: () => string; down: () => boolean; accepted: (message: InboxMessage) => unknown; refused: () => unknown },
): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (on.down()) {
        res.statusCode = 503;
        res.end();
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const check = verifyWebhookSignature(on.secret(), req.headers['attest-signature'] as string | undefined, raw, Math.floor(clock.now().getTime() / 1000));
      if (check.valid) on.accepted(JSON.parse(raw) as InboxMessage);
      else on.refused();
      res.statusCode = check.valid ? 204 : 401;
      res.end();
    });
  });
}

/**
 * A real webhook receiver on a local port and the real dispatcher pointed at
 * it: tests see notifications exactly as a downstream system would, with
 * signatures checked.
 */
export class WebhookInbox {
  readonly messages: InboxMessage[] = [];
  /** While true the receiver answers 503 (a downstream system that is down). */
  down = false;
  private receiver!: Server;
  private dispatcher!: WebhookDispatcher;

  static async start(infra: Infrastructure, clock: Clock, options: { readonly maxAttempts?: number } = {}): Promise<WebhookInbox> {
    const inbox = new WebhookInbox();
    const secret = randomBytes(24).toString('base64url');
    inbox.receiver = signedReceiver(clock, {
      secret: () => secret,
      down: () => inbox.down,
      accepted: (message) => inbox.messages.push(message),
      refused: () => undefined,
    });
    await new Promise<void>((resolve) => inbox.receiver.listen(0, '127.0.0.1', resolve));
    inbox.dispatcher = new WebhookDispatcher({
      dataSource: infra.dataSource,
      outbox: infra.outbox,
      deployment: { endpoint: `http://127.0.0.1:${String((inbox.receiver.address() as AddressInfo).port)}/`, secret },
      // Tenants' own endpoints too (local receivers allowed, as in development).
      tenantEndpoints: new TenantEndpoints(infra.dataSource, infra.privacy, { allowPrivate: true }),
      clock,
      logger: { info: () => undefined, warn: () => undefined },
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    });
    return inbox;
  }

  /** Delivers what is due and returns what arrived. */
  async dispatch(): Promise<InboxMessage[]> {
    const before = this.messages.length;
    await this.dispatcher.dispatchDue();
    return this.messages.slice(before);
  }

  async stop(): Promise<void> {
    this.receiver.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.receiver.close(() => {
        resolve();
      }),
    );
  }
}

/** A tenant's own receiver: checks signatures with the secret the tenant was shown (set it once known). */
export class TenantReceiver {
  readonly messages: InboxMessage[] = [];
  /** Deliveries whose signature did not verify with `secret`. */
  refused = 0;
  secret = '';
  /** While true the receiver answers 503. */
  down = false;
  private server!: Server;

  static async start(clock: Clock): Promise<TenantReceiver> {
    const receiver = new TenantReceiver();
    receiver.server = signedReceiver(clock, {
      secret: () => receiver.secret,
      down: () => receiver.down,
      accepted: (message) => receiver.messages.push(message),
      refused: () => (receiver.refused += 1),
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}/hooks`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}
