import 'reflect-metadata';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@attest/config';
import { DomainError, systemClock } from '@attest/kernel';
import { UnknownCheckpointError } from '@attest/event-store';
import { JobRunner } from '@attest/jobs';
import { createLogger } from '@attest/observability';
import { checkpoints, projectionOwners, rebuildProjection, rebuildProjections } from '@attest/projections';
import { isRole, isTenantId, ROLES } from '@attest/access-domain';
import { PostgresAccessReadModel } from '@attest/access-infrastructure';
import {
  completeTenantClosures,
  createJobs,
  issueApiKeyFromConsole,
  issueConsoleLink,
  revokeApiKeyFromConsole,
  startInfrastructure,
  type Infrastructure,
} from '@attest/runtime';
import { listEventLogStats } from '@attest/operations-event-log-stats';
import { createDataSource } from '@attest/database';
import { exportBundle, PostgresRecordLog, verifyTenantLog } from '@attest/processing-infrastructure';
import { verifyBundle, type RecordBundle, type VerificationReport } from '@attest/processing-application';
import { generateSignerKey, parseSignerKey, parseVerifierKey, runVectors, type NoteVerifier } from '@attest/transparency';
import { readFile, writeFile } from 'node:fs/promises';
import { startWebhookReceiver } from './webhook-receiver';
import { startDevelopmentSimulator } from './whatsapp-simulator';
import { outboxOverview } from '@attest/messaging-infrastructure';

const USAGE = `attest — operate an Attest installation

Usage:
  attest migrate                       apply pending database migrations
  attest projections list              projections (and their partitions) with version, checkpoint, lag and the process running each
  attest projections rebuild <name>… | all
                                       empty read models and replay the log into them, read once for
                                       all of them (all: every read model; never the processing record)
  attest stats [--tenant <id>]         events per tenant and type (no event data)
  attest keys create --tenant <id> --roles <r1,r2> [--label <text>] [--expires-in-days <n>]
                                       issue an API key (printed once)
  attest keys list --tenant <id>       API keys of a tenant (never their secrets)
  attest console-link --tenant <id> --roles <r1,r2>
                                       a single-use sign-in link to the web console (10 minutes);
                                       its origin is ATTEST_PUBLIC_URL or http://localhost:<PORT>
  attest keys revoke <keyId> --tenant <id> --reason <text>
                                       revoke an API key (effective on the next request)
  attest keys rotate-master            re-wrap every data-subject key under ATTEST_MASTER_KEY
                                       (set the old one in ATTEST_MASTER_KEY_PREVIOUS meanwhile)
  attest accounts complete-closures    cancel and erase the members of cancelled enterprises whose
                                       cascade was interrupted (idempotent)
  attest webhook-receiver [--port <n>] receive Attest's signed webhooks on 127.0.0.1 (default 4010)
                                       and print them — a development stand-in for the e-mail/SMS
                                       gateway; needs ATTEST_WEBHOOK_SECRET
  attest whatsapp-simulator [--port <n>] [--callback <url>]
                                       a local stand-in of the WhatsApp Business Cloud API on
                                       127.0.0.1 (default 4020): accepts sends, answers wamids, sends
                                       signed status webhooks to --callback; for development and tests
  attest whatsapp outbox [--tenant <id>]
                                       per bound WhatsApp number: queued, due, held, sending and
                                       in-doubt messages, the oldest queued, and whether a process
                                       serves it now (holds its lease)
  attest verify --tenant <id> [--key <verifier key>] [--checkpoint <file>]...
                                       recompute a tenant's processing record (Merkle log) from the
                                       database and check it against every signed checkpoint and the
                                       checkpoints you kept (exit 1 when it does not verify); with
                                       DATABASE_URL and --key it needs no master or signing key
  attest verify --bundle <file> [--key <verifier key>] [--checkpoint <file>]...
                                       verify an export bundle offline (no database)
  attest vectors <dir>                 run every RFC 6962 inclusion/consistency vector file under <dir>
  attest processing-record checkpoint --tenant <id>   sign a checkpoint now
  attest processing-record export --tenant <id> --out <file>
                                       the whole log as an offline-verifiable bundle
  attest processing-record purge --tenant <id> [--before <ISO instant>]
                                       drop bodies past retention (as attest_purge; leaf hashes stay)
  attest processing-record keygen [--name <key name>]
                                       a new Ed25519 checkpoint signing key (ATTEST_RECORD_SIGNER_KEY)
  attest jobs list                     the timed jobs (retention, purge, deadlines) and when each runs next
  attest jobs run <name> [--dry-run]   run one now; --dry-run reports what it would do and changes nothing
  attest jobs history [<name>] [--limit <n>]
                                       past runs with their counts and errors
  attest help                          this text

Configuration comes from the environment (see README.md); without DATABASE_URL
the embedded PostgreSQL under ./.data is used (started if no Attest process runs it).
`;

/** A usage error: exit code 2 and the usage text. */
class UsageError extends Error {}
/** A value the user gave that cannot be used (a file that is not a bundle, a limit that is not a number): one line, exit 2. */
class InputError extends Error {}

/** A whole number option within [min, max], or the default when the option is absent. */
function wholeNumber(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = /^[0-9]{1,9}$/u.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`--${option} must be a whole number from ${String(min)} to ${String(max)}`);
  return n;
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new InputError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : typeof code === 'string' ? code : 'unreadable'}`,
    );
  }
}

/** The closest known option to a mistyped one (`--dryrun` → `--dry-run`), or null. */
function closestOption(given: string, known: readonly string[]): string | null {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0] ?? 0;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j] ?? 0;
        row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length] ?? Number.POSITIVE_INFINITY;
  };
  const best = known.map((k) => ({ k, d: distance(given, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? best.k : null;
}

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
    const list = await checkpoints.list(infra.dataSource.manager);
    const stored = new Map(list.map((c) => [c.name, c]));
    // A projection run in partitions (ATTEST_PROJECTION_PARTITIONS) has a checkpoint per partition: `customers@1of4`, ….
    const partitions = new Map(infra.projections.map((p) => [p.name, list.filter((c) => c.name.startsWith(`${p.name}@`)).map((c) => c.name)]));
    const entries = infra.projections.flatMap((p) => {
      const parts = partitions.get(p.name) ?? [];
      return [
        ...(parts.length === 0 || stored.has(p.name) ? [{ p, name: p.name, partition: '-' }] : []),
        ...parts.map((name) => ({ p, name, partition: name.slice(p.name.length + 1) })),
      ];
    });
    const owners = await projectionOwners(
      infra.dataSource.manager,
      entries.map((e) => e.name),
    );
    const rows = await Promise.all(
      entries.map(async ({ p, name, partition }) => {
        const c = stored.get(name);
        // A checkpoint the store does not know (another adapter's, a restored log): the worker rebuilds it.
        const lag = await infra.store.countAfter(c?.position ?? undefined, p.filter, 1_000_000).then(String, (error: unknown) => {
          if (error instanceof UnknownCheckpointError) return 'unknown checkpoint: rebuilt when the workers start';
          throw error;
        });
        return [
          p.name,
          partition,
          String(p.version),
          c ? String(c.version) : '-',
          String(c?.eventsHandled ?? 0),
          lag,
          c?.updatedAt.toISOString() ?? '-',
          owners.get(name) ?? '-',
        ];
      }),
    );
    printTable(['projection', 'partition', 'version', 'stored version', 'events handled', 'lag', 'updated', 'owner'], rows);
  });
}

async function rebuild(names: readonly string[]): Promise<void> {
  if (names.length === 0) throw new UsageError('which projections? `attest projections list` names them; `all` is every read model');
  await withInfrastructure(async (infra) => {
    const all = names.length === 1 && names[0] === 'all';
    const projections = all
      ? infra.projections.filter((p) => !p.appendOnly)
      : [...new Set(names)].map((name) => {
          const projection = infra.projections.find((p) => p.name === name);
          if (!projection) throw new UsageError(`no projection named "${name}"; known: ${infra.projections.map((p) => p.name).join(', ')}, or all`);
          if (projection.appendOnly) throw new UsageError(`"${name}" is append-only: it is never rebuilt (a rebuild would rewrite it)`);
          return projection;
        });
    await assertMigrated(infra);
    const started = Date.now();
    // One read model: through its runner, which resumes when a running worker moves its checkpoint.
    // Several: one reader for all, which fails (CHECKPOINT_MOVED) if a worker applies one meanwhile.
    const [only] = projections;
    if (projections.length === 1 && only) await rebuildProjection({ dataSource: infra.dataSource, store: infra.store, projection: only });
    else await rebuildProjections({ dataSource: infra.dataSource, store: infra.store, projections });
    const ms = Date.now() - started;
    const stored = await checkpoints.list(infra.dataSource.manager);
    for (const p of projections) {
      const c = stored.find((x) => x.name === p.name);
      process.stdout.write(`rebuilt ${p.name} v${p.version}: ${c?.eventsHandled ?? 0} events in ${ms} ms\n`);
    }
  });
}

/** `attest jobs list | run <name> [--dry-run] | history [<name>]` (exit 1 when a run fails). */
async function jobs(sub: string | undefined, name: string | undefined, dryRun: boolean, limit: string | undefined): Promise<number> {
  let code = 0;
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const runner = new JobRunner({
      dataSource: infra.dataSource,
      jobs: createJobs(infra, loadConfig()),
      clock: systemClock,
      owner: `cli:${userInfo().username}`,
    });
    if (sub === 'list') {
      const next = await runner.nextRuns();
      printTable(
        ['job', 'every', 'next run', 'what it does'],
        runner.list().map((j) => [j.name, `${String(j.intervalSeconds / 3600)} h`, next.get(j.name) ?? '-', j.description]),
      );
    } else if (sub === 'run') {
      if (!name) throw new UsageError('which job? `attest jobs list` names them');
      const run = await runner.runNow(name, { dryRun });
      process.stdout.write(
        `${run.job}${run.dryRun ? ' (dry run)' : ''}: ${run.status} ${JSON.stringify(run.counts)}${run.error ? ` error ${run.error}` : ''}\n`,
      );
      for (const line of run.planned) process.stdout.write(`  ${line}\n`);
      if (run.status !== 'succeeded') code = 1;
    } else if (sub === 'history') {
      const rows = await runner.history(name ?? null, wholeNumber('limit', limit, 20, 1, 1000));
      printTable(
        ['started', 'job', 'dry run', 'status', 'counts', 'error', 'owner'],
        rows.map((r) => [r.startedAt, r.job, r.dryRun ? 'yes' : '', r.status, JSON.stringify(r.counts), r.error ?? '', r.owner]),
      );
    } else {
      throw new UsageError('jobs list | run <name> [--dry-run] | history [<name>]');
    }
  });
  return code;
}

async function whatsappOutbox(tenant: string | undefined): Promise<void> {
  if (tenant !== undefined && !isTenantId(tenant)) throw new UsageError('--tenant <id>: lowercase letters, digits and dashes');
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const rows = await outboxOverview(infra.dataSource, tenant ?? null);
    printTable(
      ['tenant', 'number (binding)', 'rate/s', 'queued', 'due now', 'held', 'sending', 'in doubt', 'oldest queued', 'served'],
      rows.map((r) => [
        r.tenantId,
        r.bindingId,
        String(r.ratePerSecond),
        String(r.queued),
        String(r.dueNow),
        String(r.held),
        String(r.sending),
        String(r.inDoubt),
        r.oldestQueuedAt?.toISOString() ?? '-',
        r.served ? 'yes' : 'no',
      ]),
    );
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

function tenantOption(tenant: string | undefined): string {
  if (!tenant || !isTenantId(tenant)) throw new UsageError('--tenant <id> is required: lowercase letters, digits and dashes');
  return tenant;
}

async function createKey(tenant: string | undefined, rolesText: string | undefined, label: string | undefined, days: string | undefined): Promise<void> {
  const tenantId = tenantOption(tenant);
  const roles = (rolesText ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (roles.length === 0 || !roles.every(isRole)) throw new UsageError(`--roles needs one or more of: ${ROLES.join(', ')}`);
  const expiresInDays = days === undefined ? 90 : Number(days);
  if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 365) throw new UsageError('--expires-in-days must be 1 to 365');
  const text = label ?? 'console';
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(text)) throw new UsageError('--label: letters, digits, space and ._- (no personal data)');
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const issued = await issueApiKeyFromConsole(infra, tenantId, roles, text, expiresInDays);
    process.stdout.write(
      `API key for tenant ${tenantId} (roles ${issued.roles.join(', ')}, expires ${issued.expiresAt}):\n${issued.key}\n` +
        `key id ${issued.keyId}. Store it now: it is not shown again.\n`,
    );
  });
}

async function consoleLink(tenant: string | undefined, rolesText: string | undefined): Promise<void> {
  const tenantId = tenantOption(tenant);
  const roles = (rolesText ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (roles.length === 0 || !roles.every(isRole)) throw new UsageError(`--roles needs one or more of: ${ROLES.join(', ')}`);
  const config = loadConfig();
  const origin = config.publicUrl ?? `http://localhost:${String(config.port)}`;
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const link = await issueConsoleLink(infra, origin, tenantId, roles);
    process.stdout.write(
      `Console sign-in link for tenant ${tenantId} (roles ${roles.join(', ')}); works once, until ${link.expiresAt.toISOString()}:\n${link.url}\n`,
    );
  });
}

async function listKeys(tenant: string | undefined): Promise<void> {
  const tenantId = tenantOption(tenant);
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const keys = await new PostgresAccessReadModel(await infra.connectApp()).listApiKeys(tenantId);
    printTable(
      ['key id', 'prefix', 'roles', 'label', 'expires', 'revoked'],
      keys.map((k) => [k.keyId, k.prefix, k.roles.join(','), k.label, k.expiresAt.toISOString(), k.revokedAt?.toISOString() ?? '-']),
    );
  });
}

async function revokeKey(keyId: string | undefined, tenant: string | undefined, reason: string | undefined): Promise<void> {
  const tenantId = tenantOption(tenant);
  if (!keyId) throw new UsageError('which key? `attest keys list --tenant <id>` shows their ids');
  if (!reason || !/^[A-Za-z0-9][A-Za-z0-9 ._,:()-]{0,199}$/.test(reason)) throw new UsageError('--reason <text> is required (no personal data)');
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    await revokeApiKeyFromConsole(infra, tenantId, keyId, reason);
    process.stdout.write(`revoked ${keyId}\n`);
  });
}

async function rotateMaster(): Promise<void> {
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const count = await infra.vault.rotateToCurrentMasterKey();
    process.stdout.write(`re-wrapped ${count} data keys under the current master key; ATTEST_MASTER_KEY_PREVIOUS can be removed\n`);
  });
}

async function completeClosures(): Promise<void> {
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const count = await completeTenantClosures(infra);
    process.stdout.write(`cancelled ${String(count)} member accounts of cancelled enterprises\n`);
  });
}

async function whatsappSimulator(portText: string | undefined, callback: string | undefined): Promise<void> {
  const port = portText === undefined ? 4020 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0 to 65535');
  if (callback !== undefined && !/^https?:\/\/[^\s]+$/u.test(callback)) throw new UsageError('--callback must be an http(s) URL');
  const simulator = await startDevelopmentSimulator(port, callback, process.env, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write('(Ctrl-C to stop)\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => {
      void simulator.stop().then(resolve);
    });
  });
}

async function webhookReceiver(portText: string | undefined): Promise<void> {
  const secret = process.env['ATTEST_WEBHOOK_SECRET']?.trim() ?? '';
  if (secret.length < 32) throw new UsageError('set ATTEST_WEBHOOK_SECRET (at least 32 characters), the same as for the API');
  const port = portText === undefined ? 4010 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0 to 65535');
  const { server, url } = await startWebhookReceiver(secret, port, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`receiving on ${url} — start the API with ATTEST_WEBHOOK_URL=${url} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  });
}

function printReport(report: VerificationReport): number {
  process.stdout.write(
    `${report.origin}: ${report.size} entries (${report.purged} purged), ${report.checkpointsChecked} signed checkpoints checked` +
      (report.latestCheckpoint ? `, latest covers ${report.latestCheckpoint.size} (root ${report.latestCheckpoint.root})` : '') +
      (report.uncovered > 0 ? `, ${report.uncovered} entries pending (not yet covered by a signed checkpoint; the next one signs them)` : '') +
      (report.pending > 0 ? `, ${report.pending} staged records not merged yet` : '') +
      '\n',
  );
  for (const p of report.problems) process.stdout.write(`  ✗ ${p}\n`);
  process.stdout.write(report.ok ? 'verified: OK\n' : 'verification FAILED\n');
  return report.ok ? 0 : 1;
}

async function verify(tenantId: string | undefined, bundleFile: string | undefined, key: string | undefined, kept: readonly string[]): Promise<number> {
  const trusted = await Promise.all(kept.map((f) => readInput(f)));
  if (bundleFile) {
    const bundle = parseBundle(bundleFile, await readInput(bundleFile));
    if (!key) process.stderr.write('attest: no --key given: using the verifier key inside the bundle; pass the key you obtained independently\n');
    return printReport(verifyBundle(bundle, [parseVerifierKey(key ?? bundle.verifierKey)], trusted));
  }
  if (!tenantId) throw new UsageError('verify needs --tenant <id> or --bundle <file>');
  const config = loadConfig(process.env, { keys: false });
  // An auditor with the database URL and the verifier key needs nothing else: no master key, no signing key.
  if (config.databaseUrl && key) return verifyReadOnly(config.databaseUrl, config.processingRecord.origin, tenantId, parseVerifierKey(key), trusted);
  return withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const verifiers = key ? [parseVerifierKey(key)] : [infra.recordLog.verifier];
    return printReport(await verifyTenantLog(infra.recordLog.withApp(await infra.connectApp()), tenantId, { trusted, verifiers }));
  });
}

async function verifyReadOnly(url: string, origin: string, tenantId: string, verifier: NoteVerifier, trusted: readonly string[]): Promise<number> {
  const dataSource = createDataSource({ url, migrations: [], poolSize: 2, applicationName: 'attest-verify' });
  await dataSource.initialize();
  try {
    const log = new PostgresRecordLog(dataSource, null, { origin, signer: null });
    return printReport(await verifyTenantLog(log, tenantId, { trusted, verifiers: [verifier] }));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01')
      throw new UsageError('this database has no processing record: run `attest migrate` first, or check DATABASE_URL');
    throw error;
  } finally {
    await dataSource.destroy();
  }
}

/** A bundle file as `attest processing-record export` or the API wrote it; anything else is one clear line. */
function parseBundle(file: string, text: string): RecordBundle {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(
      `${file} is not JSON: it is not an export bundle (an export is written by \`attest processing-record export\` or POST /v1/processing-record/exports)`,
    );
  }
  const b = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<Record<keyof RecordBundle, unknown>>;
  if (b.format !== 'attest-processing-record-bundle/v1')
    throw new InputError(`${file} is not an Attest processing-record bundle (no format attest-processing-record-bundle/v1)`);
  const entriesOk =
    Array.isArray(b.entries) &&
    b.entries.every((e: unknown) => {
      const x = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
      return (
        Number.isSafeInteger(x['index']) &&
        typeof x['leafHash'] === 'string' &&
        (x['body'] === null || typeof x['body'] === 'string') &&
        (x['proof'] === undefined || (Array.isArray(x['proof']) && x['proof'].every((p) => typeof p === 'string')))
      );
    });
  const consistencyOk =
    Array.isArray(b.consistency) &&
    b.consistency.every((c: unknown) => {
      const x = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
      return Number.isSafeInteger(x['from']) && Number.isSafeInteger(x['to']) && Array.isArray(x['proof']) && x['proof'].every((p) => typeof p === 'string');
    });
  if (
    typeof b.tenantId !== 'string' ||
    typeof b.origin !== 'string' ||
    typeof b.verifierKey !== 'string' ||
    typeof b.complete !== 'boolean' ||
    !Array.isArray(b.checkpoints) ||
    !b.checkpoints.every((c) => typeof c === 'string') ||
    !entriesOk ||
    !consistencyOk
  ) {
    throw new InputError(
      `${file} is a damaged bundle: a field is missing or of the wrong kind (tenantId, origin, verifierKey, complete, checkpoints, entries, consistency)`,
    );
  }
  return b as RecordBundle;
}

async function vectors(dir: string | undefined): Promise<number> {
  if (!dir) throw new UsageError('vectors needs a folder');
  const report = await runVectors(dir);
  for (const o of report.outcomes) if (!o.passed) process.stdout.write(`FAIL ${o.file}: ${o.detail}\n`);
  process.stdout.write(`${report.passed} passed, ${report.failed} failed\n`);
  return report.failed === 0 ? 0 : 1;
}

async function processingRecord(
  sub: string | undefined,
  tenantId: string | undefined,
  options: { out?: string; before?: string; name?: string },
): Promise<void> {
  if (sub === 'keygen') {
    const name = options.name ?? loadConfig().processingRecord.origin;
    const signer = generateSignerKey(name);
    process.stdout.write(`ATTEST_RECORD_SIGNER_KEY=${signer}\nverifier key (publish it to auditors): ${parseSignerKey(signer).verifier.text}\n`);
    return;
  }
  if (!tenantId) throw new UsageError(`processing-record ${sub ?? ''} needs --tenant <id>`);
  await withInfrastructure(async (infra) => {
    await assertMigrated(infra);
    const log = infra.recordLog.withApp(await infra.connectApp());
    if (sub === 'checkpoint') {
      const c = await log.checkpoint(tenantId);
      process.stdout.write(c ? c.note : 'the log is empty\n');
    } else if (sub === 'export') {
      if (!options.out) throw new UsageError('export needs --out <file>');
      const bundle = await exportBundle(log, tenantId, null, new Date(), { actor: `operator:${userInfo().username}`, subject: null, correlationId: null });
      await writeFile(options.out, JSON.stringify(bundle), { mode: 0o600 });
      process.stdout.write(`wrote ${bundle.entries.length} entries and ${bundle.checkpoints.length} checkpoints to ${options.out}\n`);
    } else if (sub === 'purge') {
      const years = loadConfig().processingRecord.retentionYears;
      const before = options.before ? new Date(options.before) : new Date(new Date().setUTCFullYear(new Date().getUTCFullYear() - years));
      if (Number.isNaN(before.getTime())) throw new UsageError('--before must be an ISO-8601 instant');
      const purged = await log.purgeExpired(tenantId, before);
      process.stdout.write(`purged the bodies of ${purged} records recorded before ${before.toISOString()} (leaf hashes kept)\n`);
    } else throw new UsageError(`unknown command: processing-record ${sub ?? ''}`);
  });
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

/** Every option any command takes (`attest help` says which command takes which). */
const OPTIONS = {
  tenant: { type: 'string' },
  roles: { type: 'string' },
  label: { type: 'string' },
  reason: { type: 'string' },
  'expires-in-days': { type: 'string' },
  port: { type: 'string' },
  callback: { type: 'string' },
  checkpoint: { type: 'string', multiple: true },
  bundle: { type: 'string' },
  key: { type: 'string' },
  out: { type: 'string' },
  before: { type: 'string' },
  name: { type: 'string' },
  'dry-run': { type: 'boolean' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    // Unknown options and options without their value: say which, suggest the closest, exit 2 (never 1 with nothing).
    // Node's first sentence names the option; the rest is about positionals that start with '-'.
    // (Duck-typed: node's own errors come from another realm under test runners.)
    const raw = (error as { message?: unknown }).message;
    const message = typeof raw === 'string' ? (raw.split(/\.\s/u)[0] ?? '') : 'the options are not valid';
    const given = /'(-{1,2}[^' ]+)'/u.exec(message)?.[1];
    const suggestion = given ? closestOption(given.replace(/^-+/u, ''), Object.keys(OPTIONS)) : null;
    process.stderr.write(`attest: ${message}${suggestion ? ` (did you mean --${suggestion}?)` : ''}\n\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, sub, arg] = positionals;
  try {
    if (values.help || !command || command === 'help') {
      process.stdout.write(USAGE);
      return command || values.help ? 0 : 2;
    }
    if (command === 'migrate') await migrate();
    else if (command === 'projections' && sub === 'list') await listProjections();
    else if (command === 'projections' && sub === 'rebuild') await rebuild(positionals.slice(2));
    else if (command === 'stats') await stats(values.tenant);
    else if (command === 'keys' && sub === 'create') await createKey(values.tenant, values.roles, values.label, values['expires-in-days']);
    else if (command === 'keys' && sub === 'list') await listKeys(values.tenant);
    else if (command === 'console-link') await consoleLink(values.tenant, values.roles);
    else if (command === 'keys' && sub === 'revoke') await revokeKey(arg, values.tenant, values.reason);
    else if (command === 'keys' && sub === 'rotate-master') await rotateMaster();
    else if (command === 'webhook-receiver') await webhookReceiver(values.port);
    else if (command === 'whatsapp-simulator') await whatsappSimulator(values.port, values.callback);
    else if (command === 'whatsapp' && sub === 'outbox') await whatsappOutbox(values.tenant);
    else if (command === 'accounts' && sub === 'complete-closures') await completeClosures();
    else if (command === 'verify') return await verify(values.tenant, values.bundle, values.key, values.checkpoint ?? []);
    else if (command === 'vectors') return await vectors(sub);
    else if (command === 'jobs') return await jobs(sub, arg, values['dry-run'] === true, values.limit);
    else if (command === 'processing-record')
      await processingRecord(sub, values.tenant, {
        ...(values.out ? { out: values.out } : {}),
        ...(values.before ? { before: values.before } : {}),
        ...(values.name ? { name: values.name } : {}),
      });
    else throw new UsageError(`unknown command: ${positionals.join(' ')}`);
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      process.stderr.write(`attest: ${error.code}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      process.stderr.write(`attest: ${error.message}\n`);
      return 2;
    }
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
