import type { DataSource, EntityManager } from 'typeorm';
import { UnknownCheckpointError, type EventStore, type EventSubscription, type GlobalPosition, type RecordedEvent } from '@attest/event-store';
import type { Logger } from '@attest/observability';
import { CheckpointMovedError, checkpoints } from './checkpoint-store';
import { partitionName, tenantPartition, type Projection, type ProjectionPartition } from './projection';
import type { LagSource, ProjectionMetrics } from './projection-metrics';

export interface ProjectionRunnerOptions {
  readonly dataSource: DataSource;
  readonly store: EventStore;
  readonly projection: Projection;
  readonly logger?: Logger;
  readonly metrics?: ProjectionMetrics;
  /** Largest batch applied in one transaction during catch-up. */
  readonly batchSize?: number;
  /** First retry delay after a failed batch; doubles up to 30 s. */
  readonly retryDelayMs?: number;
  /**
   * Commands also apply this projection inline (`InlineProjector`). The runner then
   * shares the per-stream positions with them, so each event is applied once, by one of the
   * two, in stream order.
   */
  readonly appliedInline?: boolean;
  /**
   * Run one partition of a projection that is `partitionableByTenant`: only its tenants' events
   * are applied, under a checkpoint (and lease) of its own, `partitionName`. The partitions share
   * the read model: a rebuild (a version change, an unknown checkpoint) empties it once and
   * rewinds every partition's checkpoint in the same transaction.
   */
  readonly partition?: ProjectionPartition;
}

const LAG_CAP = 1_000_000;

/**
 * Feeds one projection from the event store: subscribe after the stored
 * checkpoint, apply each batch and move the checkpoint in one transaction
 * (exactly-once effect), retry failed batches, rebuild on a version change.
 */
export class ProjectionRunner implements LagSource {
  readonly name: string;
  private position: GlobalPosition | null = null;
  /** Open subscriptions: the worker loop's and those of concurrent `catchUp()` calls. */
  private readonly subscriptions = new Set<EventSubscription>();
  private loop: Promise<void> | null = null;
  private stopping = false;
  private reachedHead = false;

  /** What the checkpoint store, leases and metrics see: the projection, or one partition of it. */
  private readonly checkpointed: Projection;

  constructor(private readonly options: ProjectionRunnerOptions) {
    const { projection, partition } = options;
    if (partition && !projection.partitionableByTenant) throw new Error(`${projection.name} cannot be partitioned: its rows are not all of one tenant`);
    this.checkpointed = partition ? partitioned(projection, partition) : projection;
    this.name = this.checkpointed.name;
  }

  get caughtUp(): boolean {
    return this.reachedHead;
  }

  /** Started and not stopped: this process runs it (with leases, only while it holds the projection's). */
  get running(): boolean {
    return this.loop !== null;
  }

  /** Runs in the background until `stop()`. */
  start(): void {
    this.stopping = false;
    this.options.metrics?.register(this);
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.loop;
    this.loop = null;
    this.options.metrics?.unregister(this.name);
  }

  /** Applies every event committed before the call (and any that arrive meanwhile), then returns. */
  async catchUp(): Promise<void> {
    for (;;) {
      try {
        await this.runOnce(true);
        return;
      } catch (error) {
        // The worker (or another process) applied the batch first: resume from its checkpoint.
        if (!(error instanceof CheckpointMovedError)) throw error;
      }
    }
  }

  async lag(): Promise<number | null> {
    const { store } = this.options;
    const projection = this.checkpointed;
    return store.countAfter(this.position ?? undefined, projection.filter, LAG_CAP);
  }

  // A method, not the field: the flag changes while the loop awaits.
  private isStopping(): boolean {
    return this.stopping;
  }

  private async run(): Promise<void> {
    let delay = this.options.retryDelayMs ?? 500;
    while (!this.stopping) {
      try {
        await this.runOnce(false);
        delay = this.options.retryDelayMs ?? 500;
      } catch (error) {
        if (this.isStopping()) break;
        if (error instanceof CheckpointMovedError) {
          this.options.logger?.info({ projection: this.name }, 'checkpoint moved elsewhere; resuming from the stored one');
          continue;
        }
        if (error instanceof UnknownCheckpointError) {
          this.options.logger?.error(
            { projection: this.name, code: error.code },
            'checkpoint unknown to the event store (restored store?); rebuilding the read model',
          );
          await this.options.dataSource.transaction((m) => checkpoints.reset(m, this.checkpointed));
          continue;
        }
        this.options.metrics?.failures.inc({ projection: this.name });
        this.options.logger?.error({ projection: this.name, err: errorSummary(error), retryInMs: delay }, 'projection batch failed; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  private async runOnce(untilCaughtUp: boolean): Promise<void> {
    const { dataSource, store } = this.options;
    const projection = this.checkpointed;
    const checkpoint = await dataSource.transaction(async (m) => {
      const current = await checkpoints.ensure(m, projection);
      if (current.version === projection.version) return current;
      this.options.logger?.info({ projection: this.name, from: current.version, to: projection.version }, 'projection version changed; rebuilding');
      await checkpoints.reset(m, projection);
      return checkpoints.ensure(m, projection);
    });
    // Each run (the worker's loop, a concurrent catch-up) tracks its own position:
    // the checkpoint lock compares against what *this* run has applied.
    let position = checkpoint.position;
    this.position = position;
    const subscription = store.subscribeToAll({
      ...(checkpoint.position ? { after: checkpoint.position } : {}),
      ...(projection.filter ? { filter: projection.filter } : {}),
      batchSize: this.options.batchSize ?? 500,
    });
    this.subscriptions.add(subscription);
    try {
      for await (const batch of subscription) {
        if (this.isStopping()) break;
        if (batch.events.length > 0) position = await this.applyBatch(batch.events, position);
        if (batch.caughtUp) {
          this.reachedHead = true;
          // "Caught up" is relative to the visibility horizon, which any open transaction
          // of the cluster holds back; a catch-up waits for what is already committed.
          if (untilCaughtUp && (await store.countAfter(position ?? undefined, projection.filter, 1)) === 0) break;
        }
      }
    } finally {
      this.subscriptions.delete(subscription);
      await subscription.close();
    }
  }

  /** Applies a batch if the checkpoint is still where this run left it; returns the new position. */
  private async applyBatch(events: readonly RecordedEvent[], expected: GlobalPosition | null): Promise<GlobalPosition | null> {
    const { dataSource, projection, partition } = this.options;
    const last = events[events.length - 1];
    if (!last) return expected;
    await dataSource.transaction(async (m) => {
      await checkpoints.lockAt(m, this.checkpointed, expected);
      const mine = partition ? events.filter((e) => tenantPartition(e, partition.count) === partition.index) : events;
      const pending = this.options.appliedInline ? await claimFromInline(m, projection.name, mine) : mine;
      if (pending.length > 0) await projection.apply(pending, m);
      await checkpoints.advance(m, this.checkpointed, last.globalPosition, events.length);
    });
    this.position = last.globalPosition;
    this.options.metrics?.handled.inc({ projection: this.name }, events.length);
    return last.globalPosition;
  }
}

/**
 * The events of a batch that no command has applied inline yet; moves the
 * inline positions past them. Without this, a runner replaying an older event
 * after a newer one was applied inline would undo it (a removed department back
 * in the organization view, a rename reverted) until the runner reached the
 * newer event too. Each stream's position row is created or locked, in stream
 * order, as the inline projector does for its projections: an inline call on one
 * of these streams waits for this transaction and then applies from the moved
 * position, and this one waits for an inline call in progress.
 */
async function claimFromInline(m: EntityManager, projection: string, events: readonly RecordedEvent[]): Promise<readonly RecordedEvent[]> {
  const streams = [...new Set(events.map((e) => e.streamId))].sort();
  const rows = await m.query<{ stream_id: string; applied_through: string }[]>(
    `INSERT INTO projections.inline_streams (projection, stream_id, applied_through)
     SELECT $1, s, -1 FROM unnest($2::text[]) AS s ORDER BY s
     ON CONFLICT (projection, stream_id) DO UPDATE SET applied_through = projections.inline_streams.applied_through
     RETURNING stream_id, applied_through::text`,
    [projection, streams],
  );
  const through = new Map(rows.map((r) => [r.stream_id, Number(r.applied_through)]));
  const pending = events.filter((e) => e.streamPosition > (through.get(e.streamId) ?? -1));
  const last = new Map<string, number>();
  for (const e of pending) last.set(e.streamId, Math.max(last.get(e.streamId) ?? -1, e.streamPosition));
  if (last.size > 0) {
    await m.query(
      `UPDATE projections.inline_streams AS i SET applied_through = v.position
         FROM unnest($2::text[], $3::bigint[]) AS v(stream_id, position)
        WHERE i.projection = $1 AND i.stream_id = v.stream_id AND i.applied_through < v.position`,
      [projection, [...last.keys()], [...last.values()]],
    );
  }
  return pending;
}

/**
 * A partition as the checkpoint store sees it: its own name; its reset empties the shared read
 * model, rewinds every partition's checkpoint (so none goes on over emptied tables) and drops
 * the projection's inline positions (kept under the projection's own name).
 */
function partitioned(projection: Projection, partition: ProjectionPartition): Projection {
  return {
    ...projection,
    name: partitionName(projection.name, partition),
    reset: async (m) => {
      await projection.reset(m);
      await m.query(`DELETE FROM projections.inline_streams WHERE projection = $1`, [projection.name]);
      await m.query(
        `UPDATE projections.checkpoints SET version = $2, position = NULL, events_handled = 0, updated_at = now(), rebuilt_at = now()
          WHERE name LIKE $1 ESCAPE '\\'`,
        [`${projection.name.replace(/[\\%_]/g, (c) => `\\${c}`)}@%`, projection.version],
      );
    },
  };
}

/** Empties a read model and replays the whole log into it; returns when caught up. */
export async function rebuildProjection(options: ProjectionRunnerOptions): Promise<void> {
  await options.dataSource.transaction(async (m) => {
    await checkpoints.ensure(m, options.projection);
    await checkpoints.reset(m, options.projection);
  });
  await new ProjectionRunner(options).catchUp();
}

function errorSummary(error: unknown): { name: string; code?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, ...(typeof code === 'string' ? { code } : {}), message: error.message };
  }
  return { name: 'Unknown', message: 'non-error thrown' };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
