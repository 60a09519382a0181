import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, chown, cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';

export interface StreamingReplicaOptions {
  /** A superuser URL of the primary, a PostgreSQL on this machine (its data directory is copied). */
  readonly primaryUrl: string;
  /** Where the replica's cluster goes; removed on stop. */
  readonly dataDir: string;
  readonly port: number;
  /** The primary's physical replication slot for it (created here, dropped on stop). */
  readonly slot?: string;
  /** Server log lines; dropped by default (they can carry statement text). */
  readonly onLog?: (line: string) => void;
  /** Give up when the replica does not accept reads within this long (default 60 s); the slot and the copy are removed. */
  readonly startTimeoutMs?: number;
}

export interface RunningReplica {
  readonly port: number;
  /** The URL of a database on the replica, with the primary URL's credentials, over TCP. */
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * A real hot standby of a local PostgreSQL, streaming from it, made without pg_basebackup (the
 * embedded binaries have only `postgres`, `pg_ctl` and `initdb`): a replication slot so the
 * primary keeps the WAL, the low-level backup API (`pg_backup_start` … copy the data
 * directory … `pg_backup_stop`, whose label file goes into the copy), `standby.signal` and
 * `primary_conninfo`, then the primary's own `postgres` binary (pg_config's BINDIR) started on
 * the copy as the owner of the primary's directory. For tests and local trials of reads from a
 * replica (docs/scaling.md); production replicas are made by the platform's tools.
 */
export async function startStreamingReplica(options: StreamingReplicaOptions): Promise<RunningReplica> {
  const slot = options.slot ?? `attest_replica_${String(options.port)}`;
  const primary = new URL(options.primaryUrl);
  const dataDir = resolve(options.dataDir);
  const client = new pg.Client({ connectionString: options.primaryUrl, application_name: 'attest-replica-setup' });
  await client.connect();
  let child: ChildProcess | null = null;
  try {
    const setting = async (sql: string): Promise<string> => {
      const { rows } = await client.query<{ value: string }>(sql);
      const value = rows[0]?.value;
      if (value === undefined) throw new Error(`no answer to ${sql}`);
      return value;
    };
    const primaryDir = await setting(`SELECT setting AS value FROM pg_settings WHERE name = 'data_directory'`);
    const bindir = await setting(`SELECT setting AS value FROM pg_config WHERE name = 'BINDIR'`);
    // A hot standby needs at least the primary's values of these (else it refuses to start).
    const limits = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')`,
    );
    const owner = await stat(primaryDir);
    await client.query(`SELECT pg_create_physical_replication_slot($1, true)`, [slot]);

    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await client.query(`SELECT pg_backup_start('attest-replica', true)`);
    // Everything but what a base backup leaves out: the WAL (streamed from the slot), the
    // primary's process files and sockets, its slots, and temporary files.
    const skip = new Set(['postmaster.pid', 'postmaster.opts', 'pg_replslot', 'pg_wal', 'pg_stat_tmp', 'pgsql_tmp']);
    await cp(primaryDir, dataDir, {
      recursive: true,
      filter: async (source) => {
        const name = source.slice(source.lastIndexOf('/') + 1);
        if (source !== primaryDir && skip.has(name)) return false;
        if (name.startsWith('.s.PGSQL.')) return false;
        const s = await stat(source).catch(() => null);
        return s !== null && (s.isDirectory() || s.isFile());
      },
    });
    const { rows } = await client.query<{ labelfile: string; spcmapfile: string }>(`SELECT labelfile, spcmapfile FROM pg_backup_stop(true)`);
    const stopped = rows[0];
    if (!stopped) throw new Error('pg_backup_stop returned nothing');
    for (const dir of ['pg_wal', 'pg_wal/archive_status', 'pg_wal/summaries', 'pg_replslot', 'pg_stat_tmp'])
      await mkdir(join(dataDir, dir), { recursive: true, mode: 0o700 });
    await writeFile(join(dataDir, 'backup_label'), stopped.labelfile);
    if (stopped.spcmapfile) await writeFile(join(dataDir, 'tablespace_map'), stopped.spcmapfile);
    await writeFile(join(dataDir, 'standby.signal'), '');
    // libpq's quoting for each value (a password may hold spaces, quotes or backslashes), then the config file's below.
    const quoted = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    const conninfo = [
      `host=localhost`,
      `port=${quoted(primary.port || '5432')}`,
      `user=${quoted(decodeURIComponent(primary.username))}`,
      `password=${quoted(decodeURIComponent(primary.password))}`,
      `application_name=${quoted(slot)}`,
    ].join(' ');
    await appendFile(
      join(dataDir, 'postgresql.auto.conf'),
      `\nprimary_conninfo = '${conninfo.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'\nprimary_slot_name = '${slot}'\n`,
    );
    if (process.getuid?.() === 0) await chownTree(dataDir, owner.uid, owner.gid);

    const flags = [
      '-D',
      dataDir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=localhost',
      '-c',
      'unix_socket_directories=',
      '-c',
      'hot_standby=on',
      ...limits.rows.flatMap((r) => ['-c', `${r.name}=${r.setting}`]),
    ];
    const started = spawn(join(bindir, 'postgres'), flags, {
      ...(process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = started;
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    await new Promise<void>((ready, failed) => {
      const lines: string[] = [];
      const timer = setTimeout(() => {
        failed(new Error(`the replica did not accept reads within ${String(timeoutMs / 1000)} s: ${lines.join('').slice(-2000)}`));
      }, timeoutMs);
      started.once('exit', () => {
        clearTimeout(timer);
      });
      started.stderr.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        options.onLog?.(text);
        lines.push(text);
        if (lines.length > 20) lines.shift();
        if (text.includes('ready to accept read-only connections')) {
          clearTimeout(timer);
          ready();
        }
      });
      started.once('exit', (code) => {
        failed(new Error(`the replica exited while starting (${String(code)}): ${lines.join('').slice(-2000)}`));
      });
    });
  } catch (error) {
    child?.kill('SIGKILL');
    await client
      .query(`SELECT pg_drop_replication_slot($1) WHERE EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`, [slot])
      .catch(() => undefined);
    await client.end().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const running = child;
  await client.end();
  let stopped = false;
  return {
    port: options.port,
    url: (database) => {
      const u = new URL(options.primaryUrl);
      u.hostname = 'localhost';
      u.port = String(options.port);
      u.pathname = `/${encodeURIComponent(database)}`;
      u.search = '';
      return u.toString();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (running.exitCode === null && running.signalCode === null) {
        const exited = new Promise((done) => running.once('exit', done));
        // Fast shutdown: a standby has nothing of its own to flush.
        running.kill('SIGINT');
        await exited;
      }
      const cleanup = new pg.Client({ connectionString: options.primaryUrl, application_name: 'attest-replica-setup' });
      await cleanup.connect();
      try {
        await cleanup.query(`SELECT pg_drop_replication_slot($1) WHERE EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`, [slot]);
      } finally {
        await cleanup.end();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(path, uid, gid);
    else await chown(path, uid, gid);
  }
}
