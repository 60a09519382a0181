import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AccountEvent, OrganizationEvent } from '@attest/accounts-domain';
import { createDataSource, platformMigrations } from '@attest/database';
import type { GlobalPosition, RecordedEvent } from '@attest/event-store';
import { uuidv7 } from '@attest/kernel';
import { ERASED } from '@attest/privacy';
import { keyVaultMigrations, parseMasterKey, PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { accountsProjection } from './accounts.projection';
import { accountsMigrations } from './migrations';

describe('accounts projection (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vault: PostgresKeyVault;
  let privacy: ReadModelPrivacy;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase('accounts_projection', { migrations: [...platformMigrations, ...keyVaultMigrations, ...accountsMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    vault = new PostgresKeyVault({ connectionString: db.url, masterKey: parseMasterKey(randomBytes(32).toString('base64')) });
    await vault.verifyMasterKey();
    privacy = new ReadModelPrivacy(vault);
  });

  afterAll(async () => {
    await vault.close();
    await ds.destroy();
    await db.drop();
  });

  const recorded = (event: AccountEvent | OrganizationEvent): RecordedEvent => {
    seq += 1;
    return {
      id: uuidv7(),
      type: event.type,
      data: event.data,
      metadata: {
        tenantId: event.data.tenantId,
        actor: 'user:admin',
        correlationId: 'c',
        causationId: 'c',
        commandId: 'c',
        occurredAt: new Date(Date.UTC(2026, 10, 22, 0, seq)).toISOString(),
      },
      streamId: 'account-x',
      streamPosition: seq,
      globalPosition: String(seq).padStart(12, '0') as GlobalPosition,
      recordedAt: new Date(),
    };
  };

  const snapshot = async (): Promise<unknown[]> => [
    // rows as the database returns them
    await ds.query<unknown[]>(
      'SELECT account_id, status, verification, holds, cancellation_requested, agreement, last_position FROM accounts.accounts_v1 ORDER BY account_id',
    ),
    await ds.query<unknown[]>('SELECT account_id, position, event, status, reason FROM accounts.status_history_v1 ORDER BY account_id, position'),
    await ds.query<unknown[]>('SELECT department_id, name, parent_id FROM accounts.departments_v1 ORDER BY department_id'),
    await ds.query<unknown[]>('SELECT request_id, due_on::text, completed_on::text FROM accounts.function_deletions_v1 ORDER BY request_id'),
  ];

  it('N2: delivering every event twice changes nothing, and a rebuild gives the same read model', async () => {
    const accountId = uuidv7();
    const tenantId = 'acme';
    const ids = { accountId, tenantId };
    const d1 = uuidv7();
    const events = [
      recorded({
        type: 'EnterpriseRegistered.v1',
        data: {
          ...ids,
          legalName: 'Acme',
          registrationNumber: 'RN1',
          contact: { name: 'Li Wei', email: 'li@example.com', phone: null },
          evidence: { documentRef: 'd', sha256: 'a'.repeat(64) },
        },
      }),
      recorded({ type: 'EnterpriseVerified.v1', data: { ...ids, verifiedBy: 'apiKey:op' } }),
      recorded({ type: 'HoldPlaced.v1', data: { ...ids, holdId: 'h1', kind: 'dispute', reference: 'c-1', placedBy: 'apiKey:op' } }),
      recorded({ type: 'HoldReleased.v1', data: { ...ids, holdId: 'h1', kind: 'dispute', releasedBy: 'apiKey:op' } }),
      recorded({ type: 'AccountRestricted.v1', data: { ...ids, reason: 'violation', note: 'x', decidedBy: 'apiKey:op', lastActivityAt: null } }),
      recorded({ type: 'AccountReactivated.v1', data: { ...ids, reason: 'resolved', note: null, decidedBy: 'user:u', method: 'one-time-code' } }),
      recorded({
        type: 'FunctionDataDeletionRequested.v1',
        data: { ...ids, requestId: d1, function: 'calls', requestedOn: '2026-11-22', dueOn: '2026-12-11', requestedBy: 'user:a' },
      }),
      recorded({ type: 'FunctionDataDeletionCompleted.v1', data: { ...ids, requestId: d1, completedOn: '2026-11-30', completedBy: 'apiKey:op' } }),
      recorded({ type: 'DepartmentCreated.v1', data: { tenantId, departmentId: uuidv7(), name: 'Sales', parentId: null, createdBy: 'user:a' } }),
      recorded({ type: 'CancellationRequested.v1', data: { ...ids, requestedBy: 'user:a' } }),
    ];
    const projection = accountsProjection(privacy);
    for (const e of events) await ds.transaction((m) => projection.apply([e], m));
    const once = await snapshot();
    await ds.transaction((m) => projection.apply(events, m));
    expect(await snapshot()).toEqual(once);
    expect(once[0]).toEqual([expect.objectContaining({ status: 'active', verification: 'verified', holds: [], cancellation_requested: true })]);
    expect((once[1] as { event: string }[]).map((h) => h.event)).toEqual([
      'EnterpriseRegistered.v1',
      'EnterpriseVerified.v1',
      'AccountRestricted.v1',
      'AccountReactivated.v1',
    ]);

    await ds.transaction((m) => projection.reset(m));
    await ds.transaction((m) => projection.apply(events, m));
    expect(await snapshot()).toEqual(once);
  });

  it('stores erased personal fields (a rebuild after crypto-shredding) as nothing, not as a new key', async () => {
    const accountId = uuidv7();
    await vault.erase(accountId, 'test');
    const event = recorded({
      type: 'PersonalUserRegistered.v1',
      data: { accountId, tenantId: 'p-x', phone: ERASED as unknown as string, birthDate: ERASED as unknown as string },
    });
    await ds.transaction((m) => accountsProjection(privacy).apply([event], m));
    const [row] = await ds.query<{ phone: unknown; birth_date: unknown }[]>('SELECT phone, birth_date FROM accounts.accounts_v1 WHERE account_id = $1', [
      accountId,
    ]);
    expect(row).toEqual({ phone: null, birth_date: null });
  });
});
