import type { DataSource } from 'typeorm';
import { matchesFilter, type EventFilter, type EventStore, type GlobalPosition, type RecordedEvent } from '@attest/event-store';
import type { Logger } from '@attest/observability';
import { Channel } from '@attest/kernel';
import { checkpoints } from './checkpoint-store';
import type { Projection } from './projection';

export interface SharedRebuildOptions {
  readonly dataSource: DataSource;
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly logger?: Logger;
  /**
   * Events read (and decrypted) at a time, then applied to every projection they concern; default
   * 8,000 (bench:rebuild at 1,000,000 events: 4,000 → about 19,300/s, 8,000 → 20,500, 16,000 →
   * 20,600; at 100,000 events 4,000 → 19,600, 8,000 → 20,400). Each projection holds the rows
   * (or subject locks) of a batch until it commits: a command on one of them waits that long,
   * about half a second on the bench machine.
   */
  readonly batchSize?: number;
}

/** What each projection cost: its events and the seconds its transactions took, summed. */
export interface SharedRebuildReport {
  readonly events: number;
  readonly byProjection: Readonly<Record<string, { readonly events: number; readonly applySeconds: number }>>;
}

/** Batches a read model may lag behind the reader. */
const AHEAD = 3;

/**
 * The filter that lets every projection's events through: the union of their event types, or of
 * their stream categories; no filter (the whole log) when they mix the two kinds or one has none.
 */
export function unionFilter(projections: readonly Projection[]): EventFilter | undefined {
  const filters = projections.map((p) => p.filter);
  if (filters.length === 0 || filters.some((f) => f === undefined)) return undefined;
  const types = filters.flatMap((f) => (f && 'eventTypes' in f ? [f.eventTypes] : []));
  const categories = filters.flatMap((f) => (f && 'streamCategories' in f ? [f.streamCategories] : []));
  if (types.length === filters.length) return { eventTypes: [...new Set(types.flat())] };
  if (categories.length === filters.length) return { streamCategories: [...new Set(categories.flat())] };
  return undefined;
}

/**
 * Empties several read models and replays the log into all of them through one reader: each
 * batch is read, and its personal fields decrypted, once; then every projection it concerns
 * applies its share in a transaction of its own that moves its own checkpoint, as its runner
 * would. The projections work side by side, each through the batches in log order at its own
 * pace, up to `AHEAD` batches behind the reader. Returns when every one is at the head of its
 * events; a failure stops the reader and the others after the batch each is applying. A worker running one of them meanwhile finds its checkpoint moved
 * and resumes from it (`CheckpointMovedError`); so does this rebuild's own lock, which fails
 * the rebuild rather than apply a batch twice.
 */
export async function rebuildProjections(options: SharedRebuildOptions): Promise<SharedRebuildReport> {
  const { dataSource, store, projections } = options;
  const names = new Set(projections.map((p) => p.name));
  if (names.size !== projections.length) throw new Error('each projection is rebuilt once');
  for (const projection of projections) {
    await dataSource.transaction(async (m) => {
      await checkpoints.ensure(m, projection);
      await checkpoints.reset(m, projection);
    });
  }
  const filter = unionFilter(projections);
  const targets = projections.map((projection) => ({ projection, position: null as GlobalPosition | null, events: 0, seconds: 0 }));
  const apply = async (target: (typeof targets)[number], events: readonly RecordedEvent[], last: GlobalPosition): Promise<void> => {
    const mine = events.filter((e) => matchesFilter(target.projection.filter, e));
    if (mine.length === 0) return;
    const started = performance.now();
    await dataSource.transaction(async (m) => {
      await checkpoints.lockAt(m, target.projection, target.position);
      await target.projection.apply(mine, m);
      await checkpoints.advance(m, target.projection, last, mine.length);
    });
    target.position = last;
    target.events += mine.length;
    target.seconds += (performance.now() - started) / 1000;
  };

  // Each read model takes the batches in log order at its own pace, up to AHEAD batches behind the
  // reader: one slow on a batch does not hold the others, only the reader once it is that far ahead.
  // A holder, not a variable: the workers set it while the reader awaits.
  const outcome: { failure: { readonly error: unknown } | null } = { failure: null };
  const channels = targets.map(() => new Channel<{ events: readonly RecordedEvent[]; last: GlobalPosition } | null>(AHEAD));
  const abort = (error: unknown): void => {
    outcome.failure ??= { error };
    for (const c of channels) c.close();
  };
  const workers = targets.map(async (target, i) => {
    const channel = channels[i] as (typeof channels)[number];
    for (let batch = await channel.take(); batch !== null && !outcome.failure; batch = await channel.take()) {
      try {
        await apply(target, batch.events, batch.last);
      } catch (error) {
        abort(error);
      }
    }
  });

  let read = 0;
  let through: GlobalPosition | undefined;
  let subscription: ReturnType<EventStore['subscribeToAll']> | null = null;
  try {
    // Opened inside the try: a store that refuses at once still releases the workers below.
    subscription = store.subscribeToAll({ ...(filter ? { filter } : {}), batchSize: options.batchSize ?? 8_000 });
    for await (const batch of subscription) {
      if (outcome.failure) break;
      const last = batch.events.at(-1)?.globalPosition;
      if (last) {
        for (const c of channels) await c.put({ events: batch.events, last });
        read += batch.events.length;
        through = last;
      }
      // "Caught up" is relative to the visibility horizon: a rebuild waits for what is already committed.
      if (batch.caughtUp && (await store.countAfter(through, filter, 1)) === 0) break;
    }
  } catch (error) {
    abort(error);
  } finally {
    await subscription?.close();
    for (const c of channels) await c.put(null);
    // Every transaction under way settles before a failure is thrown: none is left running behind the error.
    await Promise.all(workers);
  }
  if (outcome.failure) throw outcome.failure.error;
  options.logger?.info({ projections: [...names], events: read }, 'projections rebuilt through one reader');
  return {
    events: read,
    byProjection: Object.fromEntries(targets.map((t) => [t.projection.name, { events: t.events, applySeconds: Number(t.seconds.toFixed(2)) }])),
  };
}
