import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { uuidv7, type JsonValue } from '@attest/kernel';
import { DecryptionError, ERASED } from '@attest/privacy';
import { createTestDatabase, scanForCanaries, type TestDatabase } from '@attest/testing';
import { PostgresKeyVault } from './key-vault';
import { parseMasterKey } from './master-key';
import { keyVaultMigrations } from './migrations';
import { nameParts, normaliseEmail, normalisePhone, ReadModelPrivacy } from './read-model-privacy';

describe('read-model toolkit: sealed columns and blind indexes (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vault: PostgresKeyVault;
  let privacy: ReadModelPrivacy;
  const tag = randomBytes(4).toString('hex');
  const masterKey = randomBytes(32).toString('base64');
  const people = {
    a: { id: uuidv7(), name: `Li Na ${tag}`, email: `Li.Na.${tag}@Example.com`, phone: '+86 138-1234-5678' },
    b: { id: uuidv7(), name: `Wang Li ${tag}`, email: `wang.${tag}@example.com`, phone: '+86 139 0000 1111' },
  };

  beforeAll(async () => {
    db = await createTestDatabase('read_model_privacy', { migrations: [...platformMigrations, ...keyVaultMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    await ds.query('CREATE TABLE customers_demo (customer_id text PRIMARY KEY, tenant_id text NOT NULL, name jsonb, email jsonb)');
    vault = new PostgresKeyVault({ connectionString: db.url, masterKey: parseMasterKey(masterKey) });
    await vault.verifyMasterKey();
    privacy = new ReadModelPrivacy(vault);
    await ds.transaction(async (m) => {
      for (const p of Object.values(people)) {
        const ref = (column: string) => ({ table: 'customers_demo', column, row: p.id });
        await m.query('INSERT INTO customers_demo VALUES ($1, $2, $3, $4)', [
          p.id,
          'acme',
          JSON.stringify(await privacy.seal(p.id, ref('name'), p.name)),
          JSON.stringify(await privacy.seal(p.id, ref('email'), p.email)),
        ]);
        await privacy.index(m, 'acme', p.id, { email: p.email, phone: p.phone, name: p.name });
      }
    });
  });

  afterAll(async () => {
    await vault.close();
    await ds.destroy();
    await db.drop();
  });

  const stored = async (id: string, column: 'name' | 'email'): Promise<JsonValue> =>
    (await ds.query<{ v: JsonValue }[]>(`SELECT ${column} AS v FROM customers_demo WHERE customer_id = $1`, [id]))[0]?.v ?? null;

  it('normalises lookups', () => {
    expect(normaliseEmail(' Li.Na@Example.COM ')).toBe('li.na@example.com');
    expect(normalisePhone('+86 (138) 1234-5678')).toBe('+8613812345678');
    expect(nameParts('Li  Na-Zhang')).toEqual(['li', 'na', 'zhang']);
  });

  it('stores no plaintext, opens sealed values, and finds subjects by e-mail, phone and name parts within a tenant', async () => {
    const scan = await scanForCanaries({ databaseUrl: db.url, canaries: [people.a.name, people.a.email.toLowerCase(), people.a.email, '13812345678'] });
    expect(scan.findings).toEqual([]);
    expect(await privacy.open(people.a.id, { table: 'customers_demo', column: 'email', row: people.a.id }, await stored(people.a.id, 'email'))).toBe(
      people.a.email,
    );
    await ds.transaction(async (m) => {
      expect(await privacy.find(m, 'acme', 'email', people.a.email.toUpperCase())).toEqual([people.a.id]);
      expect(await privacy.find(m, 'acme', 'phone', '+86 13812345678')).toEqual([people.a.id]);
      expect((await privacy.find(m, 'acme', 'name', 'li')).sort()).toEqual([people.a.id, people.b.id].sort());
      expect(await privacy.find(m, 'acme', 'name', `na li ${tag}`)).toEqual([people.a.id]);
      expect(await privacy.find(m, 'other-tenant', 'email', people.a.email)).toEqual([]);
    });
  });

  it('refuses a sealed value moved to another row or column', async () => {
    const moved = await stored(people.a.id, 'email');
    await expect(privacy.open(people.b.id, { table: 'customers_demo', column: 'email', row: people.b.id }, moved)).rejects.toBeInstanceOf(DecryptionError);
    await expect(privacy.open(people.a.id, { table: 'customers_demo', column: 'name', row: people.a.id }, moved)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('P1/D4: pseudonyms are stable per subject and tenant, found again for search, and unlinkable once the subject is erased', async () => {
    const c = uuidv7();
    const first = await privacy.pseudonyms('acme', [people.a.id, people.b.id, c, people.a.id]);
    expect(first.size).toBe(3);
    expect(new Set(first.values()).size).toBe(3);
    for (const p of first.values()) expect(p).toMatch(/^psn_[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify([...first.values()])).not.toContain(people.a.id);
    expect(await privacy.pseudonyms('acme', [people.b.id, people.a.id, c])).toEqual(first);
    // Another process (nothing cached) loads the keys in one batch and derives the same pseudonyms.
    const coldVault = new PostgresKeyVault({ connectionString: db.url, masterKey: parseMasterKey(masterKey) });
    try {
      expect(await new ReadModelPrivacy(coldVault).pseudonyms('acme', [people.b.id, people.a.id, c])).toEqual(first);
    } finally {
      await coldVault.close();
    }
    expect((await privacy.pseudonyms('other-tenant', [people.a.id])).get(people.a.id)).not.toBe(first.get(people.a.id));
    expect(await privacy.pseudonymForSearch('acme', c)).toBe(first.get(c));

    await vault.erase(c, 'deletion request');
    const erased = await privacy.pseudonyms('acme', [c, people.b.id]);
    expect(erased.get(c)).not.toBe(first.get(c));
    expect((await privacy.pseudonyms('acme', [c])).get(c)).not.toBe(erased.get(c));
    expect(erased.get(people.b.id)).toBe(first.get(people.b.id));
    expect(await privacy.pseudonymForSearch('acme', c)).toBeNull();
  });

  it('after erasure the row reads as ERASED and the lookups find nothing; the other subject is untouched', async () => {
    await vault.erase(people.a.id, 'deletion request');
    await ds.transaction((m) => privacy.forget(m, people.a.id));
    expect(await privacy.open(people.a.id, { table: 'customers_demo', column: 'name', row: people.a.id }, await stored(people.a.id, 'name'))).toBe(ERASED);
    await ds.transaction(async (m) => {
      expect(await privacy.find(m, 'acme', 'email', people.a.email)).toEqual([]);
      expect(await privacy.find(m, 'acme', 'name', 'li')).toEqual([people.b.id]);
    });
    expect(await privacy.open(people.b.id, { table: 'customers_demo', column: 'name', row: people.b.id }, await stored(people.b.id, 'name'))).toBe(
      people.b.name,
    );
  });
});
