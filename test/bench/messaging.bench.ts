/**
 * npm run bench:messaging — WhatsApp group sends (P7, K8; ADR 0015) through the real HTTP API on a
 * real PostgreSQL, against the local Cloud API stand-in over real HTTP. Three measures:
 *
 * 1. A group send of BENCH_RECIPIENTS (10,000) customers, a third of them without consent: the
 *    time of `POST /v1/whatsapp/campaigns/{id}/start` — every recipient decided by the consent
 *    context (recorded), the tenant's rules applied, numbers opened, content sealed, the outbox
 *    written — until all are queued (`group10kQueuedMs`, target < 3 s). Its baseline, in
 *    alternating rounds of the same run: the bulk decision API on the same 10,000 (`POST
 *    /v1/decisions/bulk`, the part of the gate no send can skip).
 * 2. Dispatch at a configured 80 messages/s: the rate the stand-in received over
 *    BENCH_DISPATCH_SECONDS, against the configured one (`dispatchRateErrorPct`, target within 5 %).
 *
 * 3. Webhook intake: signed status callbacks, one status per POST, offered at BENCH_WEBHOOK_RATE by a
 *    load client in its own process (open loop): the rate answered 200 (`webhooksPerSec`, target
 *    ≥ 2,000) and its p99; the baseline is the same POSTs wrongly signed (refused after the number's
 *    secret is found and the HMAC checked).
 *
 *   BENCH_PROFILE=file.cpuprofile: a CPU profile of the server process while the signed webhooks come in.
 *   BENCH_RECIPIENTS (10000)  BENCH_ROUNDS (5)  BENCH_DISPATCH_SECONDS (20)  BENCH_WEBHOOKS (6000)  BENCH_WEBHOOK_RATE (2500)
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { ChangeConsentCommand, RunPurposeCommand } from '@attest/consent-application';
import { RunCustomerCommand } from '@attest/customers-application';
import { uuidv7 } from '@attest/kernel';
import { signatureOf, WhatsAppDispatcher } from '@attest/messaging-infrastructure';
import { CloudApiSimulator } from '@attest/messaging-simulator';
import { createLogger, createMetricsRegistry } from '@attest/observability';
import { issueApiKeyFromConsole } from '@attest/runtime';
import { createApp } from '../../apps/api/src/app';
import { infrastructureDependencies } from '../../apps/api/src/infrastructure-dependencies';
import type { LoadResult } from './load-client';
import { benchInfrastructure, benchDatabase, percentile, report, runBench, startProfile } from './support';

/** The load client of bench:decisions, forked: an open loop of POSTs at a fixed rate. */
function remoteLoad(job: { port: number; key: string; rate: number; seconds: number; path: string; bodies: string[]; headers: string[] }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'load-client.ts'), [], { execArgv: ['-r', '@swc-node/register'] });
    child.once('message', (m) => {
      resolve(m as LoadResult);
    });
    child.once('error', reject);
    child.send(job);
  });
}

const RECIPIENTS = Number(process.env['BENCH_RECIPIENTS'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const DISPATCH_SECONDS = Number(process.env['BENCH_DISPATCH_SECONDS'] ?? 20);
const WEBHOOKS = Number(process.env['BENCH_WEBHOOKS'] ?? 6_000);
const WEBHOOK_RATE = Number(process.env['BENCH_WEBHOOK_RATE'] ?? 2_500);
const RATE = 80;
const TENANT = 'bench';
const PHONE_NUMBER_ID = '100000000000001';
const WABA = '200000000000001';
const SECRETS = { accessToken: 'bench-access-token', appSecret: 'bench-app-secret', verifyToken: 'bench-verify-token' };
const TEMPLATE_ID = '1000000000000001';

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));
const median = (xs: readonly number[]): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const spread = (xs: readonly number[]): [number, number] => [round(Math.min(...xs)), round(Math.max(...xs))];

function request(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  body: string | null,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent,
        headers: { ...(body !== null ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const logger = createLogger({ level: 'silent' });
  let simulator: CloudApiSimulator | null = null;
  try {
    const infra = await benchInfrastructure(db.url, logger);
    try {
      await infra.migrate();
      const appDataSource = await infra.connectApp();
      const app = await createApp({
        ...infrastructureDependencies(infra, appDataSource),
        registry: createMetricsRegistry({ defaultMetrics: false }),
        runners: [],
        logger,
        oidc: null,
        rateLimitPerMinute: 10_000_000,
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = await app.getUrl();
      const port = Number(new URL(base).port);
      const key = (await issueApiKeyFromConsole(infra, TENANT, ['org-admin', 'service'], 'bench', 1)).key;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
        const res = await request(agent, port, method, path, body === undefined ? null : JSON.stringify(body), { authorization: `Bearer ${key}` });
        if (res.status >= 300) throw new Error(`${method} ${path}: ${String(res.status)} ${res.text.slice(0, 300)}`);
        return res.text ? (JSON.parse(res.text) as unknown) : null;
      };

      // Seed: a consent purpose on whatsapp, RECIPIENTS customers with numbers; two in three consent (and to Meta as the provider).
      const bus = app.get(CommandBus);
      const context = () => ({ tenantId: TENANT, actor: 'system:bench', correlationId: uuidv7(), commandId: uuidv7() });
      await bus.execute(
        new RunPurposeCommand(context(), {
          kind: 'DefinePurpose',
          purposeKey: 'offers',
          terms: {
            name: 'Offers',
            description: 'offers by WhatsApp',
            legalBasis: 'consent',
            method: 'whatsapp-template',
            dataCategories: ['contact'],
            channels: ['whatsapp'],
            retentionDays: 365,
            noticeVersion: 'n-1',
          },
        }),
      );
      const ids = Array.from({ length: RECIPIENTS }, () => uuidv7());
      const evidence = { noticeVersion: 'n-1', method: 'checkbox', source: 'bench', collector: 'system:bench', collectedAt: new Date().toISOString() };
      let next = 0;
      const seedStarted = performance.now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let i = next++; i < RECIPIENTS; i = next++) {
            const customerId = ids[i] ?? '';
            await bus.execute(
              new RunCustomerCommand(context(), {
                kind: 'CreateCustomer',
                customerId,
                profile: { name: `Customer ${String(i)}`, phone: `+8613${String(100_000_000 + i)}` },
                tags: [],
              }),
            );
            if (i % 3 === 0) continue;
            for (const scope of ['general', 'third-party'] as const) {
              await bus.execute(
                new ChangeConsentCommand(context(), customerId, {
                  action: 'grant',
                  purposeKey: 'offers',
                  channel: 'whatsapp',
                  scope,
                  thirdParty: scope === 'third-party' ? { name: 'Meta Platforms' } : null,
                  crossBorder: null,
                  guardian: null,
                  evidence,
                }),
              );
            }
          }
        }),
      );
      const seedSeconds = (performance.now() - seedStarted) / 1000;

      const binding = (
        (await call('POST', '/v1/organization/channels', { channel: 'whatsapp-business', externalAccountId: '+8613900000000' })) as { id: string }
      ).id;
      simulator = new CloudApiSimulator({
        numbers: [
          {
            phoneNumberId: PHONE_NUMBER_ID,
            displayPhoneNumber: '+86 139 0000 0000',
            businessAccountId: WABA,
            ...SECRETS,
            callbackUrl: `${base}/v1/whatsapp/webhooks/${binding}`,
          },
        ],
        templates: [{ id: TEMPLATE_ID, name: 'december_offer', language: 'en', category: 'MARKETING', body: 'Hello, {{1}} off this week' }],
        throughputPerSecond: RATE,
        read: false,
      });
      await simulator.start();
      await call('PUT', `/v1/whatsapp/numbers/${binding}`, {
        baseUrl: simulator.url(),
        version: 'v23.0',
        phoneNumberId: PHONE_NUMBER_ID,
        businessAccountId: WABA,
        ratePerSecond: RATE,
        ...SECRETS,
      });
      await call('POST', `/v1/whatsapp/numbers/${binding}/templates/sync`);
      await call('PUT', `/v1/whatsapp/numbers/${binding}/templates/${TEMPLATE_ID}/purpose`, { purposeKey: 'offers' });
      await call('PUT', '/v1/whatsapp/settings', {
        marketingCap: null,
        frequencyWindowDays: 7,
        quietHours: null,
        defaultZone: 'UTC',
        stopKeywords: {},
        thirdParty: 'Meta Platforms',
        transferCountry: null,
        logRetentionDays: 400,
      });
      const createCampaign = async (name: string, customerIds: readonly string[]): Promise<string> =>
        (
          (await call('POST', '/v1/whatsapp/campaigns', { name, bindingId: binding, templateId: TEMPLATE_ID, parameters: ['20%'], customerIds })) as {
            campaignId: string;
          }
        ).campaignId;

      // 1. Gate and queue 10,000, alternating with the bulk decision on the same recipients.
      const bulkMs: number[] = [];
      const startMs: number[] = [];
      let queuedPerRound = 0;
      let blockedPerRound = 0;
      const timeIt = async (work: () => Promise<unknown>): Promise<number> => {
        const t0 = performance.now();
        await work();
        return performance.now() - t0;
      };
      for (let r = 0; r <= ROUNDS; r++) {
        const campaignId = await createCampaign(`round ${String(r)}`, ids);
        const bulk = await timeIt(() =>
          call('POST', '/v1/decisions/bulk', {
            customerIds: ids,
            purpose: 'offers',
            channel: 'whatsapp',
            dataCategories: ['contact'],
            thirdParty: 'Meta Platforms',
          }),
        );
        let started: { queued: number; blocked: Record<string, number> } = { queued: 0, blocked: {} };
        const start = await timeIt(async () => {
          started = (await call('POST', `/v1/whatsapp/campaigns/${campaignId}/start`)) as typeof started;
        });
        // The dispatcher is not running: cancel, so the next round and the dispatch measure start from an empty queue.
        await call('POST', `/v1/whatsapp/campaigns/${campaignId}/cancel`, {});
        if (r === 0) continue; // warm-up
        bulkMs.push(bulk);
        startMs.push(start);
        queuedPerRound = started.queued;
        blockedPerRound = Object.values(started.blocked).reduce((a, b) => a + b, 0);
      }

      // 2. Dispatch at 80/s: the stand-in's clock of accepted sends, over the middle of the run.
      const dispatchIds = ids.filter((_, i) => i % 3 !== 0).slice(0, Math.ceil(RATE * (DISPATCH_SECONDS + 4)));
      const dispatchCampaign = await createCampaign('dispatch', dispatchIds);
      await call('POST', `/v1/whatsapp/campaigns/${dispatchCampaign}/start`);
      const before = simulator.messages().length;
      const dispatcher = app.get(WhatsAppDispatcher, { strict: false });
      dispatcher.start();
      await new Promise((r) => setTimeout(r, (DISPATCH_SECONDS + 2) * 1000));
      await dispatcher.stop();
      const accepted = simulator
        .messages()
        .slice(before)
        .map((m) => m.acceptedAt);
      // Skip the first and last second: the lease's first tick and the stop are not the steady rate.
      const from = (accepted[0] ?? 0) + 1000;
      const to = from + DISPATCH_SECONDS * 1000 - 2000;
      const inWindow = accepted.filter((t) => t >= from && t < to).length;
      const achievedRate = inWindow / ((to - from) / 1000);
      const dispatchRateErrorPct = (Math.abs(achievedRate - RATE) / RATE) * 100;
      const throttled = await infra.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM messaging.messages WHERE error_code = 130429`);
      await call('POST', `/v1/whatsapp/campaigns/${dispatchCampaign}/cancel`, {});
      await simulator.settled(30_000);

      // 3. Webhook intake: one signed status per POST for the queued messages of a campaign (the dispatcher is
      //    stopped: Meta's answer would be the only news of them); baseline the same POSTs wrongly signed.
      const intakeCampaign = await createCampaign('intake', ids);
      await call('POST', `/v1/whatsapp/campaigns/${intakeCampaign}/start`);
      const rows = await infra.dataSource.query<{ message_id: string }[]>(
        `SELECT message_id FROM messaging.messages WHERE campaign_id = $1 AND state = 'queued' ORDER BY message_id LIMIT $2`,
        [intakeCampaign, WEBHOOKS],
      );
      const bodies = rows.map((r, i) =>
        JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [
            {
              id: WABA,
              changes: [
                {
                  field: 'messages',
                  value: {
                    messaging_product: 'whatsapp',
                    metadata: { display_phone_number: '8613900000000', phone_number_id: PHONE_NUMBER_ID },
                    statuses: [
                      {
                        id: `wamid.bench${String(i)}`,
                        status: 'sent',
                        timestamp: String(Math.floor(Date.now() / 1000)),
                        recipient_id: '8613100000000',
                        biz_opaque_callback_data: r.message_id,
                      },
                    ],
                  },
                },
              ],
            },
          ],
        }),
      );
      // Fired by a load client in a process of its own (the server's event loop is not shared), open loop at WEBHOOK_RATE.
      const fire = (signed: boolean): Promise<LoadResult> =>
        remoteLoad({
          port,
          key: '',
          rate: WEBHOOK_RATE,
          seconds: bodies.length / WEBHOOK_RATE,
          path: `/v1/whatsapp/webhooks/${binding}`,
          bodies,
          headers: bodies.map((raw) => `x-hub-signature-256: ${signatureOf(raw, signed ? SECRETS.appSecret : 'wrong-secret')}`),
        });
      const refused = await fire(false);
      const profile = process.env['BENCH_PROFILE'] ? await startProfile() : null;
      const intake = await fire(true);
      await profile?.stop(process.env['BENCH_PROFILE'] ?? '');
      const applied = await infra.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM messaging.messages WHERE campaign_id = $1 AND state = 'sent'`, [
        intakeCampaign,
      ]);

      const group10kQueuedMs = round(median(startMs), 0);
      report(
        ['measure', 'median', 'spread', 'target'],
        [
          [`start: gate and queue ${String(RECIPIENTS)} (ms)`, String(group10kQueuedMs), JSON.stringify(spread(startMs)), '< 3000'],
          [`baseline: bulk decision of ${String(RECIPIENTS)} (ms)`, String(round(median(bulkMs), 0)), JSON.stringify(spread(bulkMs)), ''],
          ['queued / blocked per round', `${String(queuedPerRound)} / ${String(blockedPerRound)}`, '', ''],
          [`dispatch rate at ${String(RATE)}/s (msg/s)`, String(round(achievedRate, 2)), `error ${String(round(dispatchRateErrorPct, 2))} %`, 'within 5 %'],
          [
            `webhook intake at ${String(WEBHOOK_RATE)}/s offered (POST/s)`,
            String(round(intake.perSec, 0)),
            `p50 ${String(round(percentile(intake.latencies, 50)))} p99 ${String(round(percentile(intake.latencies, 99)))} ms, ${String(intake.errors)} errors`,
            '>= 2000',
          ],
          [
            'baseline: the same, wrongly signed (POST/s answered 401)',
            String(round(refused.perSec + refused.errors / (bodies.length / WEBHOOK_RATE), 0)),
            `${String(refused.errors)} refused`,
            '',
          ],
        ],
        {
          group10kQueuedMs,
          group10kQueuedSpreadMs: spread(startMs),
          bulkDecision10kMs: round(median(bulkMs), 0),
          startToBulkRatio: round(median(startMs) / median(bulkMs), 2),
          queued: queuedPerRound,
          blocked: blockedPerRound,
          dispatchRatePerSec: round(achievedRate, 2),
          dispatchRateErrorPct: round(dispatchRateErrorPct, 2),
          throttled130429: Number(throttled[0]?.n ?? 0),
          webhooksPerSec: round(intake.perSec, 0),
          webhooksOfferedPerSec: WEBHOOK_RATE,
          webhookP99Ms: round(percentile(intake.latencies, 99)),
          webhookErrors: intake.errors,
          webhooksApplied: Number(applied[0]?.n ?? 0),
          rounds: ROUNDS,
          recipients: RECIPIENTS,
          seedSeconds: round(seedSeconds),
        },
      );
      agent.destroy();
      await app.close();
    } finally {
      await infra.stop();
    }
  } finally {
    await simulator?.stop();
    await db.stop();
  }
}

runBench(main);
