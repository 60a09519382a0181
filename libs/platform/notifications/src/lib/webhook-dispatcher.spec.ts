import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { keyVaultMigrations, parseMasterKey, PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { createTestDatabase, scanForCanaries, type TestDatabase } from '@attest/testing';
import { notificationMigrations } from './migrations';
import { Outbox, OutboxReader } from './outbox';
import { signWebhook, verifyWebhookSignature } from './signature';
import { WebhookDispatcher } from './webhook-dispatcher';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe('notification outbox delivered as signed webhooks (real Postgres, real HTTP receiver)', () => {
  const secret = randomBytes(24).toString('base64url');
  const clock = new FixedClock(new Date('2026-11-22T10:00:00.000Z'));
  const received: Received[] = [];
  let failNext = 0;
  let db: TestDatabase;
  let ds: DataSource;
  let vault: PostgresKeyVault;
  let outbox: Outbox;
  let server: Server;
  let dispatcher: WebhookDispatcher;
  const warnings: object[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('notifications', { migrations: [...platformMigrations, ...keyVaultMigrations, ...notificationMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    vault = new PostgresKeyVault({ connectionString: db.url, masterKey: parseMasterKey(randomBytes(32).toString('base64')) });
    await vault.verifyMasterKey();
    outbox = new Outbox(new ReadModelPrivacy(vault));
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // The receiver checks what any real receiver must: signature and freshness.
        const check = verifyWebhookSignature(secret, req.headers['attest-signature'] as string | undefined, body, Math.floor(clock.now().getTime() / 1000));
        if (!check.valid) {
          res.statusCode = 401;
        } else if (failNext > 0) {
          failNext -= 1;
          res.statusCode = 503;
        } else {
          received.push({ headers: req.headers, body });
          res.statusCode = 204;
        }
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    dispatcher = new WebhookDispatcher({
      dataSource: ds,
      outbox,
      deployment: { endpoint: `http://127.0.0.1:${String(port)}/hooks`, secret },
      clock,
      logger: { info: () => undefined, warn: (o) => warnings.push(o) },
      maxAttempts: 3,
      baseDelayMs: 1_000,
    });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    await vault.close();
    await ds.destroy();
    await db.drop();
  });

  const enqueue = async (subjectId: string, payload: Record<string, string>, sourceKey = uuidv7()): Promise<string | null> =>
    ds.transaction((m) => outbox.enqueue(m, { sourceKey, tenantId: 'acme', subjectId, kind: 'one-time-code', payload }, clock.now()));

  it('delivers a signed webhook once, clears the payload, and keeps no plaintext at rest', async () => {
    const subject = uuidv7();
    const canary = `+8613${String(Date.now()).slice(-9)}`;
    const key = uuidv7();
    const id = await enqueue(subject, { phone: canary, code: '123456' }, key);
    expect(await enqueue(subject, { phone: canary, code: '123456' }, key)).toBeNull();
    const scan = await scanForCanaries({ databaseUrl: db.url, canaries: [canary] });
    expect(scan.findings).toEqual([]);

    expect(await dispatcher.dispatchDue()).toEqual({ delivered: 1, retried: 0, dead: 0, erased: 0 });
    expect(received).toHaveLength(1);
    const [first] = received;
    expect(first?.headers['attest-delivery']).toBe(id);
    expect(JSON.parse(first?.body ?? '{}')).toEqual({ id, kind: 'one-time-code', tenantId: 'acme', payload: { phone: canary, code: '123456' } });
    const [row] = await ds.query<{ status: string; payload: unknown }[]>('SELECT status, payload FROM notifications.outbox WHERE id = $1', [id]);
    expect(row).toEqual({ status: 'delivered', payload: null });
    expect(await dispatcher.dispatchDue()).toEqual({ delivered: 0, retried: 0, dead: 0, erased: 0 });
  });

  it('two dispatchers (two worker processes) share the outbox: each message goes out once, by one of them', async () => {
    received.length = 0;
    const port = (server.address() as AddressInfo).port;
    const worker = (): WebhookDispatcher =>
      new WebhookDispatcher({
        dataSource: ds,
        outbox,
        deployment: { endpoint: `http://127.0.0.1:${String(port)}/hooks`, secret },
        clock,
        logger: { info: () => undefined, warn: (o) => warnings.push(o) },
        batchSize: 5,
      });
    const [a, b] = [worker(), worker()];
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => enqueue(uuidv7(), { code: String(i).padStart(6, '0') })));
    let byA = 0;
    let byB = 0;
    for (let round = 0; round < 20 && byA + byB < 40; round++) {
      const [ra, rb] = await Promise.all([a.dispatchDue(), b.dispatchDue()]);
      byA += ra.delivered;
      byB += rb.delivered;
    }
    const deliveries = received.map((r) => r.headers['attest-delivery']);
    expect(new Set(deliveries).size).toBe(deliveries.length);
    expect(new Set(deliveries)).toEqual(new Set(ids));
    expect(byA + byB).toBe(40);
    // Not vacuous: both took part.
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
  });

  it('retries with backoff, then dead-letters; an operator re-queues a dead letter', async () => {
    received.length = 0;
    failNext = 3;
    const id = await enqueue(uuidv7(), { email: 'x@example.com' });
    expect((await dispatcher.dispatchDue()).retried).toBe(1);
    // Not due again before the backoff has passed.
    expect((await dispatcher.dispatchDue()).retried).toBe(0);
    clock.advance(1_000);
    expect((await dispatcher.dispatchDue()).retried).toBe(1);
    clock.advance(2_000);
    expect((await dispatcher.dispatchDue()).dead).toBe(1);
    expect(warnings).toEqual([expect.objectContaining({ notificationId: id, error: 'HTTP 503' })]);

    const reader = new OutboxReader(ds);
    const dead = await reader.list({ status: 'dead', limit: 10 });
    expect(dead.map((d) => [d.id, d.attempts, d.lastError])).toEqual([[id, 3, 'HTTP 503']]);
    expect(await reader.retry(id ?? '', clock.now())).toBe(true);
    expect(await reader.retry(id ?? '', clock.now())).toBe(false);
    expect((await dispatcher.dispatchDue()).delivered).toBe(1);
    expect(received).toHaveLength(1);
  });

  it('never sends a message about a subject erased before delivery', async () => {
    received.length = 0;
    const subject = uuidv7();
    await enqueue(subject, { phone: '+8613900000000' });
    await vault.erase(subject, 'test');
    expect(await dispatcher.dispatchDue()).toEqual({ delivered: 0, retried: 0, dead: 0, erased: 1 });
    expect(received).toHaveLength(0);
  });

  it('receivers refuse tampered, stale and malformed signatures', () => {
    const body = '{"a":1}';
    const now = 1_800_000_000;
    const header = signWebhook(secret, body, now);
    expect(verifyWebhookSignature(secret, header, body, now + 299)).toEqual({ valid: true });
    expect(verifyWebhookSignature(secret, header, body, now + 301)).toEqual({ valid: false, reason: 'stale' });
    expect(verifyWebhookSignature(secret, header, '{"a":2}', now)).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifyWebhookSignature('other', header, body, now)).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(secret, 'v1=abc', body, now)).toEqual({ valid: false, reason: 'malformed' });
    expect(verifyWebhookSignature(secret, undefined, body, now)).toEqual({ valid: false, reason: 'malformed' });
  });
});
