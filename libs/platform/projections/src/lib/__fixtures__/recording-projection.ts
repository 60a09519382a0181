import type { EntityManager } from 'typeorm';
import type { EventFilter, RecordedEvent } from '@attest/event-store';
import type { Projection } from '../projection';

export const RECORDING_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS recorded_rows (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id uuid NOT NULL,
    n integer NOT NULL
  )`;

/**
 * A deliberately non-idempotent projection (a plain INSERT per event, no
 * unique key): any batch applied twice shows up as duplicate rows, so tests
 * see whether the runner's transaction really gives exactly-once effect.
 */
export function recordingProjection(filter: EventFilter, version = 1, onEvent?: (index: number) => Promise<void>): Projection {
  let applied = 0;
  return {
    name: 'recording',
    version,
    filter,
    async apply(events: readonly RecordedEvent[], manager: EntityManager) {
      for (const event of events) {
        await manager.query(`INSERT INTO recorded_rows (event_id, n) VALUES ($1, $2)`, [event.id, event.data['n']]);
        applied += 1;
        if (onEvent) await onEvent(applied);
      }
    },
    async reset(manager: EntityManager) {
      await manager.query(`TRUNCATE recorded_rows`);
    },
  };
}
