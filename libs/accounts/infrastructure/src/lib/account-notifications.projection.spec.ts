import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AccountContacts } from '@attest/accounts-application';
import type { AccountEvent } from '@attest/accounts-domain';
import { createDataSource, platformMigrations } from '@attest/database';
import type { GlobalPosition, RecordedEvent } from '@attest/event-store';
import { uuidv7, type JsonValue } from '@attest/kernel';
import { notificationMigrations, Outbox } from '@attest/notifications';
import { keyVaultMigrations, parseMasterKey, PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { accountNotificationsProjection } from './account-notifications.projection';

describe('account notifications projection (real Postgres, real outbox)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vault: PostgresKeyVault;
  let outbox: Outbox;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase('account_notifications', { migrations: [...platformMigrations, ...keyVaultMigrations, ...notificationMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    vault = new PostgresKeyVault({ connectionString: db.url, masterKey: parseMasterKey(randomBytes(32).toString('base64')) });
    await vault.verifyMasterKey();
    outbox = new Outbox(new ReadModelPrivacy(vault));
  });

  afterAll(async () => {
    await vault.close();
    await ds.destroy();
    await db.drop();
  });

  const recorded = (event: AccountEvent): RecordedEvent => {
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

  /** The accounts' contacts as the account streams give them; counts each read. */
  const contactsOf = (known: Map<string, { phone: string | null; email: string | null } | null>): AccountContacts & { reads: string[] } => {
    const reads: string[] = [];
    return {
      reads,
      contactOf: (accountId) => {
        reads.push(accountId);
        return Promise.resolve(known.get(accountId) ?? null);
      },
    };
  };

  const rows = async (): Promise<unknown[]> => {
    const stored = await ds.query<{ id: string; subject_id: string; payload: JsonValue }[]>(
      `SELECT id, source_key, tenant_id, subject_id, kind, payload, created_at, audience FROM notifications.outbox ORDER BY source_key`,
    );
    return Promise.all(stored.map(async ({ id, ...r }) => ({ ...r, payload: await outbox.open(id, r.subject_id, r.payload) })));
  };

  it('a batch gives the notices its events give one at a time, reading each account’s contact once', async () => {
    const a = uuidv7();
    const b = uuidv7();
    const gone = uuidv7();
    const known = new Map([
      [a, { phone: '+8613800000000', email: null }],
      [b, { phone: null, email: 'b@example.org' }],
      [gone, null],
    ]);
    const by = { note: null, decidedBy: 'apiKey:op', lastActivityAt: null };
    const events = [
      recorded({ type: 'AccountRestricted.v1', data: { accountId: a, tenantId: 'acme', reason: 'violation', ...by } }),
      recorded({ type: 'EnterpriseVerified.v1', data: { accountId: b, tenantId: 'acme', verifiedBy: 'apiKey:op' } }),
      recorded({ type: 'AccountSuspended.v1', data: { accountId: gone, tenantId: 'acme', reason: 'dispute', ...by } }),
      recorded({
        type: 'AccountReactivated.v1',
        data: { accountId: a, tenantId: 'acme', reason: 'resolved', note: null, decidedBy: 'user:u', method: 'one-time-code' },
      }),
      recorded({ type: 'AccountCancelled.v1', data: { accountId: b, tenantId: 'acme', reason: 'requested', decidedBy: 'user:u', lastActivityAt: null } }),
      // Not a notice: no contact read, no row.
      recorded({ type: 'CancellationRequested.v1', data: { accountId: a, tenantId: 'acme', requestedBy: 'user:a' } }),
    ];
    const oneByOne = contactsOf(known);
    const alone = accountNotificationsProjection(outbox, oneByOne);
    for (const e of events) await ds.transaction((m) => alone.apply([e], m));
    const expected = await rows();
    await ds.query('DELETE FROM notifications.outbox');

    const batched = contactsOf(known);
    const projection = accountNotificationsProjection(outbox, batched);
    await ds.transaction((m) => projection.apply(events, m));
    expect(await rows()).toEqual(expected);
    expect(oneByOne.reads).toEqual([a, b, gone, a, b]);
    expect(batched.reads).toEqual([a, b, gone]);
    // The erased account is told nothing; a closing notice is sealed under a key of its own.
    expect(expected).toHaveLength(4);
    const told = expected as { kind: string; subject_id: string; payload: { to?: unknown } }[];
    expect(told.filter((r) => r.subject_id === a).map((r) => r.payload.to)).toEqual([
      { email: null, phone: '+8613800000000' },
      { email: null, phone: '+8613800000000' },
    ]);
    expect(told.filter((r) => r.subject_id === gone)).toEqual([]);
    expect(told.filter((r) => r.subject_id === `notice-${events[4]?.id ?? ''}`).map((r) => r.kind)).toEqual(['account-notice']);
    // Delivered again (the worker after the inline projection): nothing added.
    await ds.transaction((m) => projection.apply(events, m));
    expect(await rows()).toEqual(expected);
  });
});
