import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { eventStoreMigrations } from '@attest/event-store-postgres';
import { uuidv7 } from '@attest/kernel';
import { createTestDatabase, runMigration, type TestDatabase } from '@attest/testing';
import { consentMigrations } from './index';
import { ReceiptsByConsent1765500000000 } from './1765500000000-receipts-by-consent.migration';

describe('migration 1765500000000: receipts found by the consent they were made for', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const migration = new ReceiptsByConsent1765500000000();
  const before = consentMigrations.filter((m) => m !== ReceiptsByConsent1765500000000);

  beforeAll(async () => {
    db = await createTestDatabase('receipts_by_consent', { migrations: [...eventStoreMigrations, ...platformMigrations, ...before] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const migrate = (direction: 'up' | 'down'): Promise<void> => runMigration(ds, migration, direction);

  it('fills consent and action from the log for receipts written before it, and leaves a receipt whose event is not there empty', async () => {
    const customer = uuidv7();
    const consent = uuidv7();
    const receipts = { granted: uuidv7(), withdrawn: uuidv7(), orphan: uuidv7() };
    const events = { granted: uuidv7(), withdrawn: uuidv7(), orphan: uuidv7() };
    const append = (eventId: string, type: string, position: number, receiptId: string): Promise<unknown> =>
      ds.query(
        `INSERT INTO event_store.events (epoch, transaction_id, event_id, stream_id, category, stream_position, type, data, metadata)
         VALUES (0, pg_current_xact_id(), $1, $2, 'consent', $3, $4, $5, '{}')`,
        [eventId, `consent-${customer}`, position, type, JSON.stringify({ tenantId: 't-a', customerId: customer, consentId: consent, receiptId })],
      );
    await append(events.granted, 'ConsentGranted.v1', 0, receipts.granted);
    await append(events.withdrawn, 'ConsentWithdrawn.v1', 1, receipts.withdrawn);
    for (const kind of ['granted', 'withdrawn', 'orphan'] as const) {
      await ds.query(`INSERT INTO consent.receipts_v1 (receipt_id, tenant_id, customer_id, event_id) VALUES ($1, 't-a', $2, $3)`, [
        receipts[kind],
        customer,
        events[kind],
      ]);
    }
    await migrate('up');
    const rows = await ds.query<{ receipt_id: string; consent_id: string | null; action: string | null }[]>(
      `SELECT receipt_id, consent_id, action FROM consent.receipts_v1`,
    );
    const byReceipt = new Map(rows.map((r) => [r.receipt_id, { consent: r.consent_id, action: r.action }]));
    expect(byReceipt.get(receipts.granted)).toEqual({ consent, action: 'granted' });
    expect(byReceipt.get(receipts.withdrawn)).toEqual({ consent, action: 'withdrawn' });
    expect(byReceipt.get(receipts.orphan)).toEqual({ consent: null, action: null });
    await expect(ds.query(`UPDATE consent.receipts_v1 SET action = 'given' WHERE receipt_id = $1`, [receipts.granted])).rejects.toThrow(/check/);

    await migrate('down');
    const columns = await ds.query<{ column_name: string }[]>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'consent' AND table_name = 'receipts_v1' AND column_name IN ('consent_id', 'action')`,
    );
    expect(columns).toEqual([]);
    await migrate('up');
  });
});
