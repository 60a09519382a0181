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
  /**
   * Its events may be applied in partitions by tenant, each by its own runner (`ProjectionPartition`):
   * true only when every row it writes belongs to one tenant and only that tenant's events
   * change it, so the order between tenants does not matter.
   */
  readonly partitionableByTenant?: boolean;
  /**
   * Never reset or rebuilt (its `reset` refuses): a record, not a view. A rebuild of every read
   * model (`attest projections rebuild all`) leaves it out.
   */
  readonly appendOnly?: boolean;
}

/** One of `count` partitions of a projection: the events of the tenants that hash to `index` (0-based). */
export interface ProjectionPartition {
  readonly index: number;
  readonly count: number;
}

/** The name a partition's checkpoint, lease and metrics go by: `customers@1of2`. */
export function partitionName(projection: string, partition: ProjectionPartition): string {
  return `${projection}@${String(partition.index + 1)}of${String(partition.count)}`;
}

/**
 * The partition (0-based) of `count` an event belongs to: by its tenant (FNV-1a of the id), so a
 * tenant's events stay in log order within one partition; events of no tenant go to the first.
 */
export function tenantPartition(event: RecordedEvent, count: number): number {
  const tenantId = (event.metadata as { tenantId?: unknown }).tenantId;
  if (typeof tenantId !== 'string' || count <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < tenantId.length; i++) {
    hash ^= tenantId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}
