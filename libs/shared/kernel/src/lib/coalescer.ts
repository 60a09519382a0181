interface Waiting<I, R> {
  readonly item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Groups concurrent calls into batches for one round trip each (group
 * commit): a call runs at once while fewer than `maxInFlight` batches
 * (default 1) are running; otherwise it waits and goes with every other
 * waiting call in the next batch. Each caller gets its own result, or the
 * batch's error. (Measured on the decision path: more than one batch in
 * flight made the tail worse on a small machine, more backends competing.)
 */
export class Coalescer<I, R> {
  private waiting: Waiting<I, R>[] = [];
  private inFlight = 0;

  constructor(
    /** Runs one batch; returns one result per item, in order. */
    private readonly run: (items: readonly I[]) => Promise<readonly R[]>,
    private readonly options: { readonly maxInFlight?: number; readonly onIdle?: () => void } = {},
  ) {}

  /** Nothing running and nothing waiting. */
  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.inFlight < (this.options.maxInFlight ?? 1)) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight += 1;
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        const results = await this.run(batch.map((w) => w.item));
        if (results.length !== batch.length) throw new Error(`a batch of ${String(batch.length)} calls returned ${String(results.length)} results`);
        batch.forEach((w, i) => {
          w.resolve(results[i] as R);
        });
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.inFlight -= 1;
    if (this.idle) this.options.onIdle?.();
  }
}
