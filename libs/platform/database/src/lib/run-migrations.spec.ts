import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { createDataSource, runMigrations } from './data-source';
import { platformMigrations } from './migrations';

describe('runMigrations (real Postgres)', () => {
  let db: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('run_migrations');
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.destroy()));
    await db.drop();
  });

  it('three processes starting at once on a fresh database: each migration runs once, none fails', async () => {
    for (let i = 0; i < 3; i++) {
      const source = createDataSource({ url: db.url, migrations: platformMigrations });
      await source.initialize();
      sources.push(source);
    }
    const ran = await Promise.all(sources.map((s) => runMigrations(s)));
    expect(ran.flat().sort()).toEqual(platformMigrations.map((m) => m.name).sort());
    const [row] = await sources[0]!.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM typeorm_migrations`);
    expect(row?.n).toBe(platformMigrations.length);
  });
});
