/** Injection tokens of the API's composition root. */
export const DATA_SOURCE = Symbol.for('attest.DataSource');
export const METRICS_REGISTRY = Symbol.for('attest.MetricsRegistry');
export const PROJECTION_RUNNERS = Symbol.for('attest.ProjectionRunners');
/** Whether the deployment has a webhook receiver of its own (ATTEST_WEBHOOK_URL). */
export const PLATFORM_RECEIVER = Symbol.for('attest.PlatformReceiver');
