import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@attest/database';
import { NO_STREAM } from '@attest/event-store';
import { streamIn, testEvent, uniqueCategory } from '@attest/event-store-contract';
import { eventStoreMigrations, PostgresEventStore } from '@attest/event-store-postgres';
import { createTestDatabase, expectEventually, type TestDatabase } from '@attest/testing';
import { projectionMigrations } from './migrations';
import { ProjectionLeases, projectionOwners } from './projection-leases';
import { ProjectionRunner } from './projection-runner';
import { LEASED_ROWS_SQL, leasedRecording } from './__fixtures__/leased-recording';

describe('ProjectionLeases (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('projection_leases', { migrations: [...eventStoreMigrations, ...projectionMigrations] });
    dataSource = createDataSource({ url: db.url, migrations: [] });
    await dataSource.initialize();
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    await store.listen();
    await dataSource.query(LEASED_ROWS_SQL);
  });

  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
    await db.drop();
  });

  /** One worker process's share: its own runners (two projections) and its own lease connection. */
  function worker(owner: string, category: string): { leases: ProjectionLeases; runners: ProjectionRunner[] } {
    const runners = ['a', 'b'].map(
      (suffix) => new ProjectionRunner({ dataSource, store, projection: leasedRecording(`leased-${category}-${suffix}`, category), retryDelayMs: 50 }),
    );
    return { leases: new ProjectionLeases({ connectionString: db.url, owner, runners, intervalMs: 100 }), runners };
  }

  async function append(category: string, n: number): Promise<void> {
    await store.appendToStream(streamIn(category), [testEvent('ThingHappened.v1', { n })], { expectedRevision: NO_STREAM });
  }

  /** How many times each event was recorded, per projection: 1 everywhere when nothing was applied twice or missed. */
  async function applied(category: string): Promise<{ projection: string; n: number; times: number }[]> {
    return dataSource.query(
      `SELECT projection, n, count(*)::int AS times FROM leased_rows WHERE projection LIKE $1 GROUP BY projection, n ORDER BY projection, n`,
      [`leased-${category}-%`],
    );
  }

  it('runs each projection in one process; when that process is killed, another takes its projections over from the checkpoint', async () => {
    const category = uniqueCategory();
    const child = fork(join(__dirname, '__fixtures__', 'leased-worker.fixture.ts'), [], {
      execArgv: ['-r', '@swc-node/register'],
      env: { ...process.env, FIXTURE_DB_URL: db.url, FIXTURE_CATEGORY: category, FIXTURE_OWNER: 'worker:first' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => {
        resolve(signal);
      }),
    );
    const names = [`leased-${category}-a`, `leased-${category}-b`];
    const second = worker('worker:second', category);
    try {
      const owned = await new Promise<unknown>((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', () => {
          reject(new Error('the worker process exited before taking its leases'));
        });
      });
      expect(owned).toEqual({ owned: names });
      await second.leases.start();
      expect(second.leases.owned()).toEqual([]);
      expect(second.runners.every((r) => !r.running)).toBe(true);
      expect(Object.fromEntries(await projectionOwners(dataSource.manager, names))).toEqual({ [names[0]!]: 'worker:first', [names[1]!]: 'worker:first' });

      await append(category, 1);
      await expectEventually(async () => {
        expect((await applied(category)).map((r) => r.n)).toEqual([1, 1]);
      });

      // SIGKILL: no shutdown, no unlock. The kernel closes its socket; PostgreSQL ends its session and its locks.
      const killedAt = Date.now();
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await expectEventually(() => {
        expect(second.leases.owned()).toEqual(names);
      }, 5000);
      const failoverMs = Date.now() - killedAt;
      expect(failoverMs).toBeLessThan(5000);
      expect(Object.fromEntries(await projectionOwners(dataSource.manager, names))).toEqual({ [names[0]!]: 'worker:second', [names[1]!]: 'worker:second' });

      await append(category, 2);
      await expectEventually(async () => {
        expect(await applied(category)).toEqual([
          { projection: names[0], n: 1, times: 1 },
          { projection: names[0], n: 2, times: 1 },
          { projection: names[1], n: 1, times: 1 },
          { projection: names[1], n: 2, times: 1 },
        ]);
      });
    } finally {
      child.kill('SIGKILL');
      await second.leases.stop();
    }
    expect(await projectionOwners(dataSource.manager, names)).toEqual(new Map());
  });

  it('a process that loses its lease connection stops those projections; each then runs in exactly one process, nothing twice', async () => {
    const category = uniqueCategory();
    const first = worker('worker:flaky', category);
    const second = worker('worker:steady', category);
    await first.leases.start();
    await second.leases.start();
    try {
      await append(category, 1);
      await dataSource.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'worker:flaky'`);
      // Either may take them again; at every moment after settling, one process runs each projection.
      await expectEventually(() => {
        expect([...first.leases.owned(), ...second.leases.owned()].sort()).toEqual([`leased-${category}-a`, `leased-${category}-b`]);
        for (const name of [`leased-${category}-a`, `leased-${category}-b`]) {
          const running = [...first.runners, ...second.runners].filter((r) => r.name === name && r.running);
          expect(running).toHaveLength(1);
        }
      }, 5000);
      await append(category, 2);
      await expectEventually(async () => {
        expect((await applied(category)).map((r) => [r.n, r.times])).toEqual([
          [1, 1],
          [2, 1],
          [1, 1],
          [2, 1],
        ]);
      });
    } finally {
      await first.leases.stop();
      await second.leases.stop();
    }
  });

  it('a stopped process hands its leases over at once', async () => {
    const category = uniqueCategory();
    const first = worker('worker:one', category);
    const second = worker('worker:two', category);
    await first.leases.start();
    await second.leases.start();
    try {
      await first.leases.stop();
      await expectEventually(() => {
        expect(second.leases.owned()).toHaveLength(2);
      }, 3000);
    } finally {
      await second.leases.stop();
    }
  });
});
