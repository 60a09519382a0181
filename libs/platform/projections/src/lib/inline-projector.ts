import type { DataSource } from 'typeorm';
import type { EventStore } from '@attest/event-store';
import type { Projection } from './projection';

/**
 * Applies a stream's new events at once to the given projections, in one
 * owner transaction, so a command's caller reads its own write (and, for the
 * outbox, a notice is queued before anything else happens). The workers apply
 * the same events again later: the projections must be idempotent.
 */
export class InlineProjector {
  constructor(
    private readonly ownerDataSource: DataSource,
    private readonly store: EventStore,
    private readonly projections: readonly Projection[],
  ) {}

  async projectStream(streamId: string, fromRevision: number): Promise<void> {
    const events = await this.store.readStream(streamId, { fromRevision: Math.max(0, fromRevision), maxCount: 10_000 });
    if (events.length === 0) return;
    await this.ownerDataSource.transaction(async (m) => {
      for (const projection of this.projections) {
        const filter = projection.filter;
        const relevant = filter && 'eventTypes' in filter ? events.filter((e) => filter.eventTypes.includes(e.type)) : events;
        if (relevant.length > 0) await projection.apply(relevant, m);
      }
    });
  }
}
