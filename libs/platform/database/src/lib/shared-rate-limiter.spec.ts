import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { createDataSource } from './data-source';
import { platformMigrations } from './migrations';
import { SharedRateLimiter } from './shared-rate-limiter';

describe('SharedRateLimiter (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  // Minute 1,000,000 of the epoch, 1 s in: a clock the test moves.
  let now = 1_000_000 * 60_000 + 1_000;
  const hashKey = (key: string): Promise<string> => Promise.resolve(createHash('sha256').update(`test:${key}`).digest('hex'));
  const limiter = (perMinute: number, scope = 'api'): SharedRateLimiter => new SharedRateLimiter(dataSource, { perMinute, scope, hashKey, now: () => now });
  const admitted = (l: SharedRateLimiter, key: string, n: number): number => Array.from({ length: n }, () => l.take(key)).filter((w) => w === 0).length;

  beforeAll(async () => {
    db = await createTestDatabase('shared_rate_limiter', { migrations: platformMigrations });
    dataSource = createDataSource({ url: db.url, migrations: [] });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  beforeEach(async () => {
    now += 10 * 60_000;
    await dataSource.query('DELETE FROM http.rate_windows');
  });

  it('holds a key to its limit across three processes once they have synced, and says how long to wait', async () => {
    const processes = [limiter(30), limiter(30), limiter(30)];
    const [p0, p1, p2] = processes as [SharedRateLimiter, SharedRateLimiter, SharedRateLimiter];
    expect(admitted(p0, 'actor:a', 10)).toBe(10);
    expect(admitted(p1, 'actor:a', 1)).toBe(1);
    expect(admitted(p2, 'actor:a', 1)).toBe(1);
    await Promise.all(processes.map((p) => p.sync()));
    await Promise.all(processes.map((p) => p.sync()));
    // Each knows of the 12: 18 more between them, then no more.
    expect(admitted(p1, 'actor:a', 15)).toBe(15);
    await p1.sync();
    await p2.sync();
    expect(admitted(p2, 'actor:a', 15)).toBe(3);
    const wait = p2.take('actor:a');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(120);
    // Another key and another scope are counted apart.
    expect(admitted(p2, 'actor:b', 5)).toBe(5);
    expect(admitted(limiter(30, 'public-flow'), 'actor:a', 5)).toBe(5);
    await Promise.all(processes.map((p) => p.sync()));
    const [row] = await dataSource.query<{ used: number }[]>(`SELECT sum(used)::int AS used FROM http.rate_windows WHERE scope = 'api' AND key = $1`, [
      await hashKey('actor:a'),
    ]);
    expect(row?.used).toBe(30);
  });

  it('a process that has not seen a key learns the others’ counts at its first request, without waiting for its timer', async () => {
    const a = limiter(20);
    // Its timer would not tick during the test.
    const b = new SharedRateLimiter(dataSource, { perMinute: 20, scope: 'api', hashKey, now: () => now, syncEveryMs: 600_000 });
    b.start();
    try {
      expect(admitted(a, 'ip:198.51.100.1', 20)).toBe(20);
      await a.sync();
      // Unknown to b: admitted from what b knows, and a sync starts at once.
      expect(b.take('ip:198.51.100.1')).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(b.take('ip:198.51.100.1')).toBeGreaterThan(0);
    } finally {
      await b.stop();
    }
  });

  it('stores keys only as the hash it is given', async () => {
    const l = limiter(10);
    l.take('ip:203.0.113.7');
    await l.sync();
    const rows = await dataSource.query<{ key: string }[]>(`SELECT key FROM http.rate_windows`);
    expect(rows.map((r) => r.key)).toEqual([await hashKey('ip:203.0.113.7')]);
  });

  it('a minute later the window slides: the previous minute counts by the part of it still inside', async () => {
    const a = limiter(60);
    const b = limiter(60);
    expect(admitted(b, 'k', 1)).toBe(1);
    expect(admitted(a, 'k', 59)).toBe(59);
    await a.sync();
    await b.sync();
    expect(b.take('k')).toBeGreaterThan(0);
    now += 60_000 + 30_000 - (now % 60_000); // half-way through the next minute: 30 of the 60 still inside
    await b.sync();
    expect(admitted(b, 'k', 40)).toBe(30);
    // Counts of minutes older than the previous one are deleted as processes sync.
    now += 3 * 60_000;
    b.take('k');
    await b.sync();
    const minutes = await dataSource.query<{ minute: string }[]>(`SELECT DISTINCT minute FROM http.rate_windows`);
    expect(minutes.map((m) => Number(m.minute))).toEqual([Math.floor(now / 60_000)]);
  });

  it('keeps the counts of a failed sync for the next one', async () => {
    const l = limiter(100);
    expect(admitted(l, 'k', 7)).toBe(7);
    await dataSource.query('ALTER TABLE http.rate_windows RENAME TO rate_windows_away');
    try {
      await expect(l.sync()).rejects.toThrow();
    } finally {
      await dataSource.query('ALTER TABLE http.rate_windows_away RENAME TO rate_windows');
    }
    expect(admitted(l, 'k', 3)).toBe(3);
    await l.sync();
    const [row] = await dataSource.query<{ used: number }[]>(`SELECT sum(used)::int AS used FROM http.rate_windows`);
    expect(row?.used).toBe(10);
  });

  it('a count taken before a minute ends and synced after it lands in its own minute', async () => {
    const l = limiter(100);
    expect(admitted(l, 'k', 4)).toBe(4);
    now += 60_000;
    expect(admitted(l, 'k', 2)).toBe(2);
    await l.sync();
    const rows = await dataSource.query<{ minute: string; used: number }[]>(`SELECT minute, used FROM http.rate_windows ORDER BY minute`);
    expect(rows.map((r) => r.used)).toEqual([4, 2]);
    expect(Number(rows[1]?.minute) - Number(rows[0]?.minute)).toBe(1);
  });
});
