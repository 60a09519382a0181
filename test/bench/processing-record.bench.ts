/**
 * npm run bench:processing-record — the processing record (P2) on a real
 * PostgreSQL, against raw SQL on the same server in the same run. Prints a
 * table, then one JSON line (last line).
 *
 *  1. Query corpus: QUERY_RECORDS records of one tenant, seeded by SQL (how
 *     they got there is not measured), so that every later phase runs against
 *     a table of that size.
 *  2. Appends into one tenant log, batched, by WRITERS concurrent writers
 *     through `PostgresRecordLog.append` (row lock, dedupe, tree extension,
 *     subtrees); baseline: the same rows inserted by raw SQL into a copy of
 *     the table (same indexes) with no log, no lock and no tree.
 *  3. Full verification of a VERIFY_RECORDS-entry log (`verifyTenantLog`:
 *     every body decoded and re-hashed, the tree recomputed, checkpoints
 *     checked; entries checked on its checker threads); baseline: a raw read
 *     of the same rows plus SHA-256 of each body on one thread. They alternate
 *     for VERIFY_ROUNDS rounds (V R, R V, ...); the medians and the median of
 *     the rounds' ratios are reported, with the verifier's CPU seconds (every
 *     thread) beside its wall-clock ones.
 *  4. Compliance-officer query by subject (newest 50, as the API pages),
 *     through the request-serving role with row-level security and decoding;
 *     baseline: the same SQL on a plain connection.
 *
 *   BENCH_SECONDS (default 10)           BENCH_WRITERS (default 4)   BENCH_BATCH (default 500)
 *   BENCH_VERIFY_RECORDS (1,000,000)     BENCH_QUERY_RECORDS (10,000,000)
 *   BENCH_SUBJECTS (100,000)             BENCH_QUERIES (2,000)
 *   BENCH_VERIFY_ROUNDS (3)              BENCH_VERIFY_WORKERS (the verifier's default; 0: one thread)
 *   BENCH_DATABASE_URL    use this server instead of a fresh embedded one
 *   BENCH_PROFILE=file.cpuprofile: a CPU profile of the first verification (main thread)
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { APP_ROLE, createDataSource, platformMigrations, runMigrations } from '@attest/database';
import { uuidv7 } from '@attest/kernel';
import { bodyOf, encodeRecord, type RecordDraft } from '@attest/processing-domain';
import { EntryCheckers, PostgresRecordLog, processingMigrations, verifyTenantLog } from '@attest/processing-infrastructure';
import { generateSignerKey, leafHash, parseSignerKey } from '@attest/transparency';
import { benchDatabase, startProfile, percentile, report, runBench, timed } from './support';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 4);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 500);
const VERIFY_RECORDS = Number(process.env['BENCH_VERIFY_RECORDS'] ?? 1_000_000);
const QUERY_RECORDS = Number(process.env['BENCH_QUERY_RECORDS'] ?? 10_000_000);
const SUBJECTS = Number(process.env['BENCH_SUBJECTS'] ?? 100_000);
const QUERIES = Number(process.env['BENCH_QUERIES'] ?? 2_000);
const ROUNDS = 3;
const VERIFY_ROUNDS = Number(process.env['BENCH_VERIFY_ROUNDS'] ?? 3);
const VERIFY_WORKERS = process.env['BENCH_VERIFY_WORKERS'] === undefined ? null : Number(process.env['BENCH_VERIFY_WORKERS']);
const ORIGIN = 'attest.bench/processing-record';

const say = (s: string): void => {
  process.stderr.write(`${s}\n`);
};
const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;

const subjectOf = (n: number): string => `psn_${createHash('sha256').update(`bench-subject-${n}`).digest('base64url').slice(0, 22)}`;

function draft(tenantId: string, n: number): RecordDraft {
  return {
    tenantId,
    sourceId: uuidv7(),
    kind: n % 5 === 0 ? 'decision' : 'read',
    categories: ['contact', 'usage'],
    purpose: 'newsletter',
    method: 'api',
    measures: ['per-subject-encryption', 'access-control', 'tls'],
    legalBasis: 'consent',
    actor: `apikey:bench-${n % 16}`,
    subject: subjectOf(n % SUBJECTS),
    at: new Date().toISOString(),
    eventId: uuidv7(),
    commandId: null,
    correlationId: uuidv7(),
    channel: 'email',
    outcome: n % 5 === 0 ? 'allow' : null,
    reasons: [],
    consents: [],
  };
}

/**
 * The query corpus: `total` canonical v1 records of one tenant, built in SQL
 * (bodies byte-identical to `encodeRecord`, leaf hashes by `sha256`), the
 * secondary indexes dropped for the load and rebuilt as the migration made them.
 */
async function seedCorpus(pool: pg.Pool, tenantId: string, total: number): Promise<void> {
  const { rows: defs } = await pool.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes i
     WHERE schemaname = 'processing' AND tablename = 'records'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const d of defs) await pool.query(`DROP INDEX processing.${d.name}`);
  const perTx = 500_000;
  const subjects = Array.from({ length: SUBJECTS }, (_, n) => subjectOf(n));
  await pool.query(`CREATE TABLE IF NOT EXISTS public.bench_subjects (n int PRIMARY KEY, s text NOT NULL)`);
  await pool.query(`INSERT INTO public.bench_subjects SELECT * FROM unnest($1::int[], $2::text[])`, [subjects.map((_, n) => n), subjects]);
  const start = Date.UTC(2024, 0, 1);
  for (let done = 0; done < total; done += perTx) {
    const n = Math.min(perTx, total - done);
    await pool.query(
      `WITH g AS (
         SELECT g AS i, s.s AS subject,
                to_char(to_timestamp($3::double precision / 1000 + g * 6) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
                gen_random_uuid()::text AS event_id
         FROM generate_series($1::bigint, $2::bigint) AS g
         JOIN public.bench_subjects s ON s.n = (hashint8(g) & 2147483647) % $5
       ), b AS (
         SELECT i, subject, at, event_id,
                '{"actor":"apikey:bench-' || (i % 16) || '","at":"' || at || '","categories":["contact","usage"],"channel":"email","commandId":null,'
                || '"correlationId":"' || event_id || '","eventId":"' || event_id || '","index":' || i || ',"kind":"read","legalBasis":"consent",'
                || '"measures":["per-subject-encryption","access-control","tls"],"method":"api","outcome":null,"purpose":"newsletter","reasons":[],'
                || '"subject":"' || subject || '","tenant":"' || $4 || '","v":1}' AS body
         FROM g
       )
       INSERT INTO processing.records (tenant_id, idx, leaf_hash, body, source_id, kind, subject, purpose, actor, channel, at)
       SELECT $4, i, sha256('\\x00'::bytea || convert_to(body, 'UTF8')), body, event_id, 'read', subject, 'newsletter', 'apikey:bench-' || (i % 16), 'email', at::timestamptz
       FROM b`,
      [done, done + n - 1, start, tenantId, SUBJECTS],
    );
    say(`  seeded ${done + n} / ${total}`);
  }
  await pool.query(`INSERT INTO processing.logs (tenant_id, size) VALUES ($1, $2)`, [tenantId, total]);
  for (const d of defs) {
    const t = process.hrtime.bigint();
    await pool.query(d.def);
    say(`  rebuilt ${d.name} in ${seconds(t).toFixed(1)}s`);
  }
  await pool.query(`VACUUM ANALYZE processing.records`);
}

const RAW_INSERT = `INSERT INTO bench_raw.records (tenant_id, idx, leaf_hash, body, source_id, kind, subject, purpose, actor, channel, outcome, at)
  SELECT $1, nextval('bench_raw.idx'), u.leaf, u.body, u.source, u.kind, u.subject, u.purpose, u.actor, u.channel, u.outcome, u.at
  FROM unnest($2::bytea[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
    AS u(leaf, body, source, kind, subject, purpose, actor, channel, outcome, at)`;

/** The raw baseline's rows: the same encoding and leaf hash, no position in any tree. */
function rawValues(tenantId: string, drafts: readonly RecordDraft[]): unknown[] {
  const bodies = drafts.map((d, i) => encodeRecord(bodyOf(d, i)));
  return [
    tenantId,
    bodies.map((b) => leafHash(Buffer.from(b, 'utf8'))),
    bodies,
    drafts.map((d) => d.sourceId),
    drafts.map((d) => d.kind),
    drafts.map((d) => d.subject),
    drafts.map((d) => d.purpose),
    drafts.map((d) => d.actor),
    drafts.map((d) => d.channel),
    drafts.map((d) => d.outcome),
    drafts.map((d) => d.at),
  ];
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const url = db.url;
  const owner = createDataSource({ url, migrations: [...platformMigrations, ...processingMigrations], poolSize: WRITERS + 2 });
  await owner.initialize();
  await runMigrations(owner);
  const app: DataSource = createDataSource({ url, migrations: [], role: APP_ROLE, poolSize: 2 });
  await app.initialize();
  const raw = new pg.Pool({ connectionString: url, max: WRITERS + 2 });
  raw.on('error', () => undefined); // connections closed by the server's shutdown
  await raw.query(`ALTER SYSTEM SET max_wal_size = '8GB'`);
  await raw.query(`SELECT pg_reload_conf()`);
  const log = new PostgresRecordLog(owner, app, { origin: ORIGIN, signer: parseSignerKey(generateSignerKey(ORIGIN)) });

  try {
    // 1. The query corpus.
    say(`seeding ${QUERY_RECORDS} records of one tenant (${SUBJECTS} subjects) by SQL`);
    let t = process.hrtime.bigint();
    await seedCorpus(raw, 'bench-query', QUERY_RECORDS);
    const seedSecs = seconds(t);

    // 2. Appends into one tenant log.
    say(`batched appends into one tenant log: ${WRITERS} writers x ${BATCH} records x ${SECONDS}s, alternating log and raw INSERT`);
    await raw.query(`CREATE SCHEMA bench_raw`);
    await raw.query(`CREATE TABLE bench_raw.records (LIKE processing.records INCLUDING DEFAULTS INCLUDING INDEXES)`);
    await raw.query(`CREATE SEQUENCE bench_raw.idx`);
    let n = 0;
    const total = { log: { ops: 0, secs: 0 }, raw: { ops: 0, secs: 0 } };
    for (let round = 0; round < ROUNDS; round++) {
      const a = await timed(WRITERS, SECONDS / ROUNDS, async () => {
        const drafts = Array.from({ length: BATCH }, () => draft('bench-append', n++));
        await owner.transaction((m) => log.append(m, drafts));
      });
      const r = await timed(WRITERS, SECONDS / ROUNDS, async () => {
        const drafts = Array.from({ length: BATCH }, () => draft('bench-append', n++));
        await raw.query({ name: 'raw-insert', text: RAW_INSERT, values: rawValues('bench-append', drafts) });
      });
      total.log.ops += a.ops;
      total.log.secs += a.secs;
      total.raw.ops += r.ops;
      total.raw.secs += r.secs;
    }
    const appendsPerSec = (total.log.ops * BATCH) / total.log.secs;
    const rawAppendsPerSec = (total.raw.ops * BATCH) / total.raw.secs;
    await log.checkpoint('bench-append');
    const appendCheck = await verifyTenantLog(log, 'bench-append');
    if (!appendCheck.ok) throw new Error(`the appended log does not verify: ${appendCheck.problems.join('; ')}`);

    // 3. Full verification.
    say(`building a ${VERIFY_RECORDS}-entry log through the log (10,000 per transaction), checkpointed along the way`);
    t = process.hrtime.bigint();
    for (let done = 0; done < VERIFY_RECORDS;) {
      const k = Math.min(10_000, VERIFY_RECORDS - done);
      const drafts = Array.from({ length: k }, (_, i) => draft('bench-verify', done + i));
      await owner.transaction((m) => log.append(m, drafts, { dedupe: false }));
      done += k;
      if (done % 250_000 === 0 || done === VERIFY_RECORDS) await log.checkpoint('bench-verify');
    }
    const buildPerSec = VERIFY_RECORDS / seconds(t);
    await raw.query(`VACUUM ANALYZE processing.records`);
    say('verifying it (attest verify), then the raw read + SHA-256 baseline');
    // Verification and its baseline alternate (V R R V V R): neither always runs on the other's warm cache.
    const verifyRuns: { secs: number; cpuSecs: number }[] = [];
    const rawRuns: number[] = [];
    const verifyOnce = async (profile: boolean): Promise<void> => {
      const profiler = profile ? await startProfile() : null;
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      const verified = await verifyTenantLog(log, 'bench-verify', VERIFY_WORKERS === null ? {} : { workers: VERIFY_WORKERS });
      const secs = seconds(started);
      const used = process.cpuUsage(cpu);
      if (profiler) await profiler.stop(process.env['BENCH_PROFILE'] ?? '');
      if (!verified.ok || verified.size !== VERIFY_RECORDS || verified.checkpointsChecked < 1)
        throw new Error(`verification failed: ${JSON.stringify(verified)}`);
      verifyRuns.push({ secs, cpuSecs: (used.user + used.system) / 1e6 });
    };
    const rawOnce = async (): Promise<void> => {
      const started = process.hrtime.bigint();
      let hashed = 0;
      for (let from = 0; ;) {
        const { rows } = await raw.query<{ position: string; body: string }>(
          `SELECT idx::text AS position, body FROM processing.records WHERE tenant_id = $1 AND idx >= $2 ORDER BY idx LIMIT 20000`,
          ['bench-verify', from],
        );
        for (const row of rows) createHash('sha256').update(row.body).digest();
        hashed += rows.length;
        const last = rows.at(-1);
        if (!last || rows.length < 20_000) break;
        from = Number(last.position) + 1;
      }
      if (hashed !== VERIFY_RECORDS) throw new Error(`raw read saw ${hashed} rows`);
      rawRuns.push(seconds(started));
    };
    for (let round = 0; round < VERIFY_ROUNDS; round++) {
      if (round % 2 === 0) {
        await verifyOnce(round === 0 && Boolean(process.env['BENCH_PROFILE']));
        await rawOnce();
      } else {
        await rawOnce();
        await verifyOnce(false);
      }
    }
    const verifyRatios = verifyRuns.map((v, i) => v.secs / (rawRuns[i] ?? Number.NaN)).sort((a, b) => a - b);
    const median = (xs: readonly number[]): number => {
      const sorted = [...xs].sort((a, b) => a - b);
      return percentile(sorted, 50);
    };
    const verifySecs = median(verifyRuns.map((v) => v.secs));
    const rawVerifySecs = median(rawRuns);

    // 4. Query by subject.
    const corpus = Number((await raw.query<{ n: string }>(`SELECT count(*)::text AS n FROM processing.records`)).rows[0]?.n);
    say(`query by subject over ${corpus} records: ${QUERIES} queries each way, interleaved`);
    const latencies: number[] = [];
    const rawLatencies: number[] = [];
    let found = 0;
    for (let q = 0; q < QUERIES; q++) {
      const subject = subjectOf(Math.floor(Math.random() * SUBJECTS));
      t = process.hrtime.bigint();
      const page = await log.query('bench-query', { subject }, 50, null);
      latencies.push(seconds(t) * 1000);
      found += page.records.length;
      t = process.hrtime.bigint();
      await raw.query({
        name: 'raw-query',
        text: `SELECT idx, leaf_hash, body FROM processing.records WHERE tenant_id = $1 AND subject = $2 AND body IS NOT NULL ORDER BY at DESC, idx DESC LIMIT 51`,
        values: ['bench-query', subject],
      });
      rawLatencies.push(seconds(t) * 1000);
    }
    if (found === 0) throw new Error('the subject queries found nothing');
    latencies.sort((a, b) => a - b);
    rawLatencies.sort((a, b) => a - b);

    const r2 = (x: number): number => Number(x.toFixed(2));
    const result = {
      writers: WRITERS,
      batch: BATCH,
      appendsPerSec: Math.round(appendsPerSec),
      rawAppendsPerSec: Math.round(rawAppendsPerSec),
      appendRatio: Number((appendsPerSec / rawAppendsPerSec).toFixed(3)),
      verifyRecords: VERIFY_RECORDS,
      verify1MSeconds: r2((verifySecs * 1_000_000) / VERIFY_RECORDS),
      rawReadHash1MSeconds: r2((rawVerifySecs * 1_000_000) / VERIFY_RECORDS),
      verifyToRawRatio: Number(median(verifyRatios).toFixed(3)),
      verifyToRawRatioRange: [Number((verifyRatios[0] ?? 0).toFixed(3)), Number((verifyRatios.at(-1) ?? 0).toFixed(3))],
      verifyCpu1MSeconds: r2((median(verifyRuns.map((v) => v.cpuSecs)) * 1_000_000) / VERIFY_RECORDS),
      verifyRounds: VERIFY_ROUNDS,
      verifyWorkers: VERIFY_WORKERS ?? EntryCheckers.defaultSize(),
      buildAppendsPerSec: Math.round(buildPerSec),
      queryCorpusRecords: corpus,
      querySubjectP50Ms: r2(percentile(latencies, 50)),
      querySubjectP95Ms: r2(percentile(latencies, 95)),
      rawQuerySubjectP95Ms: r2(percentile(rawLatencies, 95)),
      recordsPerQuery: r2(found / QUERIES),
      seedSeconds: r2(seedSecs),
    };
    const rows = [
      [`appends into one log, ${BATCH} per batch (records/s)`, String(result.appendsPerSec), String(result.rawAppendsPerSec)],
      [`verify ${VERIFY_RECORDS} entries (s per 1M)`, String(result.verify1MSeconds), String(result.rawReadHash1MSeconds)],
      [`query by subject over ${corpus} (p95 ms)`, String(result.querySubjectP95Ms), String(result.rawQuerySubjectP95Ms)],
    ];
    report(['measure', 'attest', 'raw SQL'], rows, result);
  } finally {
    await raw.end();
    await app.destroy();
    await owner.destroy();
    await db.stop();
  }
}

runBench(main);
