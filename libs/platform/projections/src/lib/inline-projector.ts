import type { DataSource } from 'typeorm';
import { matchesFilter, type EventStore, type RecordedEvent } from '@attest/event-store';
import type { Projection } from './projection';

/** Events read per stream and call; a longer backlog is applied in several rounds. */
const READ_LIMIT = 10_000;

/**
 * Applies a stream's new events at once to the given projections, in one
 * owner transaction, so a command's caller reads its own write (and, for the
 * outbox, a notice is queued before anything else happens). The workers skip
 * the events applied here (`ProjectionRunner` reads these positions).
 *
 * Two commands on one stream may finish their appends in one order and reach
 * this point in the other. So each projection's position in the stream is kept
 * (`projections.inline_streams`) and locked: a call applies every event after
 * it, in stream order, whatever revision its command appended. An update
 * applied before the event it depends on (a withdrawal before its grant) would
 * otherwise be lost until the workers caught up.
 */
export interface InlineProjectorOptions {
  /**
   * Told the streams of every call once its transaction has ended (committed or not): a cache of
   * what these projections hold drops them, so the caller's next read in this process sees its write.
   */
  readonly afterCall?: (streamIds: readonly string[]) => void;
}

export class InlineProjector {
  constructor(
    private readonly ownerDataSource: DataSource,
    private readonly store: EventStore,
    private readonly projections: readonly Projection[],
    private readonly options: InlineProjectorOptions = {},
  ) {}

  /**
   * Applies every event of the stream not applied inline yet, in stream order
   * (the caller's own, appended before, included); returns the events this call applied.
   */
  async projectStream(streamId: string): Promise<readonly RecordedEvent[]> {
    try {
      return await this.applyStream(streamId);
    } finally {
      this.options.afterCall?.([streamId]);
    }
  }

  private async applyStream(streamId: string): Promise<readonly RecordedEvent[]> {
    const applied: RecordedEvent[] = [];
    if (this.projections.length === 0) return applied;
    const names = [...new Set(this.projections.map((p) => p.name))].sort();
    for (;;) {
      const more = await this.ownerDataSource.transaction(async (m) => {
        // One statement creates or locks each projection's row, in name order (concurrent
        // callers queue, never deadlock), and returns its position.
        const rows = await m.query<{ projection: string; applied_through: string }[]>(
          `INSERT INTO projections.inline_streams (projection, stream_id, applied_through)
           SELECT name, $2, -1 FROM unnest($1::text[]) AS name ORDER BY name
           ON CONFLICT (projection, stream_id) DO UPDATE SET applied_through = projections.inline_streams.applied_through
           RETURNING projection, applied_through::text`,
          [names, streamId],
        );
        const through = new Map(rows.map((r) => [r.projection, Number(r.applied_through)]));
        const from = Math.min(...names.map((n) => (through.get(n) ?? -1) + 1));
        const events = await this.store.readStream(streamId, { fromRevision: from, maxCount: READ_LIMIT });
        if (events.length === 0) return false;
        for (const projection of this.projections) {
          const done = through.get(projection.name) ?? -1;
          const filter = projection.filter;
          const relevant = events.filter((e) => e.streamPosition > done && matchesFilter(filter, e));
          if (relevant.length > 0) await projection.apply(relevant, m);
        }
        const last = events.reduce((max, e) => Math.max(max, e.streamPosition), from);
        await m.query(
          `UPDATE projections.inline_streams SET applied_through = $3 WHERE stream_id = $2 AND projection = ANY($1::text[]) AND applied_through < $3`,
          [names, streamId, last],
        );
        applied.push(...events);
        // A full read may have left events behind it.
        return events.length === READ_LIMIT;
      });
      if (!more) return applied;
    }
  }

  /**
   * `projectStream` for many streams in one owner transaction (a bulk job's items): the rows
   * locked in stream, then name order (as single calls lock theirs, so neither deadlocks), the
   * streams read concurrently, each projection applied once over every stream's new events, the
   * positions moved in one statement. A stream with a longer backlog than one read is finished
   * by `projectStream` afterwards.
   */
  async projectStreams(streamIds: readonly string[]): Promise<readonly RecordedEvent[]> {
    try {
      return await this.applyStreams(streamIds);
    } finally {
      this.options.afterCall?.(streamIds);
    }
  }

  private async applyStreams(streamIds: readonly string[]): Promise<readonly RecordedEvent[]> {
    const streams = [...new Set(streamIds)].sort();
    if (this.projections.length === 0 || streams.length === 0) return [];
    const names = [...new Set(this.projections.map((p) => p.name))].sort();
    const { applied, unfinished } = await this.ownerDataSource.transaction(async (m) => {
      const rows = await m.query<{ projection: string; stream_id: string; applied_through: string }[]>(
        `INSERT INTO projections.inline_streams (projection, stream_id, applied_through)
         SELECT name, stream, -1 FROM unnest($2::text[]) AS stream CROSS JOIN unnest($1::text[]) AS name ORDER BY stream, name
         ON CONFLICT (projection, stream_id) DO UPDATE SET applied_through = projections.inline_streams.applied_through
         RETURNING projection, stream_id, applied_through::text`,
        [names, streams],
      );
      const through = new Map(rows.map((r) => [`${r.stream_id}\u0000${r.projection}`, Number(r.applied_through)]));
      const done = (stream: string, name: string): number => through.get(`${stream}\u0000${name}`) ?? -1;
      const read = await Promise.all(
        streams.map(async (stream) => {
          const from = Math.min(...names.map((n) => done(stream, n) + 1));
          return { stream, events: await this.store.readStream(stream, { fromRevision: from, maxCount: READ_LIMIT }) };
        }),
      );
      for (const projection of this.projections) {
        const relevant = read.flatMap(({ stream, events }) =>
          events.filter((e) => e.streamPosition > done(stream, projection.name) && matchesFilter(projection.filter, e)),
        );
        if (relevant.length > 0) await projection.apply(relevant, m);
      }
      const moved = read.filter((r) => r.events.length > 0);
      if (moved.length > 0) {
        await m.query(
          `UPDATE projections.inline_streams s SET applied_through = v.last
             FROM unnest($2::text[], $3::bigint[]) AS v(stream_id, last)
            WHERE s.stream_id = v.stream_id AND s.projection = ANY($1::text[]) AND s.applied_through < v.last`,
          [names, moved.map((r) => r.stream), moved.map((r) => Math.max(...r.events.map((e) => e.streamPosition)))],
        );
      }
      return { applied: read.flatMap((r) => r.events), unfinished: read.filter((r) => r.events.length === READ_LIMIT).map((r) => r.stream) };
    });
    for (const stream of unfinished) applied.push(...(await this.applyStream(stream)));
    return applied;
  }
}
