import type { EntityManager } from 'typeorm';
import type { EventFilter, RecordedEvent } from '@attest/event-store';

/**
 * A read model fed from the global log. The runner calls `apply` inside one
 * transaction that also moves the checkpoint, so each batch takes effect
 * exactly once. `apply` should still be idempotent per event (delivering an
 * event twice changes nothing), which keeps rebuilds and tests honest.
 *
 * Bump `version` when the read model's shape or meaning changes: the runner
 * then calls `reset` and replays the log from the start. Versioned table names
 * (`…_v2`) let a new version be built by a new migration.
 */
export interface Projection {
  readonly name: string;
  readonly version: number;
  /** Only these events reach `apply`; filtered by the store. */
  readonly filter?: EventFilter;
  apply(events: readonly RecordedEvent[], manager: EntityManager): Promise<void>;
  /** Removes everything the projection wrote, for a rebuild. */
  reset(manager: EntityManager): Promise<void>;
}
