import type { DataSource } from 'typeorm';
import type { AccountsProjector } from '@attest/accounts-application';
import type { EventStore } from '@attest/event-store';
import type { Projection } from '@attest/projections';

/**
 * Applies a stream's new events to the accounts read models and the outbox
 * at once, in one owner transaction, so the UI reads its own writes and a
 * closing notice is queued before the account's key is destroyed. The
 * workers apply the same events again later; both projections are idempotent.
 */
export class PostgresAccountsProjector implements AccountsProjector {
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
