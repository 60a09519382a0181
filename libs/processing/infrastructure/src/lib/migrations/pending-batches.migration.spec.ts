import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import type { RecordDraft } from '@attest/processing-domain';
import { createTestDatabase, runMigration, type TestDatabase } from '@attest/testing';
import { generateSignerKey, parseSignerKey } from '@attest/transparency';
import { PostgresRecordLog } from '../record-log';
import { testDraft as draft } from '../test-drafts';
import { processingMigrations } from './index';
import { ProcessingPendingBatches1764900000000 } from './1764900000000-processing-pending-batches.migration';

describe('migration 1764900000000: staged records as one row per stage call (ADR 0009, decision 8)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const migration = new ProcessingPendingBatches1764900000000();
  const before = processingMigrations.filter((m) => m !== ProcessingPendingBatches1764900000000);

  beforeAll(async () => {
    db = await createTestDatabase('pending_batches', { migrations: [...platformMigrations, ...before] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const migrate = (direction: 'up' | 'down'): Promise<void> => runMigration(ds, migration, direction);

  it('keeps records staged before it (up), in order and mergeable, and gives them back one row each (down)', async () => {
    const old = [draft('t-a', 0), draft('t-b', 0), draft('t-a', 1)];
    for (const d of old) {
      await ds.query(`INSERT INTO processing.pending (tenant_id, source_id, draft) VALUES ($1, $2, $3)`, [d.tenantId, d.sourceId, JSON.stringify(d)]);
    }
    await migrate('up');
    const up = await ds.query<{ tenant_id: string; n: number; drafts: RecordDraft[] }[]>(`SELECT tenant_id, n, drafts FROM processing.pending ORDER BY seq`);
    expect(up).toEqual(old.map((d) => ({ tenant_id: d.tenantId, n: 1, drafts: [d] })));
    await expect(ds.query(`DELETE FROM processing.pending`)).rejects.toThrow(/only by being merged/);

    await migrate('down');
    const down = await ds.query<{ tenant_id: string; source_id: string; draft: RecordDraft }[]>(
      `SELECT tenant_id, source_id, draft FROM processing.pending ORDER BY seq`,
    );
    expect(down).toEqual(old.map((d) => ({ tenant_id: d.tenantId, source_id: d.sourceId, draft: d })));
    await expect(ds.query(`DELETE FROM processing.pending`)).rejects.toThrow(/only by being merged/);
    await expect(ds.query(`UPDATE processing.pending SET draft = '{}'`)).rejects.toThrow(/only by being merged/);

    // Up again, a batch of two beside them: everything merges into the logs, oldest first.
    await migrate('up');
    const later = [draft('t-a', 2), draft('t-a', 3)];
    await ds.query(`INSERT INTO processing.pending (tenant_id, n, drafts) VALUES ('t-a', 2, $1)`, [JSON.stringify(later)]);
    const log = new PostgresRecordLog(ds, null, {
      origin: 'attest.test/pending-batches',
      signer: parseSignerKey(generateSignerKey('attest.test/pending-batches')),
    });
    expect(await log.mergePending(undefined, { wait: true })).toBe(5);
    const sources = (await ds.query<{ source_id: string }[]>(`SELECT source_id FROM processing.records WHERE tenant_id = 't-a' ORDER BY idx`)).map(
      (r) => r.source_id,
    );
    expect(sources).toEqual([old[0], old[2], ...later].map((d) => d?.sourceId));
    expect(await log.pendingCount('t-a')).toBe(0);
  });
});
