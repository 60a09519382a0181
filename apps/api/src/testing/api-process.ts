/**
 * A second API process for tests that need two (ADR 0016: a decision in one
 * process after a write in another). It serves HTTP on the database of
 * DATABASE_URL (migrated by the first), with no workers or jobs of its own,
 * prints `{"url": …}` as its first line on stdout, and stops on SIGTERM.
 *
 *   node -r @swc-node/register apps/api/src/testing/api-process.ts
 */
import 'reflect-metadata';
import { loadConfig } from '@attest/config';
import { logContext } from '@attest/http';
import { createLogger, createMetricsRegistry } from '@attest/observability';
import { startInfrastructure, timedJobsView } from '@attest/runtime';
import { createApp } from '../app';
import { infrastructureDependencies } from '../infrastructure-dependencies';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'attest-api-second', mixin: logContext }, process.stderr);
  const infrastructure = await startInfrastructure(config, logger);
  const appDataSource = await infrastructure.connectApp();
  const app = await createApp({
    // The api role: HTTP only (as ATTEST_ROLE=api runs it), the first process does the background work.
    role: 'api',
    ...infrastructureDependencies(infrastructure, appDataSource),
    timedJobs: timedJobsView(infrastructure, config),
    registry: createMetricsRegistry({ defaultMetrics: false }),
    runners: [],
    logger,
    oidc: null,
    rateLimitPerMinute: config.rateLimitPerMinute,
    publicFlowPerMinute: config.publicFlowPerMinute,
    decisionCache: config.decisionCache,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ url: await app.getUrl() })}\n`);
  process.once('SIGTERM', () => {
    void (async () => {
      await app.close();
      await infrastructure.stop();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`the second API process failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
  process.exit(1);
});
