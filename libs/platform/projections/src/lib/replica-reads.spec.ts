import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { createDataSource, ensureDatabase, withDatabase } from '@attest/database';
import { DomainError } from '@attest/kernel';
import type { Logger } from '@attest/observability';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { projectionMigrations } from './migrations';
import { ReplicaReads } from './replica-reads';

/** A Postgres position with this commit number (`position-codec.ts`'s form). */
const at = (n: number): string => `pg:00000001.${n.toString(16).padStart(16, '0')}.${'0'.repeat(16)}`;

/**
 * The routing alone, on real PostgreSQL: a second connection to the same database plays the
 * replica (what it has applied is its checkpoint rows, set here). Reads from a real streaming
 * replica: apps/api/src/replica-reads.e2e.spec.ts.
 */
describe('ReplicaReads', () => {
  let db: TestDatabase;
  let primary: DataSource;
  let replica: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('replica_reads', { migrations: projectionMigrations });
    primary = createDataSource({ url: db.url, migrations: [] });
    replica = createDataSource({ url: db.url, migrations: [] });
    await Promise.all([primary.initialize(), replica.initialize()]);
  });

  afterAll(async () => {
    await Promise.all([primary.destroy(), replica.destroy()]);
    await db.drop();
  });

  const applied = async (rows: Record<string, number | null>): Promise<void> => {
    await primary.query(`DELETE FROM projections.checkpoints`);
    for (const [name, n] of Object.entries(rows))
      await primary.query(`INSERT INTO projections.checkpoints (name, version, position) VALUES ($1, 1, $2)`, [name, n === null ? null : at(n)]);
  };

  it('reads on the primary without a token or without a replica, on the replica once it has applied the token', async () => {
    const registry = new Registry();
    const reads = new ReplicaReads({ primary, replica, storeKind: 'postgres', registry, maxAgeMs: 60_000 });
    await applied({ customers: 10 });
    expect((await reads.source('customers', null)).from).toBe('primary');
    expect((await reads.source('customers', at(10))).from).toBe('replica');
    expect((await reads.source('customers', at(9))).dataSource).toBe(replica);
    expect((await reads.source('customers', at(11))).from).toBe('primary');
    // Behind the token by what was read before: read again at once, though it is younger than maxAgeMs.
    await applied({ customers: 12 });
    expect((await reads.source('customers', at(11))).from).toBe('replica');
    const none = new ReplicaReads({ primary, replica: null, storeKind: 'postgres' });
    expect(await none.source('customers', at(1))).toEqual({ dataSource: primary, from: 'primary' });
    const counted = (await registry.getSingleMetricAsString('attest_read_source_total')).split('\n').filter((l) => l.startsWith('attest_read_source_total{'));
    expect(counted.sort()).toEqual([
      'attest_read_source_total{projection="customers",source="primary"} 1',
      'attest_read_source_total{projection="customers",source="replica"} 3',
    ]);
  });

  it('takes the lowest of every configured partition, and a missing, unset or another store’s checkpoint as not applied', async () => {
    // A fresh router per state: positions read within maxAgeMs (even 0, in the same millisecond) are trusted.
    const partitions = { customers: 2 };
    let reads = new ReplicaReads({ primary, replica, storeKind: 'postgres', maxAgeMs: 0, partitions });
    await applied({ 'customers@1of2': 20, 'customers@2of2': 15, consent: 30, customers: 40 });
    expect((await reads.source('customers', at(15))).from).toBe('replica');
    expect((await reads.source('customers', at(16))).from).toBe('primary');
    expect((await reads.source('consent', at(30))).from).toBe('replica');
    // A partition whose runner has not started yet (no row): its tenants' events may not be there.
    await applied({ 'customers@1of2': 20 });
    reads = new ReplicaReads({ primary, replica, storeKind: 'postgres', maxAgeMs: 0, partitions });
    expect((await reads.source('customers', at(1))).from).toBe('primary');
    await applied({ 'customers@1of2': 20, 'customers@2of2': null });
    reads = new ReplicaReads({ primary, replica, storeKind: 'postgres', maxAgeMs: 0, partitions });
    expect((await reads.source('customers', at(1))).from).toBe('primary');
    await primary.query(`UPDATE projections.checkpoints SET position = 'kdb:${'0'.repeat(16)}.${'f'.repeat(16)}' WHERE name = 'customers@2of2'`);
    reads = new ReplicaReads({ primary, replica, storeKind: 'postgres', maxAgeMs: 0, partitions });
    expect((await reads.source('customers', at(1))).from).toBe('primary');
    // Left over from another store, a Postgres checkpoint does not count for KurrentDB tokens either.
    await applied({ customers: 40 });
    await primary.query(`UPDATE projections.checkpoints SET position = 'pg:ffffffff.${'f'.repeat(16)}.${'f'.repeat(16)}'`);
    const kdb = new ReplicaReads({ primary, replica, storeKind: 'kurrentdb', maxAgeMs: 0 });
    expect((await kdb.source('customers', `kdb:${'0'.repeat(16)}.${'0'.repeat(15)}1`)).from).toBe('primary');
    expect((await reads.source('customers', at(1))).from).toBe('primary');
    expect((await reads.source('requests', at(1))).from).toBe('primary');
  });

  it('refuses what is not a token of this store', async () => {
    const reads = new ReplicaReads({ primary, replica, storeKind: 'postgres' });
    for (const token of ['12', 'kdb:0000000000000000.0000000000000001', `${at(1)} OR 1=1`]) {
      const refused = await reads.source('customers', token).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DomainError);
      expect(refused).toMatchObject({ code: 'READ.INVALID_TOKEN' });
    }
  });

  it('sends reads to the primary while the replica does not answer, and warns once per back-off', async () => {
    // A replica of its own database, which then goes away under it.
    const gone = `${db.name}_gone`;
    const admin = process.env['TEST_DATABASE_URL'] ?? '';
    await ensureDatabase(admin, gone);
    const lost = createDataSource({ url: withDatabase(db.url, gone), migrations: projectionMigrations });
    await lost.initialize();
    await lost.runMigrations();
    await lost.query(`INSERT INTO projections.checkpoints (name, version, position) VALUES ('customers', 1, $1)`, [at(50)]);
    const warnings: string[] = [];
    const logger = { warn: (_: object, message: string) => warnings.push(message) } as unknown as Logger;
    const reads = new ReplicaReads({ primary, replica: lost, storeKind: 'postgres', maxAgeMs: 0, backOffMs: 60_000, logger });
    expect((await reads.source('customers', at(50))).from).toBe('replica');
    await primary.query(`DROP DATABASE ${gone} WITH (FORCE)`);
    expect((await reads.source('customers', at(50))).from).toBe('primary');
    expect((await reads.source('customers', at(50))).from).toBe('primary');
    expect(warnings).toEqual(['the read replica did not answer; reads go to the primary for a while']);
    await lost.destroy().catch(() => undefined);
  });

  it('tries a replica that was not reachable at start again after the back-off, and backs off when a read on it fails', async () => {
    const late = createDataSource({ url: db.url, migrations: [] });
    const warnings: string[] = [];
    const logger = { warn: (_: object, message: string) => warnings.push(message) } as unknown as Logger;
    const reads = new ReplicaReads({ primary, replica: late, storeKind: 'postgres', maxAgeMs: 0, backOffMs: 60_000, logger });
    await applied({ customers: 10 });
    // Never initialized (as when the replica did not answer at start): connected on first use.
    expect(late.isInitialized).toBe(false);
    expect((await reads.source('customers', at(10))).from).toBe('replica');
    expect(late.isInitialized).toBe(true);
    // A read on it failed: the caller reads the primary, and so do the next ones for the back-off.
    reads.failed(Object.assign(new Error('canceling statement due to conflict with recovery'), { code: '40001' }));
    expect((await reads.source('customers', at(10))).from).toBe('primary');
    expect(warnings).toEqual(['a read on the replica failed; reads go to the primary for a while']);
    await late.destroy();
  });
});
