import { platformMigrations } from '@attest/database';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { NO_STREAM } from '@attest/event-store';
import { testEvent } from '@attest/event-store-contract';
import { eventStoreMigrations, PostgresEventStore } from '@attest/event-store-postgres';
import { uuidv7 } from '@attest/kernel';
import { EventTypeRegistry, isErased } from '@attest/privacy';
import { createTestDatabase, scanForCanaries, type TestDatabase } from '@attest/testing';
import { EncryptingEventStore } from './encrypting-event-store';
import { PostgresKeyVault } from './key-vault';
import { parseMasterKey } from './master-key';
import { keyVaultMigrations } from './migrations';

const registry = new EventTypeRegistry([
  {
    type: 'CustomerRegistered.v1',
    personalData: true,
    subject: 'customerId',
    personal: ['name', 'email', 'notes'],
    fields: { customerId: 'not-personal', name: 'personal', email: 'personal', notes: 'personal' },
  },
]);

/** Fresh canaries per run, so nothing else in the shared test cluster can match them. */
function canaries(): { name: string; email: string; notes: string } {
  const tag = randomBytes(6).toString('hex');
  return { name: `Canary Li Na ${tag}`, email: `canary.${tag}@example.org`, notes: `canary notes about health ${tag}` };
}

describe('the PII scan harness (tables, cluster files after CHECKPOINT, logs)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('pii_scan', { migrations: [...eventStoreMigrations, ...platformMigrations, ...keyVaultMigrations] });
  });

  afterAll(async () => {
    await db.drop();
  });

  it('finds a planted canary in a table, in the files on disk, as hex and as base64, and in logs', async () => {
    const c = canaries();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE leak (plain text, encoded text, raw bytea)');
    await client.query('INSERT INTO leak VALUES ($1, $2, $3)', [c.name, Buffer.from(`xx${c.email}yy`).toString('base64'), Buffer.from(c.notes)]);
    await client.end();
    const report = await scanForCanaries({
      databaseUrl: db.url,
      canaries: [c.name, c.email, c.notes],
      logs: [`user ${c.email} logged in`],
      clusterFiles: true,
    });
    const at = (place: string) => report.findings.filter((f) => f.place.startsWith(place));
    expect(
      at('table public.leak')
        .map((f) => [f.canary, f.encoding])
        .sort(),
    ).toEqual(
      [
        [c.email, 'base64'],
        [c.name, 'plain'],
        [c.notes, 'hex'],
      ].sort(),
    );
    expect(at('file').some((f) => f.canary === c.name && f.encoding === 'plain')).toBe(true);
    expect(at('logs').map((f) => f.canary)).toEqual([c.email]);
    expect(report.filesScanned).toBeGreaterThan(10);
  }, 60_000);

  it('finds no canary at rest after a scenario through the encrypting store, before erasure as after', async () => {
    const c = canaries();
    const vault = new PostgresKeyVault({ connectionString: db.url, masterKey: parseMasterKey(randomBytes(32).toString('base64')) });
    const store = new EncryptingEventStore(new PostgresEventStore({ connectionString: db.url }), registry, vault);
    await vault.verifyMasterKey();
    const subject = uuidv7();
    const event = { ...testEvent('CustomerRegistered.v1'), data: { customerId: subject, name: c.name, email: c.email, notes: c.notes } };
    await store.appendToStream(`customer-${subject}`, [event], { expectedRevision: NO_STREAM });
    expect((await store.readStream(`customer-${subject}`))[0]?.data['email']).toBe(c.email); // readable in memory

    const before = await scanForCanaries({ databaseUrl: db.url, canaries: [c.name, c.email, c.notes], clusterFiles: true });
    expect(before.findings).toEqual([]);
    expect(before.rowsScanned).toBeGreaterThan(0);

    await vault.erase(subject, 'deletion request');
    expect(isErased((await store.readStream(`customer-${subject}`))[0]?.data['email'])).toBe(true);
    const after = await scanForCanaries({ databaseUrl: db.url, canaries: [c.name, c.email, c.notes], clusterFiles: true });
    expect(after.findings).toEqual([]);
    await store.close();
    await vault.close();
  }, 60_000);
});
