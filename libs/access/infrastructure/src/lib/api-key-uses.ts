import type { DataSource } from 'typeorm';

/**
 * When each API key was last used, kept without a write per request: the authenticator notes the
 * time in memory (`touch`), and the notes go to `access.api_key_uses` in one statement every
 * `flushEveryMs` (30 s by default), before a listing of keys in this process, and at shutdown.
 * Several processes write the same rows; the later time wins. A process killed between flushes
 * loses at most its last interval's notes — a last use shown up to that much early, never a key
 * shown as used that was not.
 */
export class ApiKeyUseRecorder {
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly appDataSource: DataSource,
    private readonly options: { readonly flushEveryMs?: number; readonly onError?: (error: unknown) => void } = {},
  ) {}

  /** Notes a request made with the key at `at` (memory only). */
  touch(keyId: string, at: Date): void {
    const known = this.pending.get(keyId);
    if (known === undefined || known.getTime() < at.getTime()) this.pending.set(keyId, at);
  }

  /** Writes the notes taken so far (one statement); notes of a failed write are kept for the next. */
  flush(): Promise<void> {
    const next = this.flushing.then(() => this.write());
    this.flushing = next.catch(() => undefined);
    return next;
  }

  /** Flushes on a timer that does not keep the process alive. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.flush().catch((error: unknown) => this.options.onError?.(error));
    }, this.options.flushEveryMs ?? 30_000);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Nest calls this when the application closes. */
  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.appDataSource.query(`SELECT access.record_api_key_uses($1::uuid[], $2::timestamptz[])`, [
        [...batch.keys()],
        [...batch.values()].map((d) => d.toISOString()),
      ]);
    } catch (error) {
      for (const [keyId, at] of batch) this.touch(keyId, at);
      throw error;
    }
  }
}
