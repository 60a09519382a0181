import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { DomainError } from '@attest/kernel';
import { asPositionOf, comparePositions, type EventStore, type GlobalPosition } from '@attest/event-store';
import type { Logger } from '@attest/observability';
import { partitionName } from './projection';

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
  /** A read on the replica failed: the caller reads the primary instead, and the replica is left alone for a while. */
  failed(error: unknown): void;
}

export interface ReplicaReadsOptions {
  readonly primary: DataSource;
  /** DATABASE_REPLICA_URL's data source (as attest_app), or null: every read on the primary. Not initialized yet: tried after each back-off. */
  readonly replica: DataSource | null;
  readonly storeKind: EventStore['kind'];
  /**
   * ATTEST_PROJECTION_PARTITIONS: a projection named here is applied there only where every one
   * of its partitions' checkpoints is (`partitionName`); any of them missing, and the primary answers.
   */
  readonly partitions?: Readonly<Record<string, number>>;
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
  private initializing: Promise<unknown> | null = null;
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

  failed(error: unknown): void {
    this.down(error, 'a read on the replica failed; reads go to the primary for a while');
  }

  private down(error: unknown, message: string): void {
    const already = Date.now() < this.downUntil;
    this.downUntil = Date.now() + (this.options.backOffMs ?? 5_000);
    if (!already)
      this.options.logger?.warn({ err: error instanceof Error ? { name: error.name, code: (error as { code?: unknown }).code } : undefined }, message);
  }

  /** One attempt at a time to connect a replica that was not reachable at start. */
  private initialize(replica: DataSource): Promise<unknown> {
    this.initializing ??= replica.initialize().finally(() => {
      this.initializing = null;
    });
    return this.initializing;
  }

  /** The checkpoints that must all have reached a token: the projection's, or each of its partitions'. */
  private expected(projection: string): string[] {
    const count = this.options.partitions?.[projection] ?? 1;
    return count > 1 ? Array.from({ length: count }, (_, index) => partitionName(projection, { index, count })) : [projection];
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
        if (!replica.isInitialized) await this.initialize(replica);
        const names = this.expected(projection);
        const rows = await replica.query<{ name: string; position: string | null }[]>(
          `SELECT name, position FROM projections.checkpoints WHERE name = ANY($1::text[])`,
          [names],
        );
        // Every expected checkpoint present, set and of this store: the lowest of them; else nothing is known there.
        let lowest: GlobalPosition | null = null;
        let complete = rows.length === names.length;
        for (const row of rows) {
          const position = row.position === null ? null : asPositionOf(this.options.storeKind, row.position);
          if (!position) complete = false;
          else if (!lowest || comparePositions(position, lowest) < 0) lowest = position;
        }
        const applied = { position: complete ? lowest : null, at: Date.now() };
        this.applied.set(projection, applied);
        return applied;
      } catch (error) {
        this.down(error, 'the read replica did not answer; reads go to the primary for a while');
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
