/** Injection tokens of the API's composition root. */
export const DATA_SOURCE = Symbol.for('attest.DataSource');
/** The read replica's data source (DATABASE_REPLICA_URL), or null. */
export const REPLICA_DATA_SOURCE = Symbol.for('attest.ReplicaDataSource');
export const METRICS_REGISTRY = Symbol.for('attest.MetricsRegistry');
export const PROJECTION_RUNNERS = Symbol.for('attest.ProjectionRunners');
/** What the process runs (ATTEST_ROLE): api, worker or all. */
export const PROCESS_ROLE = Symbol.for('attest.ProcessRole');
/** Whether the deployment has a webhook receiver of its own (ATTEST_WEBHOOK_URL). */
export const PLATFORM_RECEIVER = Symbol.for('attest.PlatformReceiver');
