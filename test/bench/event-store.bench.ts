/**
 * npm run bench:event-store — the Postgres adapter against raw SQL on the same
 * server, in the same run. Prints a table, then one JSON line (last line).
 *
 *   BENCH_SECONDS   duration of each timed phase (default 10)
 *
 * Single appends are compared twice: with a bare INSERT (`singleRatio`) and with raw SQL doing what an
 * append must do — read the stream's revision, check it, insert with the next — in one statement
 * (`singleRatioSameWork`), the three alternating in the same rounds; for the adapter and the same
 * work in raw SQL, the CPU per append this process and PostgreSQL used (`singleCpuMicros`,
 * `rawSameWorkCpuMicros`; Linux and the embedded server only, from /proc).
 *   BENCH_WRITERS   concurrent writers (default 8)
 *   BENCH_CATCHUP_EVENTS  size of the log the projection catches up on (default 1,000,000)
 *   BENCH_DATABASE_URL    use this server instead of a fresh embedded one
 */
import 'reflect-metadata';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { createDataSource, runMigrations } from '@attest/database';
import { NO_STREAM, type NewEvent, type RecordedEvent } from '@attest/event-store';
import { eventStoreMigrations, PostgresEventStore } from '@attest/event-store-postgres';
import { uuidv7 } from '@attest/kernel';
import { ProjectionRunner, projectionMigrations, type Projection } from '@attest/projections';
import { benchDatabase, cpuSecondsBetween, cpuSnapshot, report, runBench, timed } from './support';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 8);
const CATCHUP_EVENTS = Number(process.env['BENCH_CATCHUP_EVENTS'] ?? 1_000_000);
const BATCH = 100;

function event(n: number): NewEvent {
  return {
    id: uuidv7(),
    type: 'BenchmarkRecorded.v1',
    data: { n, purpose: 'benchmark', categories: ['contact', 'usage'], note: 'x'.repeat(64) },
    metadata: {
      tenantId: 'tenant-bench',
      actor: 'system:bench',
      correlationId: uuidv7(),
      causationId: null,
      commandId: uuidv7(),
      occurredAt: new Date().toISOString(),
    },
  };
}

const ROUNDS = 3;

type Phase = (writer: number, i: number) => Promise<void>;
/** Per phase: operations, seconds, and the CPU seconds this process and PostgreSQL used meanwhile (Linux; else NaN). */
type Totals<K extends string> = Record<K, { ops: number; secs: number; selfCpu: number; postgresCpu: number }>;

/**
 * Alternates the phases (adapter, raw …), ROUNDS times each, so that all see the
 * same machine: this box's throughput drifts by tens of percent over a minute.
 */
async function compare<K extends string>(seconds: number, phases: Record<K, Phase>): Promise<Totals<K>> {
  const names = Object.keys(phases) as K[];
  const total = Object.fromEntries(names.map((n) => [n, { ops: 0, secs: 0, selfCpu: 0, postgresCpu: 0 }])) as Totals<K>;
  // Each writer owns a stream per phase; its append count carries over between rounds.
  const next = Object.fromEntries(names.map((n) => [n, new Array<number>(WRITERS).fill(0)])) as Record<K, number[]>;
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const counts = next[name];
      const before = cpuSnapshot();
      const t = await timed(WRITERS, seconds / ROUNDS, (w) => phases[name](w, counts[w]!++));
      const used = cpuSecondsBetween(before, cpuSnapshot());
      total[name].ops += t.ops;
      total[name].secs += t.secs;
      total[name].selfCpu += used?.self ?? Number.NaN;
      total[name].postgresCpu += used?.postgres ?? Number.NaN;
    }
  }
  return total;
}

/**
 * What an append must do, as one raw statement: read the stream's revision, check it is the
 * expected one, insert with the next. The adapter's single append against this, rather than a
 * bare INSERT, says what the adapter itself costs.
 */
const RAW_APPEND = `WITH cur AS (SELECT coalesce(max(stream_position), -1) AS rev FROM bench_raw.events WHERE stream_id = $1)
  INSERT INTO bench_raw.events (epoch, transaction_id, event_id, stream_id, category, stream_position, type, data, metadata)
  SELECT 1, pg_current_xact_id(), $2::uuid, $1, 'bench', cur.rev + 1, $3, $4::jsonb, $5::jsonb FROM cur WHERE cur.rev = $6`;

const RAW_INSERT = `INSERT INTO bench_raw.events (epoch, transaction_id, event_id, stream_id, category, stream_position, type, data, metadata)
  SELECT 1, pg_current_xact_id(), u.id, $1, 'bench', u.pos, u.type, u.data, u.metadata
  FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::jsonb[], $6::jsonb[]) AS u(id, pos, type, data, metadata)`;

function rawValues(streamId: string, events: NewEvent[], firstPosition: number): unknown[] {
  return [
    streamId,
    events.map((e) => e.id),
    events.map((_, i) => firstPosition + i),
    events.map((e) => e.type),
    events.map((e) => JSON.stringify(e.data)),
    events.map((e) => JSON.stringify(e.metadata)),
  ];
}

/** The log for the catch-up phase, written in bulk by SQL (how it was written is not what is measured). */
async function seedLog(pool: pg.Pool, total: number): Promise<void> {
  const perTx = 50_000;
  for (let done = 0; done < total; done += perTx) {
    const n = Math.min(perTx, total - done);
    await pool.query(
      `INSERT INTO event_store.events (epoch, transaction_id, event_id, stream_id, category, stream_position, type, data, metadata)
       SELECT 1, pg_current_xact_id(), gen_random_uuid(), 'seed-' || ((g / 100)::text), 'seed', g % 100, 'BenchmarkSeeded.v1',
              jsonb_build_object('n', g, 'note', repeat('x', 64)),
              jsonb_build_object('tenantId', 'tenant-' || (g % 10), 'actor', 'system:bench', 'correlationId', gen_random_uuid(),
                                 'causationId', null, 'commandId', null, 'occurredAt', now())
       FROM generate_series($1::bigint, $2::bigint) AS g`,
      [done, done + n - 1],
    );
  }
}

const counterProjection: Projection = {
  name: 'bench-counter',
  version: 1,
  filter: { streamCategories: ['seed'] },
  async apply(events: readonly RecordedEvent[], manager: EntityManager) {
    await manager.query(`UPDATE bench_raw.counter SET events = events + $1`, [events.length]);
  },
  async reset(manager: EntityManager) {
    await manager.query(`UPDATE bench_raw.counter SET events = 0`);
  },
};

async function main(): Promise<void> {
  const db = await benchDatabase();
  const url = db.url;
  const dataSource = createDataSource({ url, migrations: [...eventStoreMigrations, ...projectionMigrations] });
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.query(`CREATE SCHEMA bench_raw`);
  await dataSource.query(`CREATE TABLE bench_raw.events (LIKE event_store.events INCLUDING ALL)`);
  await dataSource.query(`CREATE TABLE bench_raw.counter (events bigint NOT NULL)`);
  await dataSource.query(`INSERT INTO bench_raw.counter VALUES (0)`);

  const store = new PostgresEventStore({ connectionString: url, poolSize: WRITERS });
  const raw = new pg.Pool({ connectionString: url, max: WRITERS });
  raw.on('error', () => undefined); // connections closed by the server's shutdown
  const streams = Array.from({ length: WRITERS }, () => `bench-${uuidv7()}`);
  const rawStreams = Array.from({ length: WRITERS }, () => `bench-${uuidv7()}`);
  const log = (s: string): void => {
    process.stderr.write(`${s}\n`);
  };

  log(`single-event appends: ${WRITERS} writers x ${SECONDS}s, alternating adapter, raw INSERT and raw append (revision read, checked, next inserted)`);
  const sameWorkStreams = Array.from({ length: WRITERS }, () => `bench-${uuidv7()}`);
  const singles = await compare(SECONDS, {
    adapter: async (w, i) => {
      await store.appendToStream(streams[w]!, [event(i)], { expectedRevision: i === 0 ? NO_STREAM : i - 1 });
    },
    raw: async (w, i) => {
      await raw.query({ name: 'raw', text: RAW_INSERT, values: rawValues(rawStreams[w]!, [event(i)], i) });
    },
    sameWork: async (w, i) => {
      const e = event(i);
      const done = await raw.query({
        name: 'raw-append',
        text: RAW_APPEND,
        values: [sameWorkStreams[w]!, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), i - 1],
      });
      if (done.rowCount !== 1) throw new Error('the raw append found another revision');
    },
  });
  const single = singles.adapter;
  const rawSingle = singles.raw;
  const rawSameWork = singles.sameWork;

  log(`${BATCH}-event batch appends: ${WRITERS} writers x ${SECONDS}s, alternating adapter and raw INSERT`);
  const batchStreams = Array.from({ length: WRITERS }, () => `bench-${uuidv7()}`);
  const rawBatchStreams = Array.from({ length: WRITERS }, () => `bench-${uuidv7()}`);
  const batches = await compare(SECONDS, {
    adapter: async (w, i) => {
      const events = Array.from({ length: BATCH }, (_, k) => event(i * BATCH + k));
      await store.appendToStream(batchStreams[w]!, events, { expectedRevision: i === 0 ? NO_STREAM : i * BATCH - 1 });
    },
    raw: async (w, i) => {
      const events = Array.from({ length: BATCH }, (_, k) => event(i * BATCH + k));
      await raw.query({ name: 'raw', text: RAW_INSERT, values: rawValues(rawBatchStreams[w]!, events, i * BATCH) });
    },
  });
  const batch = batches.adapter;
  const rawBatch = batches.raw;

  log(`seeding ${CATCHUP_EVENTS} events for catch-up`);
  await seedLog(raw, CATCHUP_EVENTS);
  await raw.query('VACUUM ANALYZE event_store.events');
  log('catch-up of the seeded log into a trivial projection');
  const started = process.hrtime.bigint();
  await new ProjectionRunner({ dataSource, store, projection: counterProjection, batchSize: 1000 }).catchUp();
  const catchUpSecs = Number(process.hrtime.bigint() - started) / 1e9;
  const counted = Number((await raw.query<{ events: string }>('SELECT events FROM bench_raw.counter')).rows[0]?.events);
  if (counted !== CATCHUP_EVENTS) throw new Error(`projection counted ${counted}, expected ${CATCHUP_EVENTS}`);

  await store.close();
  await raw.end();
  await dataSource.destroy();
  await db.stop();

  const r = (n: number): number => Math.round(n);
  const cpuSeen = !process.env['BENCH_DATABASE_URL'] && Number.isFinite(single.selfCpu) && Number.isFinite(rawSameWork.selfCpu);
  const result = {
    writers: WRITERS,
    seconds: SECONDS,
    singleTxPerSec: r(single.ops / single.secs),
    rawSingleTxPerSec: r(rawSingle.ops / rawSingle.secs),
    singleRatio: Number((single.ops / single.secs / (rawSingle.ops / rawSingle.secs)).toFixed(3)),
    rawSingleSameWorkTxPerSec: r(rawSameWork.ops / rawSameWork.secs),
    singleRatioSameWork: Number((single.ops / single.secs / (rawSameWork.ops / rawSameWork.secs)).toFixed(3)),
    // What an append costs against the same work in raw SQL: CPU per append of this process and of PostgreSQL
    // (Linux, the embedded server only: a remote server's CPU is not seen here).
    ...(cpuSeen ? { singleCpuMicros: cpuMicros(single), rawSameWorkCpuMicros: cpuMicros(rawSameWork) } : {}),
    batchEventsPerSec: r((batch.ops * BATCH) / batch.secs),
    rawBatchEventsPerSec: r((rawBatch.ops * BATCH) / rawBatch.secs),
    batchRatio: Number((batch.ops / batch.secs / (rawBatch.ops / rawBatch.secs)).toFixed(3)),
    catchUpEvents: CATCHUP_EVENTS,
    catchUpEventsPerSec: r(CATCHUP_EVENTS / catchUpSecs),
  };
  const rows = [
    ['single-event append (tx/s)', String(result.singleTxPerSec), String(result.rawSingleTxPerSec), String(result.singleRatio)],
    [
      'single-event append vs the same work in raw SQL (tx/s)',
      String(result.singleTxPerSec),
      String(result.rawSingleSameWorkTxPerSec),
      String(result.singleRatioSameWork),
    ],
    ...(result.singleCpuMicros && result.rawSameWorkCpuMicros
      ? [
          [
            'CPU µs per single append, this process + PostgreSQL (raw: the same work)',
            `${String(result.singleCpuMicros.self)} + ${String(result.singleCpuMicros.postgres)}`,
            `${String(result.rawSameWorkCpuMicros.self)} + ${String(result.rawSameWorkCpuMicros.postgres)}`,
            '-',
          ],
        ]
      : []),
    [`${BATCH}-event batch append (events/s)`, String(result.batchEventsPerSec), String(result.rawBatchEventsPerSec), String(result.batchRatio)],
    [`catch-up of ${CATCHUP_EVENTS} events (events/s)`, String(result.catchUpEventsPerSec), '-', '-'],
  ];
  report(['measure', 'adapter', 'raw SQL', 'ratio'], rows, result);
}

/** CPU microseconds per operation of a phase, this process's and PostgreSQL's. */
function cpuMicros(t: { ops: number; selfCpu: number; postgresCpu: number }): { self: number; postgres: number } {
  const per = (cpu: number): number => Math.round((cpu / Math.max(t.ops, 1)) * 1e6);
  return { self: per(t.selfCpu), postgres: per(t.postgresCpu) };
}

runBench(main);
