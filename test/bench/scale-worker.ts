/**
 * One worker process of `npm run bench:scale`: every read model's projection runner under
 * leases, as `main.ts` runs them in the worker role (the processing record left out: it is
 * no read model, and bench:processing-record measures it), the partitionable ones in
 * BENCH_PARTITIONS partitions by tenant. It says `ready` once connected,
 * takes leases on `go`, and stops on SIGTERM.
 */
import 'reflect-metadata';
import { hostname } from 'node:os';
import { loadConfig } from '@attest/config';
import { createLogger } from '@attest/observability';
import { ProjectionLeases } from '@attest/projections';
import { projectionRunners, startInfrastructure } from '@attest/runtime';
import { INLINE_PROJECTIONS } from '../../apps/api/src/app.module';

async function main(): Promise<void> {
  const logger = createLogger({ level: 'warn', name: 'bench-scale-worker' }, process.stderr);
  const infra = await startInfrastructure(loadConfig(), logger);
  // BENCH_PARTITIONS: the partitionable projections (customers) in that many partitions by tenant.
  const partitions = Number(process.env['BENCH_PARTITIONS'] ?? 1);
  const partitioned = partitions > 1 ? infra.projections.filter((p) => p.partitionableByTenant).map((p) => [p.name, partitions] as const) : [];
  const runners = projectionRunners(infra, logger, { inline: INLINE_PROJECTIONS, partitions: Object.fromEntries(partitioned), except: ['processing-record'] });
  const leases = new ProjectionLeases({ connectionString: infra.databaseUrl, owner: `worker:${hostname()}:${String(process.pid)}`, runners, logger });
  process.on('message', (message) => {
    if (message === 'go') void leases.start();
  });
  process.once('SIGTERM', () => {
    void (async () => {
      await leases.stop();
      await infra.stop();
      process.exit(0);
    })();
  });
  process.send?.('ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:scale worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
