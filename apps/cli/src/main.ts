import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@attest/config';
import { createLogger } from '@attest/observability';
import { checkpoints, rebuildProjection } from '@attest/projections';
import { findProjection, projections, startInfrastructure, type Infrastructure } from '@attest/runtime';
import { listEventLogStats } from '@attest/operations-event-log-stats';

const USAGE = `attest — operate an Attest installation

Usage:
  attest migrate                       apply pending database migrations
  attest projections list              projections with version, checkpoint and lag
  attest projections rebuild <name>    empty a read model and replay the log into it
  attest stats [--tenant <id>]         events per tenant and type (no event data)
  attest help                          this text

Configuration comes from the environment (see README.md); without DATABASE_URL
the embedded PostgreSQL under ./.data is used (started if no Attest process runs it).
`;

/** A usage error: exit code 2 and the usage text. */
class UsageError extends Error {}

async function withInfrastructure<T>(run: (infra: Infrastructure) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Operational log lines go to stderr; command output to stdout.
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, name: 'attest-cli' }, process.stderr);
  const infra = await startInfrastructure({ ...config, projections: false }, logger);
  try {
    return await run(infra);
  } finally {
    await infra.stop();
  }
}

async function assertMigrated(infra: Infrastructure): Promise<void> {
  if (await infra.dataSource.showMigrations()) throw new UsageError('the database has pending migrations: run `attest migrate` first');
}

async function migrate(): Promise<void> {
  await withInfrastructure(async (infra) => {
    const ran = await infra.migrate();
    process.stdout.write(ran.length === 0 ? 'schema up to date\n' : `applied:\n${ran.map((n) => `  ${n}\n`).join('')}`);
  });
}

async function listProjections(): Promise<void> {
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const stored = new Map((await checkpoints.list(infra.dataSource.manager)).map((c) => [c.name, c]));
    const rows = await Promise.all(
      projections.map(async (p) => {
        const c = stored.get(p.name);
        const lag = await infra.store.countAfter(c?.position ?? undefined, p.filter, 1_000_000);
        return [p.name, String(p.version), c ? String(c.version) : '-', String(c?.eventsHandled ?? 0), String(lag), c?.updatedAt.toISOString() ?? '-'];
      }),
    );
    printTable(['projection', 'version', 'stored version', 'events handled', 'lag', 'updated'], rows);
  });
}

async function rebuild(name: string | undefined): Promise<void> {
  if (!name) throw new UsageError('which projection? `attest projections list` names them');
  const projection = findProjection(name);
  if (!projection) throw new UsageError(`no projection named "${name}"; known: ${projections.map((p) => p.name).join(', ')}`);
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const started = Date.now();
    await rebuildProjection({ dataSource: infra.dataSource, store: infra.store, projection });
    const [c] = (await checkpoints.list(infra.dataSource.manager)).filter((x) => x.name === name);
    process.stdout.write(`rebuilt ${name} v${projection.version}: ${c?.eventsHandled ?? 0} events in ${Date.now() - started} ms\n`);
  });
}

async function stats(tenant: string | undefined): Promise<void> {
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const rows = await listEventLogStats(infra.dataSource.manager, tenant);
    printTable(
      ['tenant', 'event type', 'events', 'first', 'last'],
      rows.map((r) => [r.tenantId, r.eventType, String(r.events), r.firstRecordedAt.toISOString(), r.lastRecordedAt.toISOString()]),
    );
  });
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, sub, arg] = positionals;
  try {
    if (values.help || !command || command === 'help') {
      process.stdout.write(USAGE);
      return command || values.help ? 0 : 2;
    }
    if (command === 'migrate') await migrate();
    else if (command === 'projections' && sub === 'list') await listProjections();
    else if (command === 'projections' && sub === 'rebuild') await rebuild(arg);
    else if (command === 'stats') await stats(values.tenant);
    else throw new UsageError(`unknown command: ${positionals.join(' ')}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`attest: ${error.message}\n\n${error instanceof UsageError ? USAGE : ''}`);
      return 2;
    }
    process.stderr.write(`attest: failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
    return 1;
  }
}

// `npm run attest -- …` runs this file directly; bin/attest.cjs calls run() itself.
if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    () => process.exit(1),
  );
}
