import { platformMigrations } from '@attest/database';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MasterKeyError, SubjectErasedError } from '@attest/privacy';
import { uuidv7 } from '@attest/kernel';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { ErasureJournal } from './erasure-journal';
import { PostgresKeyVault } from './key-vault';
import { parseMasterKey, type MasterKey } from './master-key';
import { keyVaultMigrations } from './migrations';

const newKey = (): MasterKey => parseMasterKey(randomBytes(32).toString('base64'));

describe('master-key rotation while running (real Postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('key_rotation', { migrations: [...platformMigrations, ...keyVaultMigrations] });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('re-wraps every data key under the new master key; readers with old+new keep working; the old key alone is then refused', async () => {
    const a = newKey();
    const b = newKey();
    const subjects = Array.from({ length: 1200 }, () => uuidv7());
    const before = new PostgresKeyVault({ connectionString: db.url, masterKey: a });
    await before.verifyMasterKey();
    const original = new Map<string, string>();
    for (const s of subjects) original.set(s, (await before.keyForWriting(s)).key.toString('hex'));
    await before.close();

    // Deployed with the new key and the previous one: old keys open, new ones are wrapped by B.
    const during = new PostgresKeyVault({ connectionString: db.url, masterKey: b, previousMasterKeys: [a], cacheTtlMs: 0 });
    await during.verifyMasterKey();
    expect((await during.keyForReading(subjects[0] ?? ''))?.key.toString('hex')).toBe(original.get(subjects[0] ?? ''));
    const fresh = uuidv7();
    await during.keyForWriting(fresh);

    expect(await during.rotateToCurrentMasterKey(500)).toBe(1200);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const kinds = await client.query<{ kek_id: string; n: string }>('SELECT kek_id, count(*) AS n FROM key_vault.subject_keys GROUP BY kek_id');
    await client.end();
    expect(kinds.rows).toEqual([{ kek_id: b.id, n: '1201' }]);
    await during.close();

    const after = new PostgresKeyVault({ connectionString: db.url, masterKey: b });
    await after.verifyMasterKey();
    for (const s of subjects.slice(0, 50)) expect((await after.keyForReading(s))?.key.toString('hex')).toBe(original.get(s));
    await after.close();

    const stale = new PostgresKeyVault({ connectionString: db.url, masterKey: a });
    await expect(stale.verifyMasterKey()).rejects.toBeInstanceOf(MasterKeyError);
    await stale.close();
  }, 60_000);
});

describe('erasure journal: a restored database does not resurrect erased keys (N6)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('erasure_journal', { migrations: [...platformMigrations, ...keyVaultMigrations] });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('re-erases at start-up what a restore brought back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attest-journal-'));
    try {
      const masterKey = newKey();
      const journal = new ErasureJournal(join(dir, 'erasure-journal.log'));
      const vault = new PostgresKeyVault({ connectionString: db.url, masterKey, journal, cacheTtlMs: 0 });
      await vault.verifyMasterKey();
      const erased = uuidv7();
      const kept = uuidv7();
      await vault.keyForWriting(erased);
      await vault.keyForWriting(kept);

      // Back up the key row, erase, then "restore": the key and a missing fence come back.
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows: backup } = await client.query<{ kid: string; kek_id: string; wrapped: Buffer }>(
        'SELECT kid, kek_id, wrapped FROM key_vault.subject_keys WHERE subject_id = $1',
        [erased],
      );
      await vault.erase(erased, 'deletion request');
      expect(await readFile(join(dir, 'erasure-journal.log'), 'utf8')).toContain(erased);
      await client.query('DELETE FROM key_vault.erased_subjects WHERE subject_id = $1', [erased]);
      await client.query('INSERT INTO key_vault.subject_keys (subject_id, kid, kek_id, wrapped) VALUES ($1, $2, $3, $4)', [
        erased,
        backup[0]?.kid,
        backup[0]?.kek_id,
        backup[0]?.wrapped,
      ]);
      expect(await vault.keyForReading(erased)).not.toBeNull(); // resurrected by the restore

      expect(await vault.replayErasureJournal()).toEqual([erased]);
      expect(await vault.keyForReading(erased)).toBeNull();
      expect(await vault.isErased(erased)).toBe(true);
      expect(await vault.keyForReading(kept)).not.toBeNull();
      expect(await vault.replayErasureJournal()).toEqual([]);
      await client.end();
      await vault.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('reading keys that are not cached (real Postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('key_group_reads', { migrations: [...platformMigrations, ...keyVaultMigrations] });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('answers concurrent readers from grouped queries: each gets its own keys, none of an erased or unknown subject', async () => {
    const master = newKey();
    const writer = new PostgresKeyVault({ connectionString: db.url, masterKey: master });
    const subjects = Array.from({ length: 200 }, () => uuidv7());
    const written = new Map<string, string>();
    for (const s of subjects) written.set(s, (await writer.keyForWriting(s)).key.toString('hex'));
    const erased = subjects[7] ?? '';
    await writer.erase(erased, 'test');
    await writer.close();

    // Another process: nothing cached. Count the statements its pool sends.
    const reader = new PostgresKeyVault({ connectionString: db.url, masterKey: master });
    const sent = jest.spyOn(pg.Pool.prototype, 'query');
    try {
      const unknown = uuidv7();
      const answers = await Promise.all([
        ...subjects.map((s) => reader.keyForReading(s)),
        reader.keysForReading([subjects[0] ?? '', subjects[1] ?? '', unknown]),
      ]);
      const single = answers.slice(0, subjects.length) as Awaited<ReturnType<typeof reader.keyForReading>>[];
      subjects.forEach((s, i) => {
        expect(single[i]?.key.toString('hex')).toBe(s === erased ? undefined : written.get(s));
      });
      const many = answers[subjects.length] as Map<string, { key: Buffer }>;
      expect([...many.keys()].sort()).toEqual([subjects[0], subjects[1]].sort());
      // 201 callers, far fewer queries: the first alone, then the rest grouped while it ran.
      expect(sent.mock.calls.length).toBeLessThanOrEqual(3);
      expect(sent.mock.calls.length).toBeGreaterThanOrEqual(1);
    } finally {
      sent.mockRestore();
      await reader.close();
    }
  });
});

describe('a key read racing an erasure (real Postgres)', () => {
  // One master key for the database (it refuses another).
  const master = newKey();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('key_read_race', { migrations: [...platformMigrations, ...keyVaultMigrations] });
  });
  afterAll(async () => {
    await db.drop();
  });

  /**
   * Holds the answer of the vault's first query that `matches` (its rows already read, so the
   * key still existed) until `release()`; `answered` resolves once it is held.
   */
  function holdAnswer(vault: PostgresKeyVault, matches: (query: unknown) => boolean): { answered: Promise<void>; release(): void; restore(): void } {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let found = (): void => undefined;
    const answered = new Promise<void>((resolve) => {
      found = resolve;
    });
    const pool = (vault as unknown as { pool: { query: (...args: unknown[]) => Promise<unknown> } }).pool;
    const original = pool.query.bind(pool);
    pool.query = async (...args: unknown[]): Promise<unknown> => {
      const result = await original(...args);
      if (matches(args[0])) {
        found();
        await held;
      }
      return result;
    };
    return {
      answered,
      release,
      restore: () => {
        pool.query = original;
      },
    };
  }

  it('neither returns nor caches a key its read found just before the subject was erased', async () => {
    const vault = new PostgresKeyVault({ connectionString: db.url, masterKey: master });
    const subject = uuidv7();
    await vault.keyForWriting(subject);
    const reader = new PostgresKeyVault({ connectionString: db.url, masterKey: master });
    // The reader's key query has its rows (the key still exists) but is held before it returns.
    const hold = holdAnswer(reader, (query) => (query as { name?: string }).name === 'attest_subject_keys');
    try {
      const reading = reader.keyForReading(subject);
      await hold.answered;
      // Erased in this process while the read is in flight (another process's erasure arrives the same way, by notification).
      await reader.erase(subject, 'test');
      hold.release();
      expect(await reading).toBeNull();
    } finally {
      hold.restore();
    }
    expect(await reader.keyForReading(subject)).toBeNull();
    await reader.close();
    await vault.close();
  });

  it('does not give a cached key of a subject erased while the same call reads the keys it lacks', async () => {
    const vault = new PostgresKeyVault({ connectionString: db.url, masterKey: master });
    const [cachedSubject, missingSubject] = [uuidv7(), uuidv7()];
    await vault.keyForWriting(cachedSubject);
    await vault.keyForWriting(missingSubject);
    const reader = new PostgresKeyVault({ connectionString: db.url, masterKey: master });
    expect(await reader.keyForReading(cachedSubject)).not.toBeNull(); // now in the reader's cache
    const hold = holdAnswer(reader, (query) => (query as { name?: string }).name === 'attest_subject_keys');
    try {
      // A page of events naming both: one key from the cache, the other read.
      const reading = reader.keysForReading([cachedSubject, missingSubject]);
      await hold.answered;
      await reader.erase(cachedSubject, 'test');
      hold.release();
      const keys = await reading;
      expect(keys.has(cachedSubject)).toBe(false);
      expect(keys.has(missingSubject)).toBe(true);
    } finally {
      hold.restore();
    }
    await reader.close();
    await vault.close();
  });

  it('does not hand a writer a key its read found just before the subject was erased', async () => {
    const subject = uuidv7();
    const vault = new PostgresKeyVault({ connectionString: db.url, masterKey: master });
    await vault.keyForWriting(subject);
    const writer = new PostgresKeyVault({ connectionString: db.url, masterKey: master });
    await writer.verifyMasterKey();
    const hold = holdAnswer(writer, (query) => typeof query === 'string' && query.startsWith('SELECT kid, kek_id, wrapped FROM key_vault.subject_keys'));
    try {
      const writing = writer.keyForWriting(subject);
      const outcome = writing.then(
        () => 'key',
        (error: unknown) => (error instanceof SubjectErasedError ? 'erased' : String(error)),
      );
      await hold.answered;
      await writer.erase(subject, 'test');
      hold.release();
      expect(await outcome).toBe('erased');
    } finally {
      hold.restore();
    }
    expect(await writer.keyForReading(subject)).toBeNull();
    await writer.close();
    await vault.close();
  });
});
