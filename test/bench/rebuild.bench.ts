/**
 * npm run bench:rebuild — rebuilding every read model (issue 25, item 7) from a log of
 * BENCH_EVENTS mixed domain events (default 1,000,000) on a real PostgreSQL.
 *
 *  1. The log: BENCH_TENANTS tenants (default 50), each with its purposes, an enterprise
 *     account and its customers. Every event comes from the contexts' own deciders (the
 *     pure functions the command handlers run), so its shape is what production writes;
 *     per customer: a profile created, updated and tagged, follow-ups, consents granted on
 *     several channels and some withdrawn, a restriction lifted now and then, a data-subject
 *     request carried out for one in five, a personal-user account for one in ten and an
 *     erasure for one in fifty. Appended through the encrypting store (personal fields sealed
 *     under each subject's key) by BENCH_WRITERS concurrent writers, no projection running;
 *     how the log was written is reported, not measured against a target.
 *  2. Baseline, same run: a raw read of the whole log in global order (1,000 events a query,
 *     as the projections read it), rows fetched and parsed, nothing decrypted.
 *  3. The rebuild: every projection that owns a read model, emptied and replayed from the
 *     start at once, as `attest projections rebuild all` does: the log read (and decrypted)
 *     once, each batch applied by every read model side by side, each in its own transaction
 *     with its own checkpoint. The processing record is not among them: it is append-only and
 *     never rebuilt (a rebuild would be a rewrite). `rebuildAllEventsPerSec` = events in the
 *     log / seconds until the last read model is at the head. Target ≥ 30,000.
 *  4. What it cost (Linux, embedded server only, from /proc): the cores this process,
 *     PostgreSQL and the rest used during the rebuild, the CPU µs per event of this process and
 *     PostgreSQL, and `cpuBoundEventsPerSec`: the rate that CPU per event would reach with every
 *     core busy all the time. A target above it could not be met in this run by overlapping the
 *     work better, only by doing less of it.
 *
 *   BENCH_EVENTS (1,000,000)  BENCH_TENANTS (50)  BENCH_WRITERS (8)
 *   BENCH_DATABASE_URL    use this server instead of a fresh embedded one
 *   BENCH_ONE_AT_A_TIME=1  rebuild the read models one after another (each one's own seconds), not at once
 *   BENCH_BATCH (the shared reader's default)  events read and applied at a time
 *   BENCH_SEPARATE_READERS=1  at once, but each read model through its own reader (a runner each, as the workers run them)
 *   BENCH_PROFILE=file.cpuprofile: a CPU profile of this process during the rebuild
 * Table, then JSON on the last line.
 */
import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { createLogger } from '@attest/observability';
import { checkpoints, rebuildProjection, rebuildProjections } from '@attest/projections';
import { writeMixedLog } from './mixed-log';
import { benchInfrastructure, benchDatabase, cpuSecondsBetween, cpuSnapshot, report, runBench, startProfile } from './support';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const TENANTS = Number(process.env['BENCH_TENANTS'] ?? 50);
const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 8);
const ONE_AT_A_TIME = process.env['BENCH_ONE_AT_A_TIME'] === '1';
const SEPARATE_READERS = process.env['BENCH_SEPARATE_READERS'] === '1';
const BATCH = process.env['BENCH_BATCH'] ? Number(process.env['BENCH_BATCH']) : undefined;

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

      // 1. The log.
      say(`writing ${EVENTS} mixed events of ${TENANTS} tenants through the encrypting store (${WRITERS} writers, no projection running)`);
      const log = await writeMixedLog(infra, { events: EVENTS, tenants: TENANTS, writers: WRITERS, say });
      const logEvents = log.events;

      // 2. Baseline: the raw read of the log, in global order, 1,000 a query.
      const raw = new pg.Pool({ connectionString: db.url, max: 1 });
      let t = performance.now();
      let read = 0;
      for (let after: [string, string, string] = ['0', '0', '0']; ;) {
        const { rows } = await raw.query<{ epoch: string; tx: string; seq: string; data: unknown; metadata: unknown }>(
          `SELECT e.epoch::text AS epoch, e.transaction_id::text AS tx, e.seq::text AS seq, e.event_id, e.stream_id, e.stream_position, e.type, e.data, e.metadata, e.recorded_at
             FROM event_store.events e WHERE (e.epoch, e.transaction_id, e.seq) > ($1::int, $2::xid8, $3::bigint)
            ORDER BY e.epoch, e.transaction_id, e.seq LIMIT 1000`,
          after,
        );
        read += rows.length;
        const last = rows.at(-1);
        if (!last) break;
        after = [last.epoch, last.tx, last.seq];
      }
      const rawReadSeconds = (performance.now() - t) / 1000;
      await raw.end();
      if (read !== logEvents) throw new Error(`the raw read saw ${String(read)} of ${String(logEvents)} events`);

      // 3. Every read model rebuilt, side by side.
      // The read models: the processing record is append-only, never rebuilt.
      const projections = infra.projections.filter((p) => !p.appendOnly);
      say(`rebuilding ${String(projections.length)} read models at once: ${projections.map((p) => p.name).join(', ')}`);
      const seconds: Record<string, number> = {};
      const profile = process.env['BENCH_PROFILE'] ? await startProfile() : null;
      const cpuBefore = cpuSnapshot();
      t = performance.now();
      if (ONE_AT_A_TIME) {
        // Diagnosis: each alone, so its own cost shows (the figure measured is still the total).
        for (const projection of projections) {
          const alone = performance.now();
          await rebuildProjection({ dataSource: infra.dataSource, store: infra.store, projection, logger });
          seconds[projection.name] = Number(((performance.now() - alone) / 1000).toFixed(1));
        }
      } else if (!SEPARATE_READERS) {
        // As `attest projections rebuild all`: one reader; the seconds each spent applying, summed.
        const shared = await rebuildProjections({
          dataSource: infra.dataSource,
          store: infra.store,
          projections,
          logger,
          ...(BATCH === undefined ? {} : { batchSize: BATCH }),
        });
        for (const [name, r] of Object.entries(shared.byProjection)) seconds[name] = r.applySeconds;
      } else {
        await Promise.all(
          projections.map(async (projection) => {
            await rebuildProjection({ dataSource: infra.dataSource, store: infra.store, projection, logger });
            seconds[projection.name] = Number(((performance.now() - t) / 1000).toFixed(1));
          }),
        );
      }
      const rebuildSeconds = (performance.now() - t) / 1000;
      // Only where this machine runs the database too (the embedded server): a remote one's CPU is not seen here.
      const used = process.env['BENCH_DATABASE_URL'] ? null : cpuSecondsBetween(cpuBefore, cpuSnapshot());
      const cost = used ? cpuBound(used, rebuildSeconds, logEvents) : null;
      if (profile) await profile.stop(process.env['BENCH_PROFILE'] ?? '');
      // Each is at the head of what it subscribes to: nothing of its filter lies beyond its checkpoint.
      const stored = await checkpoints.list(infra.dataSource.manager);
      for (const p of projections) {
        const c = stored.find((x) => x.name === p.name);
        const lag = await infra.store.countAfter(c?.position ?? undefined, p.filter, 1);
        if (lag !== 0) throw new Error(`${p.name} stopped before the head of its events (checkpoint ${String(c?.position)})`);
      }

      const result = {
        events: logEvents,
        eventTypes: log.eventTypes,
        tenants: TENANTS,
        customers: log.customers,
        readModels: projections.length,
        mode: ONE_AT_A_TIME ? 'one-at-a-time' : SEPARATE_READERS ? 'separate-readers' : 'shared-reader',
        rebuildSeconds: Number(rebuildSeconds.toFixed(1)),
        rebuildAllEventsPerSec: Math.round(logEvents / rebuildSeconds),
        rawReadEventsPerSec: Math.round(logEvents / rawReadSeconds),
        rebuildToRawReadRatio: Number((logEvents / rebuildSeconds / (logEvents / rawReadSeconds)).toFixed(3)),
        secondsByReadModel: seconds,
        // What the rebuild cost (Linux, embedded server): cores used by this process, PostgreSQL and the rest,
        // and the rate this run's CPU per event would reach with every core busy all the time.
        ...(cost ?? {}),
        writeEventsPerSec: log.writeEventsPerSec,
        target: 30_000,
      };
      report(
        ['measure', 'value'],
        [
          ['events in the log (types)', `${String(result.events)} (${String(result.eventTypes)})`],
          [`rebuild of ${String(result.readModels)} read models (s)`, String(result.rebuildSeconds)],
          ['rebuildAllEventsPerSec (target ≥ 30,000)', String(result.rebuildAllEventsPerSec)],
          ['raw read of the log (events/s)', String(result.rawReadEventsPerSec)],
          ...(cost
            ? [
                [
                  'cores used: this process / PostgreSQL (/ the rest, not counted)',
                  `${String(cost.coresWhileRebuilding.self)} / ${String(cost.coresWhileRebuilding.postgres)} (/ ${String(cost.coresWhileRebuilding.other)})`,
                ],
                ['CPU µs per event, this process and PostgreSQL', String(cost.cpuMicrosPerEvent)],
                [`the same CPU per event with all ${String(availableParallelism())} cores busy (events/s)`, String(cost.cpuBoundEventsPerSec)],
              ]
            : []),
          ...Object.entries(seconds).map(([name, s]) => [`  ${name} ${ONE_AT_A_TIME || SEPARATE_READERS ? 'done at' : 'applying'} (s)`, String(s)]),
          ['log written through the encrypting store (events/s)', String(result.writeEventsPerSec)],
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

/**
 * Cores used (this process, PostgreSQL, and the rest apart: other processes' work is not the
 * rebuild's), CPU µs per event of this process and PostgreSQL, and the events per second that CPU
 * per event would give with every core of the machine busy all the time. This run's bound, not the
 * machine's: the CPU per event moves with the machine's speed from day to day. A profiler
 * (`BENCH_PROFILE`) adds its own CPU to this process.
 */
function cpuBound(
  used: { readonly self: number; readonly postgres: number; readonly other: number },
  seconds: number,
  events: number,
): { coresWhileRebuilding: typeof used; cpuMicrosPerEvent: number; cpuBoundEventsPerSec: number } {
  const cores = (n: number): number => Number((n / seconds).toFixed(2));
  const cpuSeconds = used.self + used.postgres;
  return {
    coresWhileRebuilding: { self: cores(used.self), postgres: cores(used.postgres), other: cores(used.other) },
    cpuMicrosPerEvent: Math.round((cpuSeconds / events) * 1e6),
    cpuBoundEventsPerSec: Math.round(events / (cpuSeconds / availableParallelism())),
  };
}

runBench(main);
