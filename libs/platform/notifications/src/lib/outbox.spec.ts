import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { uuidv7, type JsonValue } from '@attest/kernel';
import { keyVaultMigrations, parseMasterKey, PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { notificationMigrations } from './migrations';
import { Outbox, type Notification } from './outbox';

describe('outbox writes (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vault: PostgresKeyVault;
  let outbox: Outbox;

  beforeAll(async () => {
    db = await createTestDatabase('outbox_writes', { migrations: [...platformMigrations, ...keyVaultMigrations, ...notificationMigrations] });
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

  const notification = (n: number, subjectId: string, to: boolean): Notification => ({
    sourceKey: `event-${String(n)}:notice`,
    tenantId: 'acme',
    subjectId,
    kind: 'account-notice',
    payload: to ? { to: { email: `person${String(n)}@example.org`, phone: null }, reason: 'r' } : { reason: 'r' },
  });

  /** Every row, its payload opened, id left out (fresh each write). */
  const rows = async (): Promise<unknown[]> => {
    const stored = await ds.query<{ id: string; subject_id: string; payload: JsonValue; source_key: string }[]>(
      `SELECT id, source_key, tenant_id, subject_id, kind, payload, status, attempts, next_attempt_at, created_at, audience FROM notifications.outbox ORDER BY source_key`,
    );
    return Promise.all(stored.map(async ({ id, ...r }) => ({ ...r, payload: await outbox.open(id, r.subject_id, r.payload) })));
  };

  it('a batch written at once is what writing each alone gives: sealed under each subject’s key, a source key once', async () => {
    const a = uuidv7();
    const b = uuidv7();
    const at = (n: number): Date => new Date(Date.UTC(2026, 10, 22, 10, n, 0, 123));
    const list = [notification(1, a, true), notification(2, b, false), notification(3, a, true)];
    await ds.transaction(async (m) => {
      for (const [i, n] of list.entries()) await outbox.enqueue(m, n, at(i));
    });
    const alone = await rows();
    await ds.query('DELETE FROM notifications.outbox');
    // The first again at the end: written once, as a second `enqueue` of it would be.
    await ds.transaction((m) =>
      outbox.enqueueAll(m, [...list.map((notification, i) => ({ notification, at: at(i) })), { notification: list[0] as Notification, at: at(9) }]),
    );
    expect(await rows()).toEqual(alone);
    expect(alone).toHaveLength(3);
    expect(alone[0]).toMatchObject({ payload: { to: { email: 'person1@example.org' } }, audience: 'person', created_at: at(0), next_attempt_at: at(0) });
    expect(alone[1]).toMatchObject({ audience: 'tenant' });
    // Nothing of the payload is stored readable.
    const raw = await ds.query<{ text: string }[]>(`SELECT payload::text AS text FROM notifications.outbox`);
    expect(raw.map((r) => r.text).join('\n')).not.toContain('@example.org');
    // Written again (a replayed batch): no row added.
    await ds.transaction((m) =>
      outbox.enqueueAll(
        m,
        list.map((notification, i) => ({ notification, at: at(i) })),
      ),
    );
    expect(await rows()).toEqual(alone);
    await ds.transaction((m) => outbox.enqueueAll(m, []));
  });
});
