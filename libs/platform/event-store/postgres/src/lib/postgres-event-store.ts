import { Subject, firstValueFrom, race, timer, map } from 'rxjs';
import pg from 'pg';
import {
  assertPositionOfStore,
  DuplicateEventIdError,
  EventStoreUnavailableError,
  InvalidEventStoreRequestError,
  UnknownCheckpointError,
  validateAppend,
  validateFilter,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventBatch,
  type EventFilter,
  type EventMetadata,
  type EventStore,
  type EventSubscription,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '@attest/event-store';
import type { JsonObject } from '@attest/kernel';
import { decodePgPosition, encodePgPosition, PG_LOG_START, type PgPosition } from './position-codec';

export const EVENT_STORE_CHANNEL = 'attest_event_store';
const NOTIFY_INTERVAL_MS = 5;
/** First and longest pause before reading again while matching events are held behind an older transaction. */
const HELD_RETRY_MS = 10;
const HELD_RETRY_MAX_MS = 500;

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  /** Connections for appends and reads. */
  readonly poolSize?: number;
  /** Fallback poll interval of subscriptions when no notification arrives. */
  readonly pollIntervalMs?: number;
  /** Receives operational warnings (never event data). */
  readonly onWarning?: (message: string, error?: unknown) => void;
}

interface EventRow {
  epoch: number;
  transaction_id: string;
  seq: string;
  event_id: string;
  stream_id: string;
  stream_position: string;
  type: string;
  data: JsonObject;
  metadata: EventMetadata;
  recorded_at: Date;
}

interface AppendRow {
  stream_position: string;
  epoch: number;
  transaction_id: string;
  seq: string;
}

interface ExistingRow {
  event_id: string;
  stream_id: string;
  stream_position: string;
  epoch: number;
  transaction_id: string;
  seq: string;
}

const EVENT_COLUMNS = `e.epoch, e.transaction_id, e.seq, e.event_id, e.stream_id, e.stream_position,
  e.type, e.data, e.metadata, e.recorded_at`;

/**
 * One statement, one transaction: read the stream's revision, check the
 * expectation, insert. Positions are contiguous from 0, so the newest one is
 * the revision. A concurrent writer that read the same revision loses on the
 * (stream_id, stream_position) key. The epoch is read inside the statement,
 * whose snapshot is taken after its table lock: a new epoch is always seen.
 * No row back means the expectation failed (the slow path then finds out why).
 */
export const APPEND_SQL = `
  INSERT INTO event_store.events
    (epoch, transaction_id, event_id, stream_id, category, stream_position, type, data, metadata)
  SELECT (SELECT s.epoch FROM event_store.settings s), pg_current_xact_id(), u.id, $1, $2, cur.rev + u.ord,
         u.type, u.data, u.metadata
  FROM (SELECT coalesce(max(e.stream_position), -1) AS rev FROM event_store.events e WHERE e.stream_id = $1) cur,
       unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[]) WITH ORDINALITY AS u(id, type, data, metadata, ord)
  WHERE CASE $3::text
    WHEN 'any' THEN true
    WHEN 'no_stream' THEN cur.rev = -1
    WHEN 'stream_exists' THEN cur.rev >= 0
    ELSE cur.rev = $3::text::bigint END
  RETURNING stream_position, epoch, transaction_id, seq`;

/**
 * APPEND_SQL for one event, its values as plain parameters: no arrays to encode on this side
 * (every quote of the JSON escaped again) nor to take apart on the server, and the expectation
 * written into the statement ($7 is the revision, when one is expected). Most appends are one
 * event (a consent change, a request's step). One prepared statement per kind of expectation.
 */
export function appendOneSql(expected: 'any' | 'no_stream' | 'stream_exists' | 'revision'): string {
  return APPEND_ONE[expected];
}

const appendOne = (condition: string): string => `
  INSERT INTO event_store.events
    (epoch, transaction_id, event_id, stream_id, category, stream_position, type, data, metadata)
  SELECT (SELECT s.epoch FROM event_store.settings s), pg_current_xact_id(), $3::uuid, $1, $2, cur.rev + 1,
         $4, $5::jsonb, $6::jsonb
  FROM (SELECT coalesce(max(e.stream_position), -1) AS rev FROM event_store.events e WHERE e.stream_id = $1) cur
  WHERE ${condition}
  RETURNING stream_position, epoch, transaction_id, seq`;

const APPEND_ONE = {
  any: appendOne('true'),
  no_stream: appendOne('cur.rev = -1'),
  stream_exists: appendOne('cur.rev >= 0'),
  revision: appendOne('cur.rev = $7::bigint'),
} as const;

/**
 * The default event store: one Postgres schema, one function call (one
 * transaction) per append, LISTEN/NOTIFY for live delivery with polling as
 * the fallback. See ADR 0002 for why readers see events in commit-safe order.
 */
export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly pollIntervalMs: number;
  private readonly wakeups = new Subject<void>();
  private readonly closing = new Subject<void>();
  private readonly warn: (message: string, error?: unknown) => void;
  private listener: pg.Client | null = null;
  private listenerRetry: NodeJS.Timeout | null = null;
  private listenerBackoffMs = 100;
  private notifyScheduled = false;
  /** A NOTIFY is on its way; `notifyAgain`: appends came after it was sent. */
  private notifyInFlight = false;
  private notifyAgain = false;
  private lastRegressionCheck = 0;
  private lastNotifyAt = 0;
  private closed = false;
  private readonly subscriptions = new Set<() => Promise<void>>();

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      application_name: 'attest-event-store',
      // A restored database may hand out transaction ids below those in the
      // log: every new connection checks before its first use (ADR 0002).
      // pg-pool awaits this hook's promise before handing the client out; its
      // type declaration says void.
      // eslint-disable-next-line @typescript-eslint/no-misused-promises
      onConnect: (client) => client.query('SELECT event_store.heal_if_regressed()').then(() => undefined),
    });
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.warn = options.onWarning ?? (() => undefined);
    this.pool.on('error', (error) => {
      this.warn('idle event-store connection failed', error);
    });
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const category = validateAppend(streamId, events, options.expectedRevision);
    let rows: AppendRow[];
    try {
      const [only] = events;
      const expected = options.expectedRevision;
      const kind = typeof expected === 'number' ? 'revision' : expected;
      const result = await this.pool.query<AppendRow>(
        events.length === 1 && only
          ? {
              name: `attest_event_store_append_one_${kind}`,
              text: appendOneSql(kind),
              values: [
                streamId,
                category,
                only.id,
                only.type,
                JSON.stringify(only.data),
                JSON.stringify(only.metadata),
                ...(typeof expected === 'number' ? [expected] : []),
              ],
            }
          : {
              name: 'attest_event_store_append',
              text: APPEND_SQL,
              values: [
                streamId,
                category,
                String(options.expectedRevision),
                events.map((e) => e.id),
                events.map((e) => e.type),
                events.map((e) => JSON.stringify(e.data)),
                events.map((e) => JSON.stringify(e.metadata)),
              ],
            },
      );
      rows = result.rows;
    } catch (error) {
      // A refused append may be a retry of one that already succeeded.
      if ((error as { code?: string }).code === '23505') {
        const repeated = await this.findRepeatedAppend(streamId, events);
        if (repeated) return repeated;
      }
      throw await this.mapAppendError(error, streamId, options);
    }
    // RETURNING order is not guaranteed: the last event is the highest position.
    let last: AppendRow | undefined;
    for (const r of rows) if (!last || Number(r.stream_position) > Number(last.stream_position)) last = r;
    if (!last) {
      // Nothing written: the expectation failed, or this is a repeat of an earlier append.
      const repeated = await this.findRepeatedAppend(streamId, events);
      if (repeated) return repeated;
      const [latest] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      throw new WrongExpectedRevisionError(streamId, options.expectedRevision, latest ? latest.streamPosition : 'no_stream');
    }
    this.signalAppended();
    return {
      nextExpectedRevision: Number(last.stream_position),
      position: encodePgPosition({ epoch: last.epoch, transactionId: BigInt(last.transaction_id), seq: BigInt(last.seq) }),
      idempotent: false,
    };
  }

  /**
   * The same event ids already stored, in this stream, in this order and
   * contiguous: the earlier append's result. Some of them only, or elsewhere:
   * a DuplicateEventIdError. None: null.
   */
  private async findRepeatedAppend(streamId: string, events: readonly NewEvent[]): Promise<AppendResult | null> {
    const ids = events.map((e) => e.id);
    const found = await this.query<ExistingRow>(
      `SELECT e.event_id, e.stream_id, e.stream_position, e.epoch, e.transaction_id, e.seq
       FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, ord)
       JOIN event_store.events e ON e.event_id = u.id
       ORDER BY u.ord`,
      [ids],
    );
    if (found.rows.length === 0) return null;
    const first = found.rows[0];
    const last = found.rows[found.rows.length - 1];
    const exact =
      found.rows.length === ids.length &&
      first !== undefined &&
      found.rows.every((r, i) => r.stream_id === streamId && Number(r.stream_position) === Number(first.stream_position) + i);
    if (!exact || !last) throw new DuplicateEventIdError(streamId);
    return {
      nextExpectedRevision: Number(last.stream_position),
      position: encodePgPosition(rowPosition(last)),
      idempotent: true,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const limit = this.limit(options.maxCount);
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const result = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM event_store.events e
       WHERE e.stream_id = $1 AND e.stream_position ${backwards ? '<=' : '>='} $2
       ORDER BY e.stream_position ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [streamId, from, limit],
    );
    return result.rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    validateFilter(options.filter);
    if (options.after) assertPositionOfStore('pg', options.after);
    const after = options.after ? decodePgPosition(options.after) : PG_LOG_START;
    const limit = this.limit(options.maxCount);
    let { rows } = await this.readVisible(after, options.filter, limit);
    // A short page may hide events behind a transaction-id regression (restore).
    if (rows.length < limit && (await this.healIfRegressed())) ({ rows } = await this.readVisible(after, options.filter, limit));
    return rows.map(toRecorded);
  }

  subscribeToAll(options: SubscribeOptions = {}): EventSubscription {
    validateFilter(options.filter);
    const batchSize = this.limit(options.batchSize ?? 500);
    // A checkpoint of the other adapter (EVENT_STORE switched): the subscriber rebuilds.
    if (options.after) assertPositionOfStore('pg', options.after);
    const start = options.after ? decodePgPosition(options.after) : PG_LOG_START;
    const state = { stopped: false };
    // A function, not the flag: it changes while the generator awaits.
    const stopped = (): boolean => state.stopped;
    const stop = new Subject<void>();
    const close = (): Promise<void> => {
      state.stopped = true;
      stop.next();
      this.subscriptions.delete(close);
      return Promise.resolve();
    };
    this.subscriptions.add(close);

    const iterate = async function* (this: PostgresEventStore): AsyncGenerator<EventBatch> {
      if (options.after) await this.assertCheckpointKnown(start);
      // Where the next read starts: the last event delivered, or the horizon
      // once everything below it was read — so a selective filter does not
      // rescan the same non-matching events on every poll.
      let after = start;
      let announcedCaughtUp = false;
      let heldRetryMs = 0;
      while (!stopped() && !this.closed) {
        // Listen for the next wake-up before reading, so none is missed.
        const wake = firstValueFrom(race(this.wakeups, timer(this.pollIntervalMs), stop, this.closing).pipe(map(() => undefined)), { defaultValue: undefined });
        const { rows, horizon, held } = await this.readVisible(after, options.filter, batchSize);
        if (stopped()) return;
        const lastRow = rows[rows.length - 1];
        if (lastRow) after = rowPosition(lastRow);
        if (rows.length < batchSize && comparePg(horizon, after) > 0) after = horizon;
        if (lastRow) {
          const caughtUp = rows.length < batchSize;
          // A full batch may have been the last one: the next read that finds nothing says "caught up" again,
          // or a consumer that waits for it (a projection's catch-up) waits for the next append.
          announcedCaughtUp = caughtUp;
          yield { events: rows.map(toRecorded), caughtUp };
          if (!caughtUp) continue;
        } else if (!announcedCaughtUp) {
          announcedCaughtUp = true;
          yield { events: [], caughtUp: true };
        }
        if (rows.length < batchSize) await this.healIfRegressed();
        // Events held back behind an older transaction arrive with no further wake-up
        // (their NOTIFY has come and gone): look again soon, backing off, instead of
        // waiting for the next poll.
        heldRetryMs = held ? Math.min(heldRetryMs === 0 ? HELD_RETRY_MS : heldRetryMs * 2, HELD_RETRY_MAX_MS, this.pollIntervalMs) : 0;
        if (heldRetryMs > 0) await Promise.race([wake, new Promise((resolve) => setTimeout(resolve, heldRetryMs).unref())]);
        else await wake;
      }
    }.bind(this);

    const generator = iterate();
    return {
      [Symbol.asyncIterator]: () => generator,
      close: async () => {
        await close();
        await generator.return(undefined);
      },
    };
  }

  async headPosition(): Promise<GlobalPosition | null> {
    const result = await this.query<Pick<EventRow, 'epoch' | 'transaction_id' | 'seq'>>(
      `SELECT e.epoch, e.transaction_id, e.seq FROM event_store.events e
       ORDER BY e.epoch DESC, e.transaction_id DESC, e.seq DESC LIMIT 1`,
    );
    const row = result.rows[0];
    return row ? encodePgPosition(rowPosition(row)) : null;
  }

  async countAfter(after: GlobalPosition | undefined, filter: EventFilter | undefined, cap: number): Promise<number> {
    validateFilter(filter);
    if (after) assertPositionOfStore('pg', after);
    const p = after ? decodePgPosition(after) : PG_LOG_START;
    const [clause, values] = filterClause(filter, 4);
    const result = await this.query<{ n: string }>(
      `SELECT count(*) AS n FROM (
         SELECT 1 FROM event_store.events e
         WHERE (e.epoch, e.transaction_id, e.seq) > ($1, $2::xid8, $3) ${clause}
         LIMIT ${Math.max(0, Math.floor(cap))}) x`,
      [p.epoch, p.transactionId.toString(), p.seq.toString(), ...values],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1 FROM event_store.settings');
  }

  /** Starts LISTEN for low-latency live delivery; subscriptions also poll without it. */
  async listen(): Promise<void> {
    if (this.closed || this.listener) return;
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: 'attest-event-store-listener' });
    client.on('notification', () => {
      this.wakeups.next();
    });
    client.on('error', (error) => {
      this.warn('event-store listener connection failed; polling until it is back', error);
      this.dropListener(client);
    });
    client.on('end', () => {
      this.dropListener(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENT_STORE_CHANNEL}`);
      this.listener = client;
      this.listenerBackoffMs = 100;
      this.wakeups.next(); // anything appended while we were not listening
    } catch (error) {
      this.warn('event-store listener could not connect; retrying', error);
      await client.end().catch(() => undefined);
      this.scheduleListenerRetry();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.next();
    await Promise.all([...this.subscriptions].map((close) => close()));
    if (this.listenerRetry) clearTimeout(this.listenerRetry);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  private dropListener(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = null;
    client.removeAllListeners('notification');
    this.scheduleListenerRetry();
  }

  private scheduleListenerRetry(): void {
    if (this.closed || this.listenerRetry) return;
    const delay = this.listenerBackoffMs;
    this.listenerBackoffMs = Math.min(this.listenerBackoffMs * 2, 10_000);
    this.listenerRetry = setTimeout(() => {
      this.listenerRetry = null;
      void this.listen();
    }, delay);
    this.listenerRetry.unref();
  }

  /**
   * Wakes local subscriptions at once, and other processes through NOTIFY.
   * NOTIFY goes out after commit (inside the append it would serialise all
   * commits on the notification queue lock), at most once per
   * `NOTIFY_INTERVAL_MS`: one NOTIFY covers every append before it, so a
   * burst of appends costs one, and cross-process latency stays a few ms.
   */
  private signalAppended(): void {
    this.wakeups.next();
    if (this.notifyScheduled || this.closed) return;
    this.notifyScheduled = true;
    const wait = Math.max(0, this.lastNotifyAt + NOTIFY_INTERVAL_MS - Date.now());
    setTimeout(() => {
      this.lastNotifyAt = Date.now();
      this.notifyScheduled = false;
      this.sendNotify();
    }, wait).unref();
  }

  /**
   * One NOTIFY at a time: a slow one (commits queue on the notification
   * lock) is followed by one more when it is done, never stacked on the
   * listening connection behind it (pg 9 refuses a query on a busy client).
   */
  private sendNotify(): void {
    if (this.closed) return;
    if (this.notifyInFlight) {
      this.notifyAgain = true;
      return;
    }
    this.notifyInFlight = true;
    // The listening connection sends it when there is one: appends keep every pool connection.
    (this.listener ?? this.pool)
      .query(`NOTIFY ${EVENT_STORE_CHANNEL}`)
      .catch((error: unknown) => {
        if (!this.closed) this.warn('event-store NOTIFY failed; subscribers fall back to polling', error);
      })
      .finally(() => {
        this.notifyInFlight = false;
        if (this.notifyAgain) {
          this.notifyAgain = false;
          this.sendNotify();
        }
      });
  }

  /**
   * Events after `after` and below the visibility horizon, plus the horizon
   * itself, from one snapshot. When fewer than `limit` rows come back, every
   * event below the horizon has been seen, and the next read may start there.
   * `held`: matching events are committed at or above the horizon, waiting for
   * an older transaction of this database to end before they may be read.
   */
  private async readVisible(
    after: PgPosition,
    filter: EventFilter | undefined,
    limit: number,
  ): Promise<{ rows: EventRow[]; horizon: PgPosition; held: boolean }> {
    const [clause, values] = filterClause(filter, 5);
    const result = await this.query<Partial<EventRow> & { h_epoch: number; h_xmin: string; held: boolean }>(
      // The horizon and `held` come from materialised CTEs, so `held` is computed once per read, not once per row;
      // a scalar subquery with ORDER BY … LIMIT 1 (not EXISTS, whose LIMIT the planner drops) keeps it a primary-key
      // range scan from the horizon up: a sequential scan would read the whole log on every read.
      // The cluster's xmin is the cheap first answer; only when it holds matching events back is the database's own
      // horizon (`visible_horizon()`, which reads pg_stat_activity, ~0.5 ms) asked: it can only be later (ADR 0002).
      `WITH c AS MATERIALIZED (
         SELECT s.epoch AS h_epoch, pg_snapshot_xmin(pg_current_snapshot()) AS h_xmin,
                COALESCE((SELECT true FROM event_store.events e WHERE (e.epoch, e.transaction_id) >= (s.epoch, pg_snapshot_xmin(pg_current_snapshot())) ${clause}
                          ORDER BY e.epoch, e.transaction_id, e.seq LIMIT 1), false) AS held
         FROM event_store.settings s
       ),
       h AS MATERIALIZED (
         SELECT c.h_epoch, c.h_xmin, c.held FROM c WHERE NOT c.held
         UNION ALL
         SELECT v.h_epoch, v.h_xmin,
                COALESCE((SELECT true FROM event_store.events e WHERE (e.epoch, e.transaction_id) >= (v.h_epoch, v.h_xmin) ${clause}
                          ORDER BY e.epoch, e.transaction_id, e.seq LIMIT 1), false) AS held
         FROM c CROSS JOIN LATERAL (SELECT * FROM event_store.visible_horizon() WHERE c.held) v
         WHERE c.held
       )
       SELECT h.h_epoch, h.h_xmin, h.held, e.*
       FROM h
       LEFT JOIN LATERAL (
         SELECT ${EVENT_COLUMNS}
         FROM event_store.events e
         WHERE (e.epoch, e.transaction_id, e.seq) > ($1, $2::xid8, $3)
           AND (e.epoch, e.transaction_id) < (h.h_epoch, h.h_xmin)
           ${clause}
         ORDER BY e.epoch, e.transaction_id, e.seq
         LIMIT $4
       ) e ON true`,
      [after.epoch, after.transactionId.toString(), after.seq.toString(), limit, ...values],
    );
    const first = result.rows[0];
    if (!first) throw new EventStoreUnavailableError('visibility horizon unavailable');
    // seq starts at 1, so (epoch, xmin, 0) lies just below every event at or above the horizon.
    const horizon: PgPosition = { epoch: first.h_epoch, transactionId: BigInt(first.h_xmin), seq: 0n };
    const rows = result.rows.filter((r): r is EventRow & { h_epoch: number; h_xmin: string; held: boolean } => r.event_id != null);
    return { rows, horizon, held: first.held };
  }

  /**
   * Returns true when the log had to move to a new epoch. A regression only
   * appears after a restore, so this checks at most once per poll interval for
   * the whole store, not on every wake of every subscription.
   */
  private async healIfRegressed(): Promise<boolean> {
    const now = Date.now();
    if (now - this.lastRegressionCheck < this.pollIntervalMs) return false;
    this.lastRegressionCheck = now;
    const result = await this.query<{ regressed: boolean }>(`SELECT event_store.current_regression(s.epoch) AS regressed FROM event_store.settings s`);
    if (!result.rows[0]?.regressed) return false;
    this.warn('event-store transaction ids went backwards; moving the log to a new epoch');
    await this.query('SELECT event_store.heal_epoch()');
    return true;
  }

  private async assertCheckpointKnown(p: PgPosition): Promise<void> {
    const result = await this.query(`SELECT 1 FROM event_store.events e WHERE e.epoch = $1 AND e.transaction_id = $2::xid8 AND e.seq = $3`, [
      p.epoch,
      p.transactionId.toString(),
      p.seq.toString(),
    ]);
    if (result.rowCount === 0) {
      throw new UnknownCheckpointError('the checkpoint names an event this store does not hold (restored to an earlier state?); rebuild the subscriber');
    }
  }

  private limit(maxCount: number | undefined): number {
    const n = maxCount ?? 1000;
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidEventStoreRequestError('maxCount must be a positive integer');
    return n;
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      if (error instanceof InvalidEventStoreRequestError) throw error;
      throw new EventStoreUnavailableError('event store query failed', { cause: error });
    }
  }

  private async mapAppendError(error: unknown, streamId: string, options: AppendOptions): Promise<Error> {
    const code = (error as { code?: string }).code;
    const constraint = (error as { constraint?: string }).constraint;
    if (code === '23505' && constraint === 'events_event_id_key') return new DuplicateEventIdError(streamId);
    if (code === '23505' && constraint === 'events_stream_position_key') {
      // A concurrent writer took the position between our read and our insert.
      const [latest] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      return new WrongExpectedRevisionError(streamId, options.expectedRevision, latest ? latest.streamPosition : 'no_stream');
    }
    return new EventStoreUnavailableError('append failed', { cause: error });
  }
}

function filterClause(filter: EventFilter | undefined, firstParam: number): [string, unknown[]] {
  if (!filter) return ['', []];
  if ('eventTypes' in filter) return [`AND e.type = ANY($${firstParam}::text[])`, [filter.eventTypes]];
  return [`AND e.category = ANY($${firstParam}::text[])`, [filter.streamCategories]];
}

function comparePg(a: PgPosition, b: PgPosition): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

function rowPosition(row: Pick<EventRow, 'epoch' | 'transaction_id' | 'seq'>): PgPosition {
  return { epoch: row.epoch, transactionId: BigInt(row.transaction_id), seq: BigInt(row.seq) };
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    streamPosition: Number(row.stream_position),
    globalPosition: encodePgPosition(rowPosition(row)),
    recordedAt: row.recorded_at,
  };
}
