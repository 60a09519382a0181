import pg from 'pg';
import type { EntityManager } from 'typeorm';
import type { Logger } from '@attest/observability';
import type { ProjectionRunner } from './projection-runner';

/** The name of a projection's lease: a session advisory lock on `hashtextextended(name, 0)`. */
export const projectionLeaseKey = (projection: string): string => `attest-projection:${projection}`;

export interface ProjectionLeasesOptions {
  /** The owner's database (the lease connection is its own, apart from every pool). */
  readonly connectionString: string;
  /** Who holds the leases, e.g. `worker:<host>:<pid>`: the lease connection's application_name, shown by `attest projections list`. */
  readonly owner: string;
  /** The runners to share out; none runs before its lease is held. */
  readonly runners: readonly ProjectionRunner[];
  /** How often free leases are tried (default 1,000 ms): the bound on a failover, beside the death of the holder's connection. */
  readonly intervalMs?: number;
  readonly logger?: Logger;
}

/**
 * Shares the projections out among worker processes: a runner runs only while its process
 * holds the projection's lease, a session advisory lock taken on one dedicated connection.
 * A process that dies loses that connection, and PostgreSQL releases every lock of a session
 * that ends: its leases are free at once (a killed process's socket is closed by its kernel;
 * a holder cut off by the network is found by TCP keepalive). Every process tries the free
 * leases each `intervalMs` and resumes what it takes from the checkpoint, which moves in the
 * same transaction as the read model: a new owner applies nothing twice, and a runner still
 * finishing a batch of a lost lease cannot either (its checkpoint lock fails, it stops).
 * When this process's lease connection fails, it stops all its runners and tries again.
 */
export class ProjectionLeases {
  private client: pg.Client | null = null;
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: ProjectionLeasesOptions) {}

  /** Takes the free leases once (so a lone process owns everything when this returns), then keeps trying. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick());
    }, this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** The projections this process runs now. */
  owned(): string[] {
    return [...this.held].sort();
  }

  /** Stops the runners it owns, then ends the lease connection: the leases are free for the others. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await this.stopRunners([...this.held]);
    this.held.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  // A method, not the field: the flag changes while a tick awaits.
  private isStopped(): boolean {
    return this.stopped;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await this.connect();
      for (const runner of this.options.runners) {
        if (this.held.has(runner.name) || this.isStopped()) continue;
        const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS got', [projectionLeaseKey(runner.name)]);
        if (rows[0]?.got !== true) continue;
        this.held.add(runner.name);
        this.options.logger?.info({ projection: runner.name, owner: this.options.owner }, 'projection lease taken; running it here');
        runner.start();
      }
    } catch (error) {
      await this.lose(error);
    }
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: this.options.owner, keepAlive: true });
    // The connection gone, the leases went with it: stop running what may now run elsewhere.
    client.on('error', (error) => {
      if (this.client === client) void this.lose(error);
    });
    client.on('end', () => {
      if (this.client === client) void this.lose(new Error('the lease connection ended'));
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async lose(error: unknown): Promise<void> {
    const client = this.client;
    this.client = null;
    const lost = [...this.held];
    this.held.clear();
    if (lost.length > 0) {
      this.options.logger?.warn(
        { projections: lost, err: error instanceof Error ? { name: error.name, message: error.message } : undefined },
        'projection leases lost with their connection; stopped those projections here, taking leases again',
      );
    }
    await this.stopRunners(lost);
    await client?.end().catch(() => undefined);
  }

  private async stopRunners(names: readonly string[]): Promise<void> {
    await Promise.all(this.options.runners.filter((r) => names.includes(r.name)).map((r) => r.stop()));
  }
}

/** Who holds each projection's lease now: projection name → the holder's application_name (its owner). */
export async function projectionOwners(manager: EntityManager, names: readonly string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  // A bigint advisory key shows in pg_locks as its high half (classid) and low half (objid), objsubid 1.
  const rows = await manager.query<{ name: string; owner: string }[]>(
    `SELECT n.name, a.application_name AS owner
       FROM unnest($1::text[]) AS n(name)
       JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($2 || n.name, 0)
       JOIN pg_stat_activity a ON a.pid = l.pid`,
    [names, projectionLeaseKey('')],
  );
  return new Map(rows.map((r) => [r.name, r.owner]));
}
