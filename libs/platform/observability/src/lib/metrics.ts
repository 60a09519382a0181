import { collectDefaultMetrics, Registry } from 'prom-client';

export { Registry } from 'prom-client';

/** One Prometheus registry per process; metric names start with `attest_`. */
export function createMetricsRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'attest_' });
  return registry;
}
