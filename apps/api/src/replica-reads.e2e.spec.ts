import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { withDatabase } from '@attest/database';
import { comparePositions, type GlobalPosition } from '@attest/event-store';
import { expectEventually } from '@attest/testing';
import { ApiHarness } from './testing/api-harness';
import { firstLine } from './testing/processes';

/**
 * Issue 26, item 5: a read that names a consistency token is served from a real streaming
 * replica (a hot standby of its own primary, `startStreamingReplica`) once the replica has
 * applied the token, else from the primary; a read without one is the primary's. The replica's
 * replay is paused to make the two databases differ: what a read returns then shows which one
 * answered it.
 */
describe('reads from a streaming replica by consistency token (issue 26)', () => {
  const api = new ApiHarness();
  let pair: ChildProcess | null = null;
  let started = false;
  let replica: pg.Client | null = null;
  let service: string;

  beforeAll(async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'testing', 'replica-pair-process.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pair = child;
    const urls = JSON.parse(await firstLine(child, 'the replica pair')) as { primary: string; replica: string };
    await api.start('replica_reads', { server: { adminUrl: urls.primary, replicaAdminUrl: urls.replica } });
    started = true;
    // The harness's database, on the replica, as its superuser: to pause replay and read positions.
    // It appears there once the replica has replayed its creation (a new client per attempt).
    const url = withDatabase(urls.replica, new URL(api.databaseUrl).pathname.slice(1));
    await expectEventually(
      async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        replica = client;
      },
      20_000,
      200,
    );
    service = await api.key('t-replica', ['org-admin', 'service']);
  }, 120_000);

  afterAll(async () => {
    await replica?.end().catch(() => undefined);
    if (started) await api.stop();
    const child = pair;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  /** The replica's client (set in beforeAll). */
  const standby = (): pg.Client => {
    if (!replica) throw new Error('no replica client');
    return replica;
  };

  const ids = async (query: string): Promise<string[]> => {
    const res = await api.call('GET', `/v1/customers${query}`, { key: service });
    expect(res.status).toBe(200);
    return (res.body as { customerId: string }[]).map((c) => c.customerId);
  };
  const replicaApplied = async (): Promise<GlobalPosition | null> => {
    const { rows } = await standby().query<{ position: string | null }>(`SELECT position FROM projections.checkpoints WHERE name = 'customers'`);
    return (rows[0]?.position ?? null) as GlobalPosition | null;
  };
  const servedFromReplica = async (): Promise<number> => {
    const metrics = await api.call('GET', '/metrics');
    const line = String(metrics.body)
      .split('\n')
      .find((l) => l.startsWith('attest_read_source_total{projection="customers",source="replica"}'));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('answers from the replica once it has applied the token, from the primary before, and from the primary without one', async () => {
    const a = await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: 'Ada' }, tags: [] } });
    expect(a.status).toBe(201);
    const { id: first, consistencyToken: firstToken } = a.body as { id: string; consistencyToken: string };
    // The replica replays the primary's WAL: its copy of the customers checkpoint reaches the token.
    await expectEventually(async () => {
      const applied = await replicaApplied();
      expect(applied !== null && comparePositions(applied, firstToken as GlobalPosition) >= 0).toBe(true);
    }, 30_000);

    await standby().query('SELECT pg_wal_replay_pause()');
    try {
      // A pause is requested, then taken at the next record: wait until it holds.
      await expectEventually(async () => {
        const { rows } = await standby().query<{ state: string }>('SELECT pg_get_wal_replay_pause_state() AS state');
        expect(rows[0]?.state).toBe('paused');
      }, 10_000);
      const b = await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: 'Grace' }, tags: [] } });
      expect(b.status).toBe(201);
      const { id: second, consistencyToken: secondToken } = b.body as { id: string; consistencyToken: string };
      const before = await servedFromReplica();
      // The older token: the replica has it, and answers without the customer created since (it is on the primary).
      expect(await ids(`?atLeastAsFresh=${firstToken}`)).toEqual([first]);
      expect((await api.call('GET', `/v1/customers/${second}?atLeastAsFresh=${firstToken}`, { key: service })).status).toBe(404);
      expect(await servedFromReplica()).toBe(before + 2);
      // The newer token: the paused replica has not applied it, so the primary answers.
      expect(await ids(`?atLeastAsFresh=${secondToken}`)).toEqual([first, second].sort());
      expect((await api.call('GET', `/v1/customers/${second}?atLeastAsFresh=${secondToken}`, { key: service })).status).toBe(200);
      // No token: the primary, as always.
      expect(await ids('')).toEqual([first, second].sort());
      expect(await servedFromReplica()).toBe(before + 2);

      await standby().query('SELECT pg_wal_replay_resume()');
      // Replay resumed: the replica reaches the newer token and serves it.
      await expectEventually(async () => {
        const served = await servedFromReplica();
        expect(await ids(`?atLeastAsFresh=${secondToken}`)).toEqual([first, second].sort());
        expect(await servedFromReplica()).toBe(served + 1);
      }, 30_000);
    } finally {
      await standby().query('SELECT pg_wal_replay_resume() WHERE pg_is_wal_replay_paused()');
    }
  });

  it('never shows from the replica a subject erased on the primary', async () => {
    const created = await api.call('POST', '/v1/customers', { key: service, body: { profile: { name: 'Erased Later' }, tags: ['erasure'] } });
    expect(created.status).toBe(201);
    const { id, consistencyToken } = created.body as { id: string; consistencyToken: string };
    await expectEventually(async () => {
      const applied = await replicaApplied();
      expect(applied !== null && comparePositions(applied, consistencyToken as GlobalPosition) >= 0).toBe(true);
    }, 30_000);
    const served = await servedFromReplica();
    expect(await ids(`?tag=erasure&atLeastAsFresh=${consistencyToken}`)).toEqual([id]);
    // The subject's key destroyed on the primary (the heart of an erasure): the replica's row is not shown.
    await api.infra.vault.erase(id, 'test: erased on the primary');
    expect(await ids(`?tag=erasure&atLeastAsFresh=${consistencyToken}`)).toEqual([]);
    expect((await api.call('GET', `/v1/customers/${id}?atLeastAsFresh=${consistencyToken}`, { key: service })).status).toBe(404);
    expect(await servedFromReplica()).toBe(served + 3);
  });

  it('reports the replica in /health/ready without depending on it', async () => {
    const res = await api.call('GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', checks: { postgres: 'up', replica: 'up' } });
  });

  it('refuses a token that is not one with 400 READ.INVALID_TOKEN', async () => {
    const res = await api.call('GET', '/v1/customers?atLeastAsFresh=12345', { key: service });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'READ.INVALID_TOKEN' });
  });
});
