import pg from 'pg';
import { advance, type DeliveryState } from '@attest/messaging-domain';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { STATE_RANK_SQL, statusTransitionSql } from './intake';

/**
 * The webhook intake applies a status in one SQL statement; the rule it applies is the domain's
 * `advance`. This checks the SQL against `advance` for every stored state and every status
 * Meta may send (and one it may add later), on real PostgreSQL.
 */
describe('the intake’s status transition in SQL is the domain’s advance (a status never moves backwards)', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('messaging_intake');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  const stored = ['queued', 'sending', 'accepted', 'in-doubt', 'sent', 'delivered', 'read', 'failed', 'blocked', 'held', 'cancelled'] as const;
  const incoming = { sent: 1, delivered: 2, read: 3, failed: 4 } as const;
  /** How the log's states read as delivery states (anything not confirmed yet is `queued`; the rest take no status). */
  const asDelivery = (state: (typeof stored)[number]): DeliveryState | null =>
    state === 'sent' || state === 'delivered' || state === 'read' || state === 'failed'
      ? state
      : state === 'blocked' || state === 'held' || state === 'cancelled'
        ? null
        : 'queued';

  it.each(stored)('from %s', async (state) => {
    for (const [status, rank] of Object.entries(incoming)) {
      const { rows } = await client.query<{ next: string | null }>(
        `SELECT ${statusTransitionSql('r.rank', '$2::text', '$3::int')} AS next FROM (SELECT ${STATE_RANK_SQL} AS rank FROM (SELECT $1::text AS state) s) r`,
        [state, status, rank],
      );
      const current = asDelivery(state);
      expect({ state, status, next: rows[0]?.next ?? null }).toEqual({ state, status, next: current === null ? null : advance(current, status) });
    }
  });
});
