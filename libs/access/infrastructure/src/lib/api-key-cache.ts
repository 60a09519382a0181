import pg from 'pg';

/** The channel `access.api_keys_v1` notifies with a key's prefix when the key row changes or goes. */
export const API_KEY_CHANNEL = 'attest_api_keys';

export interface ApiKeyCacheOptions {
  /** How long a looked-up key row is reused at most (a bound should a notification ever be missed). */
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  /** Pause before the listener connects again after it failed. */
  readonly reconnectMs?: number;
  readonly onWarning?: (message: string, error?: unknown) => void;
}

interface Entry<T> {
  readonly value: T;
  readonly until: number;
}

/**
 * Key rows looked up by prefix, reused across requests so the hot path (an
 * app calling the decision API with one key) does not read the same row a
 * thousand times a second. Only the row is kept: every request still checks
 * the presented secret against its hash, the expiry and the revocation.
 *
 * A revocation takes effect at once:
 * - every change of a key row notifies (trigger, LISTEN/NOTIFY) and every
 *   process drops the row;
 * - the process that revoked also drops it itself, after its commit, before
 *   it answers (`forgetAll`);
 * - a lookup that was in flight while a row was dropped is not kept
 *   (generation check), so a row read before the commit cannot outlive it;
 * - nothing is kept while the listener is down (it reconnects), so a missed
 *   notification cannot leave a revoked key usable.
 */
export class ApiKeyCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly reconnectMs: number;
  private generation = 0;
  private listener: pg.Client | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: ApiKeyCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.reconnectMs = options.reconnectMs ?? 1_000;
  }

  /** Whether rows are kept: only while the listener is connected. */
  get active(): boolean {
    return this.listener !== null;
  }

  lookup(prefix: string): T | undefined {
    const entry = this.entries.get(prefix);
    if (!entry) return undefined;
    if (entry.until > performance.now()) return entry.value;
    this.entries.delete(prefix);
    return undefined;
  }

  /** A token to pass to `remember` after a lookup in the database. */
  begin(): number {
    return this.generation;
  }

  /** Keeps a row read from the database, unless a row was dropped since `begin` or the listener is down. */
  remember(prefix: string, value: T, token: number): void {
    if (!this.active || token !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(prefix, { value, until: performance.now() + this.ttlMs });
  }

  /** Drops a key's row (its row changed or went). */
  forget(prefix: string): void {
    this.generation += 1;
    this.entries.delete(prefix);
  }

  /** Drops every row (a key changed and its prefix is not at hand). */
  forgetAll(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** Connects the listener; rows are kept from then on. */
  async listen(connectionString: string): Promise<void> {
    if (this.closed || this.listener) return;
    const client = new pg.Client({ connectionString, application_name: 'attest-api-key-listener' });
    const lost = (error?: unknown): void => {
      if (this.listener !== client) return;
      this.listener = null;
      this.forgetAll();
      void client.end().catch(() => undefined);
      this.scheduleReconnect(connectionString, error);
    };
    client.on('notification', (message) => {
      if (message.payload) this.forget(message.payload);
      else this.forgetAll();
    });
    client.on('error', lost);
    client.on('end', () => {
      lost();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.isClosed()) {
      // Closed while connecting.
      await client.end().catch(() => undefined);
      return;
    }
    // Nothing was kept while not listening, and lookups begun before now are not kept either (new
    // generation): a row read before LISTEN took effect may predate a change it never heard of.
    this.forgetAll();
    this.listener = client;
  }

  private scheduleReconnect(connectionString: string, error: unknown): void {
    if (this.closed || this.reconnect) return;
    this.options.onWarning?.('api-key listener lost; keys are looked up on every request until it reconnects', error);
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      this.listen(connectionString).catch((e: unknown) => {
        this.scheduleReconnect(connectionString, e);
      });
    }, this.reconnectMs);
    this.reconnect.unref();
  }

  private isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    const client = this.listener;
    this.listener = null;
    this.forgetAll();
    await client?.end().catch(() => undefined);
  }
}
