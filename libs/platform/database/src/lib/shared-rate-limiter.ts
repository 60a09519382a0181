import type { DataSource } from 'typeorm';

export interface SharedRateLimiterOptions {
  /** Requests a key may make in any minute (a sliding window). */
  readonly perMinute: number;
  /** Names this limit in the shared table, so the keys of two limits never meet. */
  readonly scope: string;
  /** A keyed hash of a key (an actor, a client address): the table holds no key in plaintext. */
  readonly hashKey: (key: string) => Promise<string>;
  /** How often this process adds its counts to the shared ones and learns the others' (default 250 ms). */
  readonly syncEveryMs?: number;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

interface Entry {
  /** The minute (since the epoch) `current` counts. */
  minute: number;
  /** Every process's requests in this minute and the one before, as last learnt (this one's added). */
  current: number;
  previous: number;
  /** This process's requests in `minute` not yet added to the table. */
  pending: number;
  hashed: string | null;
  lastUsed: number;
}

const MINUTE = 60_000;

/**
 * A rate limit that several API processes share through PostgreSQL, without a database round
 * trip per request: `take` decides from memory (a sliding window over the last minute: the
 * current minute's count plus the previous one's, weighted by how much of it is still inside
 * the window), and every `syncEveryMs` each process adds what it admitted to
 * `http.rate_windows` (one statement) and reads every process's counts for the keys it has
 * seen (one more). So a key is held to its limit across processes, give or take what the
 * other processes admitted within one sync interval. A key new to a process is admitted from
 * what that process knows (nothing) until a sync it starts at once returns, about one round
 * trip: a burst spread over P processes in that moment may pass up to P × the limit, once. Keys are stored as keyed hashes;
 * counts older than the previous minute are deleted. A failed sync keeps this process's
 * counts for the next one and decides from what it knows meanwhile.
 */
export class SharedRateLimiter {
  private readonly entries = new Map<string, Entry>();
  /** Counts not in the table yet: of minutes that ended before a sync, or of a sync that failed. */
  private readonly carried: { key: string; minute: number; count: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private lastSweep = 0;
  private soon = false;
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: SharedRateLimiterOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** 0 when the request may go ahead (and it is counted), else the seconds to wait. */
  take(key: string): number {
    const now = this.now();
    const entry = this.entry(key, now);
    entry.lastUsed = now;
    const limit = this.options.perMinute;
    const inside = 1 - (now % MINUTE) / MINUTE;
    const used = entry.previous * inside + entry.current + entry.pending;
    if (used + 1 <= limit) {
      entry.pending += 1;
      return 0;
    }
    const over = used + 1 - limit;
    if (entry.previous * inside >= over) return Math.max(1, Math.ceil((over / entry.previous) * 60));
    // Not before the next minute, and then until enough of this one has left the window.
    const thisMinute = entry.current + entry.pending;
    const untilNext = (MINUTE - (now % MINUTE)) / 1000;
    const thenFraction = thisMinute > 0 ? Math.max(0, 1 - (limit - 1) / thisMinute) : 0;
    return Math.max(1, Math.ceil(untilNext + thenFraction * 60));
  }

  /** Adds this process's counts to the shared ones and learns everyone's; one at a time. */
  sync(): Promise<void> {
    const next = this.syncing.then(() => this.exchange());
    this.syncing = next.catch(() => undefined);
    return next;
  }

  /** Syncs on a timer that does not keep the process alive. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.sync().catch((error: unknown) => this.options.onError?.(error));
    }, this.options.syncEveryMs ?? 250);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.sync();
  }

  /** Nest calls this when the application closes. */
  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private entry(key: string, now: number): Entry {
    const minute = Math.floor(now / MINUTE);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { minute, current: 0, previous: 0, pending: 0, hashed: null, lastUsed: now };
      this.entries.set(key, entry);
      this.syncSoon();
    }
    if (entry.minute !== minute) {
      if (entry.pending > 0) this.carried.push({ key, minute: entry.minute, count: entry.pending });
      entry.previous = minute === entry.minute + 1 ? entry.current + entry.pending : 0;
      entry.current = 0;
      entry.pending = 0;
      entry.minute = minute;
    }
    return entry;
  }

  /** A key this process has not seen: learn the others' counts for it now, not at the next tick. */
  private syncSoon(): void {
    if (this.soon || this.timer === null) return;
    this.soon = true;
    setImmediate(() => {
      this.soon = false;
      this.sync().catch((error: unknown) => this.options.onError?.(error));
    });
  }

  private async exchange(): Promise<void> {
    const now = this.now();
    const minute = Math.floor(now / MINUTE);
    for (const [key, entry] of this.entries) {
      this.entry(key, now);
      // A key unused for two minutes has nothing in the window any more.
      if (entry.pending === 0 && now - entry.lastUsed > 2 * MINUTE) this.entries.delete(key);
    }
    if (this.entries.size === 0 && this.carried.length === 0) return;
    const hash = async (key: string): Promise<string> => {
      const entry = this.entries.get(key);
      if (entry?.hashed) return entry.hashed;
      const hashed = await this.options.hashKey(key);
      if (entry) entry.hashed = hashed;
      return hashed;
    };
    // What is pending now goes into the write; until the table says otherwise it counts as known.
    const carried = this.carried.splice(0);
    const taken: { key: string; minute: number; count: number }[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.pending === 0) continue;
      taken.push({ key, minute: entry.minute, count: entry.pending });
      entry.current += entry.pending;
      entry.pending = 0;
    }
    const writes = [...carried, ...taken];
    const keys = [...this.entries.keys()];
    let hashes: Map<string, string>;
    try {
      hashes = new Map(await Promise.all([...new Set([...keys, ...carried.map((c) => c.key)])].map(async (k) => [k, await hash(k)] as const)));
      if (writes.length > 0) {
        await this.dataSource.query(
          `INSERT INTO http.rate_windows (scope, key, minute, used)
           SELECT $1, w.key, w.minute, sum(w.used) FROM unnest($2::text[], $3::bigint[], $4::int[]) AS w(key, minute, used) GROUP BY w.key, w.minute
           ON CONFLICT (scope, key, minute) DO UPDATE SET used = http.rate_windows.used + EXCLUDED.used`,
          [this.options.scope, writes.map((w) => hashes.get(w.key) ?? ''), writes.map((w) => w.minute), writes.map((w) => w.count)],
        );
      }
    } catch (error) {
      this.carried.unshift(...writes);
      throw error;
    }
    const counts = await this.dataSource.query<{ key: string; minute: string; used: number }[]>(
      `SELECT key, minute, used FROM http.rate_windows WHERE scope = $1 AND key = ANY($2::text[]) AND minute >= $3`,
      [this.options.scope, keys.map((k) => hashes.get(k) ?? ''), minute - 1],
    );
    const byKey = new Map<string, Map<number, number>>();
    for (const row of counts) {
      const perMinute = byKey.get(row.key) ?? new Map<number, number>();
      perMinute.set(Number(row.minute), row.used);
      byKey.set(row.key, perMinute);
    }
    for (const key of keys) {
      const entry = this.entries.get(key);
      const known = byKey.get(hashes.get(key) ?? '');
      if (!entry) continue;
      entry.current = known?.get(entry.minute) ?? 0;
      entry.previous = known?.get(entry.minute - 1) ?? 0;
    }
    if (now - this.lastSweep > MINUTE) {
      this.lastSweep = now;
      await this.dataSource.query(`DELETE FROM http.rate_windows WHERE minute < $1`, [minute - 1]);
    }
  }
}
