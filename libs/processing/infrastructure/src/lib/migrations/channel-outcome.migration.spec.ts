import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { createTestDatabase, runMigration, type TestDatabase } from '@attest/testing';
import { processingMigrations } from './index';
import { ProcessingChannelOutcome1765400000000 } from './1765400000000-processing-channel-outcome.migration';

describe('migration 1765400000000: channel and outcome as filterable columns of the records', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const migration = new ProcessingChannelOutcome1765400000000();
  const before = processingMigrations.filter((m) => m !== ProcessingChannelOutcome1765400000000);

  beforeAll(async () => {
    db = await createTestDatabase('channel_outcome', { migrations: [...platformMigrations, ...before] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const migrate = (direction: 'up' | 'down'): Promise<void> => runMigration(ds, migration, direction);

  const body = (channel: string | null, outcome: string | null): string => JSON.stringify({ kind: 'decision', channel, outcome });

  it('fills both from the bodies written before it, leaves a purged entry empty, and keeps the record append-only', async () => {
    const rows: [number, string | null][] = [
      [0, body('email', 'allow')],
      [1, body('sms', 'deny')],
      [2, body(null, null)],
      [3, null],
    ];
    for (const [idx, text] of rows) {
      await ds.query(
        `INSERT INTO processing.records (tenant_id, idx, leaf_hash, body, source_id, kind, at) VALUES ('t-a', $1, decode(repeat('00', 32), 'hex'), $2, $3, 'decision', now())`,
        [idx, text, `s${idx}`],
      );
    }
    await migrate('up');
    const up = await ds.query<{ idx: string; channel: string | null; outcome: string | null }[]>(
      `SELECT idx::text AS idx, channel, outcome FROM processing.records ORDER BY idx`,
    );
    expect(up).toEqual([
      { idx: '0', channel: 'email', outcome: 'allow' },
      { idx: '1', channel: 'sms', outcome: 'deny' },
      { idx: '2', channel: null, outcome: null },
      { idx: '3', channel: null, outcome: null },
    ]);
    // The append-only guard is back on, for the table's owner too.
    await expect(ds.query(`UPDATE processing.records SET channel = 'web' WHERE idx = 0`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM processing.records WHERE idx = 2`)).rejects.toThrow(/append-only/);

    await migrate('down');
    const columns = await ds.query<{ column_name: string }[]>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'processing' AND table_name = 'records' AND column_name IN ('channel', 'outcome')`,
    );
    expect(columns).toEqual([]);
    await expect(ds.query(`UPDATE processing.records SET kind = 'read' WHERE idx = 0`)).rejects.toThrow(/append-only/);
    await migrate('up');
  });
});
