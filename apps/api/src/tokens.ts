/** Injection tokens of the API's composition root. */
export const DATA_SOURCE = Symbol.for('attest.DataSource');
export const METRICS_REGISTRY = Symbol.for('attest.MetricsRegistry');
export const PROJECTION_RUNNERS = Symbol.for('attest.ProjectionRunners');
