import pg from 'pg';
import { platformMigrations } from '@attest/database';
import { createTestDatabase, expectEventually, type TestDatabase } from '@attest/testing';
import { ApiKeyCache } from './api-key-cache';
import { accessMigrations } from './migrations';

describe('ApiKeyCache (real Postgres, LISTEN/NOTIFY)', () => {
  let db: TestDatabase;
  let owner: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('api_key_cache', { migrations: [...platformMigrations, ...accessMigrations] });
    owner = new pg.Client({ connectionString: db.url });
    await owner.connect();
  });

  afterAll(async () => {
    await owner.end();
    await db.drop();
  });

  let n = 0;
  async function issueKey(): Promise<string> {
    n += 1;
    const prefix = `atk_cache${String(n).padStart(4, '0')}`;
    await owner.query(
      `INSERT INTO access.api_keys_v1 (key_id, tenant_id, prefix, secret_hash, roles, label, issued_by, issued_at, expires_at, last_position)
       VALUES (gen_random_uuid(), 'tenant-a', $1, 'hash', '{service}', 'test', 'user:admin', now(), now() + interval '30 days', '0')`,
      [prefix],
    );
    return prefix;
  }

  async function listening(options: ConstructorParameters<typeof ApiKeyCache>[0] = {}): Promise<ApiKeyCache<string>> {
    const cache = new ApiKeyCache<string>(options);
    await cache.listen(db.url);
    return cache;
  }

  it('keeps nothing until its listener is connected', async () => {
    const cache = new ApiKeyCache<string>();
    cache.remember('atk_x', 'row', cache.begin());
    expect(cache.active).toBe(false);
    expect(cache.lookup('atk_x')).toBeUndefined();
    await cache.listen(db.url);
    cache.remember('atk_x', 'row', cache.begin());
    expect(cache.lookup('atk_x')).toBe('row');
    await cache.close();
    expect(cache.lookup('atk_x')).toBeUndefined();
  });

  it('drops a key row when it is revoked by any connection (NOTIFY at commit)', async () => {
    const cache = await listening();
    const revoked = await issueKey();
    const other = await issueKey();
    cache.remember(revoked, 'revoked-row', cache.begin());
    cache.remember(other, 'other-row', cache.begin());
    await owner.query(`UPDATE access.api_keys_v1 SET revoked_at = now() WHERE prefix = $1`, [revoked]);
    await expectEventually(() => {
      expect(cache.lookup(revoked)).toBeUndefined();
    });
    expect(cache.lookup(other)).toBe('other-row');
    await cache.close();
  });

  it('does not hear of a change before the transaction commits, and drops the row once it does', async () => {
    const cache = await listening();
    const prefix = await issueKey();
    cache.remember(prefix, 'row', cache.begin());
    await owner.query('BEGIN');
    await owner.query(`UPDATE access.api_keys_v1 SET revoked_at = now() WHERE prefix = $1`, [prefix]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cache.lookup(prefix)).toBe('row');
    await owner.query('COMMIT');
    await expectEventually(() => {
      expect(cache.lookup(prefix)).toBeUndefined();
    });
    await cache.close();
  });

  it('drops everything when the table is truncated (a projection rebuild)', async () => {
    const cache = await listening();
    const prefix = await issueKey();
    cache.remember(prefix, 'row', cache.begin());
    cache.remember('atk_someother', 'row', cache.begin());
    await owner.query('BEGIN');
    await owner.query('TRUNCATE access.api_keys_v1, access.delegations_v1');
    await owner.query('ROLLBACK');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cache.lookup(prefix)).toBe('row'); // rolled back: no notification
    await owner.query('TRUNCATE access.api_keys_v1, access.delegations_v1');
    await expectEventually(() => {
      expect(cache.lookup(prefix)).toBeUndefined();
      expect(cache.lookup('atk_someother')).toBeUndefined();
    });
    await cache.close();
  });

  it('does not keep a row whose lookup was in flight while a row was dropped', async () => {
    const cache = await listening();
    const token = cache.begin();
    cache.forget('atk_anything');
    cache.remember('atk_stale', 'read-before-the-revocation', token);
    expect(cache.lookup('atk_stale')).toBeUndefined();
    cache.remember('atk_stale', 'fresh', cache.begin());
    expect(cache.lookup('atk_stale')).toBe('fresh');
    cache.forgetAll();
    expect(cache.lookup('atk_stale')).toBeUndefined();
    await cache.close();
  });

  it('keeps a row no longer than its time to live', async () => {
    const cache = await listening({ ttlMs: 30 });
    cache.remember('atk_ttl', 'row', cache.begin());
    expect(cache.lookup('atk_ttl')).toBe('row');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(cache.lookup('atk_ttl')).toBeUndefined();
    await cache.close();
  });

  it('keeps nothing while its listener is lost, and keeps rows again once it has reconnected', async () => {
    const warnings: string[] = [];
    const cache = await listening({ reconnectMs: 50, onWarning: (message) => warnings.push(message) });
    const prefix = await issueKey();
    cache.remember(prefix, 'row', cache.begin());
    await owner.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'attest-api-key-listener' AND datname = current_database()`,
    );
    await expectEventually(() => {
      expect(warnings.length).toBeGreaterThan(0);
    });
    expect(cache.lookup(prefix)).toBeUndefined();
    const whileDown = cache.begin();
    await expectEventually(() => {
      expect(cache.active).toBe(true);
    });
    // A lookup begun while the listener was down is not kept: it may predate a change it never heard of.
    cache.remember(prefix, 'row', whileDown);
    expect(cache.lookup(prefix)).toBeUndefined();
    cache.remember(prefix, 'row', cache.begin());
    expect(cache.lookup(prefix)).toBe('row');
    await owner.query(`UPDATE access.api_keys_v1 SET revoked_at = now() WHERE prefix = $1`, [prefix]);
    await expectEventually(() => {
      expect(cache.lookup(prefix)).toBeUndefined();
    });
    await cache.close();
  });

  it('refuses rows from a lookup begun before the listener was connected', async () => {
    const cache = new ApiKeyCache<string>();
    const token = cache.begin();
    await cache.listen(db.url);
    cache.remember('atk_early', 'row', token);
    expect(cache.lookup('atk_early')).toBeUndefined();
    await cache.close();
  });
});
