import type { EntityManager } from 'typeorm';
import { asGlobalPosition, type GlobalPosition } from '@attest/event-store';
import type { Projection } from './projection';

export interface Checkpoint {
  readonly name: string;
  readonly version: number;
  readonly position: GlobalPosition | null;
  readonly eventsHandled: number;
  readonly updatedAt: Date;
  readonly rebuiltAt: Date | null;
}

interface CheckpointRow {
  name: string;
  version: number;
  position: string | null;
  events_handled: string;
  updated_at: Date;
  rebuilt_at: Date | null;
}

/** The checkpoint moved under the runner: another runner or a rebuild got there first. */
export class CheckpointMovedError extends Error {
  readonly code = 'PROJECTION.CHECKPOINT_MOVED';
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    name: row.name,
    version: row.version,
    position: row.position === null ? null : asGlobalPosition(row.position),
    eventsHandled: Number(row.events_handled),
    updatedAt: row.updated_at,
    rebuiltAt: row.rebuilt_at,
  };
}

/** Reads and moves `projections.checkpoints`, always inside the caller's transaction. */
export const checkpoints = {
  async ensure(manager: EntityManager, projection: Projection): Promise<Checkpoint> {
    await manager.query(`INSERT INTO projections.checkpoints (name, version) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
      projection.name,
      projection.version,
    ]);
    const rows: CheckpointRow[] = await manager.query(`SELECT * FROM projections.checkpoints WHERE name = $1`, [projection.name]);
    const row = rows[0];
    if (!row) throw new Error(`checkpoint of ${projection.name} vanished`);
    return toCheckpoint(row);
  },

  async list(manager: EntityManager): Promise<Checkpoint[]> {
    const rows: CheckpointRow[] = await manager.query(`SELECT * FROM projections.checkpoints ORDER BY name`);
    return rows.map(toCheckpoint);
  },

  /** Locks the row and fails unless it is still where the runner left it. */
  async lockAt(manager: EntityManager, projection: Projection, expected: GlobalPosition | null): Promise<void> {
    const rows: CheckpointRow[] = await manager.query(`SELECT * FROM projections.checkpoints WHERE name = $1 FOR UPDATE`, [projection.name]);
    const row = rows[0];
    if (!row || row.position !== expected || row.version !== projection.version) {
      throw new CheckpointMovedError(`checkpoint of ${projection.name} moved`);
    }
  },

  async advance(manager: EntityManager, projection: Projection, position: GlobalPosition, handled: number): Promise<void> {
    await manager.query(
      `UPDATE projections.checkpoints
       SET position = $2, events_handled = events_handled + $3, updated_at = now()
       WHERE name = $1`,
      [projection.name, position, handled],
    );
  },

  /**
   * Empties the read model and rewinds the checkpoint, atomically. The inline
   * positions go too: after a rebuild (or a log restored to an earlier state)
   * the next command on a stream applies it inline from its start again
   * (projections are idempotent) instead of skipping revisions it never saw.
   */
  async reset(manager: EntityManager, projection: Projection): Promise<void> {
    await manager.query(`SELECT 1 FROM projections.checkpoints WHERE name = $1 FOR UPDATE`, [projection.name]);
    await projection.reset(manager);
    await manager.query(`DELETE FROM projections.inline_streams WHERE projection = $1`, [projection.name]);
    await manager.query(
      `UPDATE projections.checkpoints
       SET version = $2, position = NULL, events_handled = 0, updated_at = now(), rebuilt_at = now()
       WHERE name = $1`,
      [projection.name, projection.version],
    );
  },
};
