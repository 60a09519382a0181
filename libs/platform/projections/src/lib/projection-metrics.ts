import { Counter, Gauge, type Registry } from 'prom-client';

/** What a runner tells the metrics about itself. */
export interface LagSource {
  readonly name: string;
  /** Events behind the head of the log (capped), or null when unknown. */
  lag(): Promise<number | null>;
  readonly caughtUp: boolean;
}

/**
 * Prometheus metrics of all projection runners in a process. Lag is computed
 * when scraped, not on the hot path.
 */
export class ProjectionMetrics {
  readonly handled: Counter<'projection'>;
  readonly failures: Counter<'projection'>;
  private readonly sources = new Map<string, LagSource>();

  constructor(registry: Registry) {
    const sources = this.sources;
    this.handled = new Counter({
      name: 'attest_projection_events_handled_total',
      help: 'Events applied to read models, by projection.',
      labelNames: ['projection'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'attest_projection_failures_total',
      help: 'Batches that failed and were retried, by projection.',
      labelNames: ['projection'],
      registers: [registry],
    });
    new Gauge({
      name: 'attest_projection_lag_events',
      help: 'Events in the log after the projection checkpoint (capped at 1,000,000).',
      labelNames: ['projection'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const source of sources.values()) {
          const lag = await source.lag().catch(() => null);
          if (lag !== null) this.set({ projection: source.name }, lag);
        }
      },
    });
    new Gauge({
      name: 'attest_projection_caught_up',
      help: '1 when the projection has reached the head of the log since it started.',
      labelNames: ['projection'],
      registers: [registry],
      collect() {
        this.reset();
        for (const source of sources.values()) this.set({ projection: source.name }, source.caughtUp ? 1 : 0);
      },
    });
  }

  register(source: LagSource): void {
    this.sources.set(source.name, source);
  }

  unregister(name: string): void {
    this.sources.delete(name);
  }
}
