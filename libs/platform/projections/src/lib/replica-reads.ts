import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { DomainError } from '@attest/kernel';
import { asPositionOf, comparePositions, type EventStore, type GlobalPosition } from '@attest/event-store';
import type { Logger } from '@attest/observability';

export type ReadFrom = 'primary' | 'replica';

/** The database a read of a read model goes to. */
export interface ReadSource {
  readonly dataSource: DataSource;
  readonly from: ReadFrom;
}

/** Where reads of a projection's read model go (issue 26, item 5); `ReplicaReads` is the one implementation. */
export interface ReadRouting {
  /**
   * The database to read `projection`'s read model from for a caller that has seen `token` (a
   * consistency token a command answered with): the replica once it has applied the token
   * there, else the primary. Without a token, or without a replica, the primary: a caller that
   * names no token reads as today, its own writes included.
   */
  source(projection: string, token: string | null): Promise<ReadSource>;
}

export interface ReplicaReadsOptions {
  readonly primary: DataSource;
  /** DATABASE_REPLICA_URL's data source (as attest_app), or null: every read on the primary. */
  readonly replica: DataSource | null;
  readonly storeKind: EventStore['kind'];
  /** How long a replica's applied positions are trusted before they are read again (default 100 ms). */
  readonly maxAgeMs?: number;
  /** How long the replica is left alone after a failed read (default 5 s). */
  readonly backOffMs?: number;
  readonly registry?: Registry;
  readonly logger?: Logger;
}

interface Applied {
  readonly position: GlobalPosition | null;
  readonly at: number;
}

/**
 * Serves token-carrying reads from a streaming replica when it has applied the token. What the
 * replica has applied to a read model is that projection's checkpoint *on the replica* (the
 * lowest of its partitions'): it moves in the transaction that writes the read model, and the
 * replica replays transactions whole and in order, so a checkpoint at or past the token there
 * means every event up to the token is in the replica's rows. A position the replica cannot
 * show (not yet, not comparable, the replica unreachable) sends the read to the primary, which
 * is never behind it. A position read within `maxAgeMs` that covers the token is trusted;
 * otherwise the replica's position is read at once, one read at a time per projection.
 */
export class ReplicaReads implements ReadRouting {
  private readonly applied = new Map<string, Applied>();
  private readonly reading = new Map<string, Promise<Applied>>();
  private downUntil = 0;
  private readonly reads: Counter | null;

  constructor(private readonly options: ReplicaReadsOptions) {
    this.reads = options.registry
      ? new Counter({
          name: 'attest_read_source_total',
          help: 'Reads of read models that named a consistency token, by projection and the database that served them (primary or replica).',
          labelNames: ['projection', 'source'],
          registers: [options.registry],
        })
      : null;
  }

  async source(projection: string, token: string | null): Promise<ReadSource> {
    const position = token === null ? null : asPositionOf(this.options.storeKind, token);
    if (token !== null && !position) {
      throw new DomainError('READ.INVALID_TOKEN', 'atLeastAsFresh must be a consistencyToken answered by a command of this deployment');
    }
    const from = position && (await this.replicaHas(projection, position)) ? 'replica' : 'primary';
    if (position) this.reads?.inc({ projection, source: from });
    const replica = this.options.replica;
    return from === 'replica' && replica ? { dataSource: replica, from } : { dataSource: this.options.primary, from: 'primary' };
  }

  private async replicaHas(projection: string, token: GlobalPosition): Promise<boolean> {
    if (!this.options.replica || Date.now() < this.downUntil) return false;
    const cached = this.applied.get(projection);
    if (cached && Date.now() - cached.at <= (this.options.maxAgeMs ?? 100) && reaches(cached.position, token)) return true;
    // Not known to be there: read the replica's position now (joining a read under way), it may have moved since.
    return reaches((await this.read(projection)).position, token);
  }

  /** The projection's checkpoint on the replica, one read at a time per projection. */
  private read(projection: string): Promise<Applied> {
    const pending = this.reading.get(projection);
    if (pending) return pending;
    const replica = this.options.replica;
    const next = (async (): Promise<Applied> => {
      try {
        if (!replica) return { position: null, at: Date.now() };
        const rows = await replica.query<{ position: string | null; unset: number }[]>(
          `SELECT min(position) AS position, count(*) FILTER (WHERE position IS NULL)::int AS unset
             FROM projections.checkpoints WHERE name = $1 OR starts_with(name, $1 || '@')`,
          [projection],
        );
        const row = rows[0];
        const position = row && row.unset === 0 && row.position !== null ? asPositionOf(this.options.storeKind, row.position) : null;
        const applied = { position, at: Date.now() };
        this.applied.set(projection, applied);
        return applied;
      } catch (error) {
        this.downUntil = Date.now() + (this.options.backOffMs ?? 5_000);
        this.options.logger?.warn(
          { projection, err: error instanceof Error ? { name: error.name, code: (error as { code?: unknown }).code } : undefined },
          'the read replica did not answer; reads go to the primary for a while',
        );
        return { position: null, at: Date.now() };
      }
    })().finally(() => this.reading.delete(projection));
    this.reading.set(projection, next);
    return next;
  }
}

function reaches(applied: GlobalPosition | null, token: GlobalPosition): boolean {
  if (!applied) return false;
  try {
    return comparePositions(applied, token) >= 0;
  } catch {
    // A position of another kind of store: nothing to compare, the primary answers.
    return false;
  }
}
