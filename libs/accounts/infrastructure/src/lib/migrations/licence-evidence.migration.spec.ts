import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { eventStoreMigrations } from '@attest/event-store-postgres';
import { uuidv7 } from '@attest/kernel';
import { createTestDatabase, runMigration, type TestDatabase } from '@attest/testing';
import { LicenceEvidence1765500000700 } from './1765500000700-licence-evidence.migration';
import { accountsMigrations } from './index';

describe('migration 1765500000700: the licence evidence on the account', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const migration = new LicenceEvidence1765500000700();
  const before = accountsMigrations.filter((m) => m !== LicenceEvidence1765500000700);

  beforeAll(async () => {
    db = await createTestDatabase('licence_evidence', { migrations: [...eventStoreMigrations, ...platformMigrations, ...before] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('fills each enterprise with its latest evidence from the log (a resubmission wins), leaves other accounts empty, and goes down', async () => {
    const resubmitted = uuidv7();
    const registered = uuidv7();
    const member = uuidv7();
    const evidence = (n: string) => ({ documentRef: `licences/${n}.pdf`, sha256: n.repeat(64).slice(0, 64) });
    const append = (accountId: string, position: number, type: string, data: Record<string, unknown>): Promise<unknown> =>
      ds.query(
        `INSERT INTO event_store.events (epoch, transaction_id, event_id, stream_id, category, stream_position, type, data, metadata)
         VALUES (0, pg_current_xact_id(), $1, $2, 'account', $3, $4, $5, '{}')`,
        [uuidv7(), `account-${accountId}`, position, type, JSON.stringify({ tenantId: 't-a', accountId, ...data })],
      );
    await append(resubmitted, 0, 'EnterpriseRegistered.v1', { legalName: 'A Ltd', evidence: evidence('a') });
    await append(resubmitted, 1, 'EnterpriseRejected.v1', { reasons: ['licence-illegible'] });
    await append(resubmitted, 2, 'LicenceEvidenceSubmitted.v1', { evidence: evidence('b') });
    await append(registered, 0, 'EnterpriseRegistered.v1', { legalName: 'C Ltd', evidence: evidence('c') });
    for (const [accountId, kind] of [
      [resubmitted, 'enterprise'],
      [registered, 'enterprise'],
      [member, 'member'],
    ] as const) {
      await ds.query(
        `INSERT INTO accounts.accounts_v1 (account_id, tenant_id, kind, status, created_at, updated_at, last_position) VALUES ($1, 't-a', $2, 'active', now(), now(), '0')`,
        [accountId, kind],
      );
    }
    await runMigration(ds, migration, 'up');
    const rows = await ds.query<{ account_id: string; licence_evidence: unknown }[]>(`SELECT account_id, licence_evidence FROM accounts.accounts_v1`);
    const by = new Map(rows.map((r) => [r.account_id, r.licence_evidence]));
    expect(by.get(resubmitted)).toEqual(evidence('b'));
    expect(by.get(registered)).toEqual(evidence('c'));
    expect(by.get(member)).toBeNull();

    await runMigration(ds, migration, 'down');
    const columns = await ds.query<{ column_name: string }[]>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'accounts' AND table_name = 'accounts_v1' AND column_name = 'licence_evidence'`,
    );
    expect(columns).toEqual([]);
    await runMigration(ds, migration, 'up');
  });
});
