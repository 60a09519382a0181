/**
 * npm run bench:access-export — the access export (D1) of a subject with
 * BENCH_EVENTS events (default 10,000), through the real HTTP API on a real
 * PostgreSQL: the subject's consent history of grants and withdrawals, its
 * follow-ups and the processing records they produced. Baselines in the same
 * run: a raw read of the subject's event streams and processing records
 * (`exportToRawRatio`, target ≤ 3.5), and the same read with the events through
 * the store every context reads, personal fields decrypted and old types upcast
 * (`exportToDecryptedReadRatio`: what the export costs beyond what it cannot do
 * without). Target: under 2 s. Table, then JSON on the last line.
 *
 *   BENCH_EVENTS (default 10000)  BENCH_RUNS (default 5)
 *   BENCH_PROFILE=file.cpuprofile: a CPU profile of the process (server and client) during the second export
 */
import 'reflect-metadata';
import { CommandBus } from '@nestjs/cqrs';
import pg from 'pg';
import { RunPurposeCommand } from '@attest/consent-application';
import { RunCustomerCommand } from '@attest/customers-application';
import { NO_STREAM, readWholeStream, type NewEvent } from '@attest/event-store';
import { uuidv7 } from '@attest/kernel';
import { createLogger, createMetricsRegistry } from '@attest/observability';
import { ProjectionMetrics } from '@attest/projections';
import { issueApiKeyFromConsole, startProjectionWorkers } from '@attest/runtime';
import { createApp } from '../../apps/api/src/app';
import { INLINE_PROJECTIONS } from '../../apps/api/src/app.module';
import { infrastructureDependencies } from '../../apps/api/src/infrastructure-dependencies';
import { benchInfrastructure, benchDatabase, percentile, report, runBench, startProfile } from './support';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 10_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const TENANT = 'bench';
const say = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

async function main(): Promise<void> {
  const db = await benchDatabase();
  const logger = createLogger({ level: 'silent' });
  try {
    const infra = await benchInfrastructure(db.url, logger);
    try {
      await infra.migrate();
      const appDataSource = await infra.connectApp();
      const registry = createMetricsRegistry({ defaultMetrics: false });
      const runners = startProjectionWorkers(infra, logger, { metrics: new ProjectionMetrics(registry), inline: INLINE_PROJECTIONS });
      const app = await createApp({
        ...infrastructureDependencies(infra, appDataSource),
        registry,
        runners,
        logger,
        oidc: null,
        rateLimitPerMinute: 10_000_000,
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = await app.getUrl();
      const key = (await issueApiKeyFromConsole(infra, TENANT, ['org-admin', 'dsr-handler', 'service'], 'bench', 1)).key;
      const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, text: await res.text() };
      };

      // Seed one subject through the real command handlers: profile, follow-ups, then consent grants and withdrawals.
      const bus = app.get(CommandBus);
      const context = (): { tenantId: string; actor: string; correlationId: string; commandId: string } => ({
        tenantId: TENANT,
        actor: 'system:bench',
        correlationId: uuidv7(),
        commandId: uuidv7(),
      });
      await bus.execute(
        new RunPurposeCommand(context(), {
          kind: 'DefinePurpose',
          purposeKey: 'newsletter',
          terms: {
            name: 'Newsletter',
            description: 'news',
            legalBasis: 'consent',
            method: 'bulk-email',
            dataCategories: ['contact'],
            channels: ['email', 'sms'],
            retentionDays: 365,
            noticeVersion: 'n-1',
          },
        }),
      );
      const customerId = uuidv7();
      await bus.execute(
        new RunCustomerCommand(context(), {
          kind: 'CreateCustomer',
          customerId,
          profile: { name: 'Bench Subject', email: 'bench.subject@example.org' },
          tags: [],
        }),
      );
      const followUps = Math.min(100, Math.floor(EVENTS / 100));
      for (let i = 0; i < followUps; i++) {
        await bus.execute(
          new RunCustomerCommand(context(), {
            kind: 'RecordFollowUp',
            customerId,
            followUpId: uuidv7(),
            channel: 'phone',
            note: `Call number ${String(i)}`,
            dueOn: null,
          }),
        );
      }
      // The consent history is appended in batches straight to the (encrypting) store: one
      // command per event would re-read the growing stream each time. How the events were
      // written is not what is measured; the projections then build the read models and the
      // processing record from them as from any other events.
      say(`seeding ${EVENTS} events of one subject`);
      const seedStarted = performance.now();
      const first = 1 + followUps;
      let consentId = uuidv7();
      const batch: NewEvent[] = [];
      const metadata = (): NewEvent['metadata'] => ({
        tenantId: TENANT,
        actor: 'system:bench',
        correlationId: uuidv7(),
        causationId: null,
        commandId: uuidv7(),
        occurredAt: new Date().toISOString(),
      });
      for (let i = first; i < EVENTS; i++) {
        // Pairs on alternating channels: grant, then withdraw the same consent.
        const step = i - first;
        const channel = Math.floor(step / 2) % 2 === 0 ? 'email' : 'sms';
        const common = { tenantId: TENANT, customerId, receiptId: uuidv7(), purposeKey: 'newsletter', channel, scope: 'general' };
        if (step % 2 === 0) {
          consentId = uuidv7();
          batch.push({
            id: uuidv7(),
            type: 'ConsentGranted.v2',
            data: {
              ...common,
              consentId,
              purposeVersion: 1,
              thirdParty: null,
              crossBorder: null,
              guardianName: null,
              guardianRelationship: null,
              evidence: { noticeVersion: 'n-1', method: 'checkbox', source: 'bench', collector: 'system:bench', collectedAt: new Date().toISOString() },
            },
            metadata: metadata(),
          });
        } else {
          batch.push({ id: uuidv7(), type: 'ConsentWithdrawn.v1', data: { ...common, consentId, method: 'link', source: 'bench' }, metadata: metadata() });
        }
      }
      for (let i = 0; i < batch.length; i += 500) {
        await infra.store.appendToStream(`consent-${customerId}`, batch.slice(i, i + 500), { expectedRevision: i === 0 ? NO_STREAM : i - 1 });
      }
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      for (const r of runners) await r.catchUp();
      await infra.recordLog.drain();
      await infra.dataSource.query('VACUUM ANALYZE');

      // The request, verified by the handler, started and carried out (the first export).
      const received = await call('POST', '/v1/data-subject-requests', {
        customerId,
        type: 'access',
        channel: 'web',
        requester: { relation: 'self', contact: { email: 'bench.subject@example.org' } },
      });
      const requestId = (JSON.parse(received.text) as { requestId: string }).requestId;
      await call('POST', `/v1/data-subject-requests/${requestId}/identity-checks`, { note: 'bench' });
      await call('POST', `/v1/data-subject-requests/${requestId}/start`);
      const executed = await call('POST', `/v1/data-subject-requests/${requestId}/execution`, {});
      if (executed.status !== 200) throw new Error(`execution failed: ${executed.text}`);

      const raw = new pg.Pool({ connectionString: db.url, max: 2 });
      const times: number[] = [];
      const rawTimes: number[] = [];
      const decryptedTimes: number[] = [];
      let bytes = 0;
      let counts = { consents: 0, processing: 0 };
      for (let run = 0; run < RUNS; run++) {
        const profiler = run === 1 && process.env['BENCH_PROFILE'] ? await startProfile() : null;
        let t = performance.now();
        const res = await call('GET', `/v1/data-subject-requests/${requestId}/export`);
        times.push(performance.now() - t);
        if (profiler) await profiler.stop(process.env['BENCH_PROFILE'] ?? '');
        if (res.status !== 200) throw new Error(`export failed: ${res.text.slice(0, 300)}`);
        bytes = Buffer.byteLength(res.text);
        const made = JSON.parse(res.text) as { consents: unknown[]; processing: unknown[] };
        counts = { consents: made.consents.length, processing: made.processing.length };
        t = performance.now();
        await raw.query(`SELECT data, metadata FROM event_store.events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_position`, [
          [`customer-${customerId}`, `consent-${customerId}`],
        ]);
        await raw.query(
          `SELECT body FROM processing.records WHERE tenant_id = $1 AND subject = (SELECT subject FROM processing.records WHERE tenant_id = $1 AND kind = 'collect' AND subject IS NOT NULL LIMIT 1) ORDER BY at DESC`,
          [TENANT],
        );
        rawTimes.push(performance.now() - t);
        // What no export can do without: the same rows read through the store every context reads
        // (personal fields decrypted under the subject's key, old event types upcast), the records as stored.
        t = performance.now();
        await Promise.all([readWholeStream(infra.store, `customer-${customerId}`), readWholeStream(infra.store, `consent-${customerId}`)]);
        await raw.query(
          `SELECT body FROM processing.records WHERE tenant_id = $1 AND subject = (SELECT subject FROM processing.records WHERE tenant_id = $1 AND kind = 'collect' AND subject IS NOT NULL LIMIT 1) ORDER BY at DESC`,
          [TENANT],
        );
        decryptedTimes.push(performance.now() - t);
      }
      await raw.end();
      times.sort((a, b) => a - b);
      rawTimes.sort((a, b) => a - b);
      decryptedTimes.sort((a, b) => a - b);
      const events = Number(
        (
          await infra.dataSource.query<{ n: string }[]>(`SELECT count(*)::text AS n FROM event_store.events WHERE stream_id = ANY($1::text[])`, [
            [`customer-${customerId}`, `consent-${customerId}`],
          ])
        )[0]?.n,
      );
      await app.close();
      await Promise.all(runners.map((r) => r.stop()));

      const r1 = (n: number): number => Number(n.toFixed(1));
      const result = {
        subjectEvents: events,
        consentReceipts: counts.consents,
        processingRecords: counts.processing,
        exportBytes: bytes,
        exportMedianMs: r1(percentile(times, 50)),
        exportMaxMs: r1(times.at(-1) ?? Number.NaN),
        rawReadMedianMs: r1(percentile(rawTimes, 50)),
        decryptedReadMedianMs: r1(percentile(decryptedTimes, 50)),
        exportToRawRatio: Number((percentile(times, 50) / percentile(rawTimes, 50)).toFixed(2)),
        exportToDecryptedReadRatio: Number((percentile(times, 50) / percentile(decryptedTimes, 50)).toFixed(2)),
        runs: RUNS,
        seedSeconds: r1(seedSeconds),
        targetMs: 2000,
      };
      report(
        ['measure', 'value'],
        [
          ['subject events', String(result.subjectEvents)],
          ['export median / max (ms)', `${String(result.exportMedianMs)} / ${String(result.exportMaxMs)}`],
          ['raw read median (ms)', String(result.rawReadMedianMs)],
          ['the same read decrypted and upcast, median (ms)', String(result.decryptedReadMedianMs)],
          ['export / raw read; export / decrypted read', `${String(result.exportToRawRatio)}; ${String(result.exportToDecryptedReadRatio)}`],
          ['export size (bytes)', String(result.exportBytes)],
        ],
        result,
      );
    } finally {
      await infra.stop();
    }
  } finally {
    await db.stop();
  }
}

runBench(main);
