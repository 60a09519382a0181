import type { Projection } from '../projection';

export const LEASED_ROWS_SQL = `CREATE TABLE IF NOT EXISTS leased_rows (projection text NOT NULL, event_id uuid NOT NULL, n integer NOT NULL)`;

/** A deliberately non-idempotent projection (a plain INSERT per event): an event applied twice shows as two rows. */
export function leasedRecording(name: string, category: string): Projection {
  return {
    name,
    version: 1,
    filter: { streamCategories: [category] },
    async apply(events, manager) {
      for (const e of events) await manager.query(`INSERT INTO leased_rows (projection, event_id, n) VALUES ($1, $2, $3)`, [name, e.id, e.data['n']]);
    },
    async reset(manager) {
      await manager.query(`DELETE FROM leased_rows WHERE projection = $1`, [name]);
    },
  };
}
