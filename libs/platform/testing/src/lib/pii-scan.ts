import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

export type CanaryEncoding = 'plain' | 'hex' | 'base64' | 'base64url';

export interface PiiFinding {
  /** `table <schema>.<table>`, `file <path>`, or `logs`. */
  readonly place: string;
  readonly canary: string;
  readonly encoding: CanaryEncoding;
}

export interface PiiScanReport {
  readonly findings: readonly PiiFinding[];
  readonly tablesScanned: number;
  readonly rowsScanned: number;
  readonly filesScanned: number;
  readonly bytesScanned: number;
}

export interface PiiScanOptions {
  /** Database whose tables are read row by row (every schema but the system ones). */
  readonly databaseUrl: string;
  readonly canaries: readonly string[];
  /** Captured log lines to search too. */
  readonly logs?: readonly string[];
  /** Also read every file of the cluster (data files and WAL) after a CHECKPOINT. */
  readonly clusterFiles?: boolean;
}

/**
 * The byte patterns a canary leaves when stored plainly, as hex, or inside a
 * base64 string at any of the three alignments (edges dropped, they depend on
 * neighbouring bytes).
 */
export function canaryPatterns(canary: string): { encoding: CanaryEncoding; pattern: string }[] {
  const bytes = Buffer.from(canary, 'utf8');
  const out: { encoding: CanaryEncoding; pattern: string }[] = [
    { encoding: 'plain', pattern: canary },
    { encoding: 'hex', pattern: bytes.toString('hex') },
    { encoding: 'hex', pattern: bytes.toString('hex').toUpperCase() },
  ];
  for (const encoding of ['base64', 'base64url'] as const) {
    for (let shift = 0; shift < 3; shift++) {
      const text = Buffer.concat([Buffer.alloc(shift), bytes])
        .toString(encoding)
        .replace(/=+$/, '');
      const start = Math.ceil((shift * 4) / 3) + (shift > 0 ? 1 : 0);
      const middle = text.slice(start, text.length - 4);
      if (middle.length >= 8) out.push({ encoding, pattern: middle });
    }
  }
  return out;
}

/** `bytes`: the haystack is raw bytes read as latin1, so patterns are matched as their UTF-8 bytes. */
function search(haystack: string, canaries: readonly string[], place: string, into: PiiFinding[], bytes = false): void {
  for (const canary of canaries) {
    for (const { encoding, pattern } of canaryPatterns(canary)) {
      const needle = bytes ? Buffer.from(pattern, 'utf8').toString('latin1') : pattern;
      if (haystack.includes(needle)) {
        into.push({ place, canary, encoding });
        break;
      }
    }
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  // Other databases of the cluster may be dropped while we walk: a vanished directory is skipped.
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/**
 * Looks for canary values at rest: every row of every table, every file of the
 * cluster (after CHECKPOINT, so WAL and data files hold what was written), and
 * captured logs. Each place a canary appears (plain, hex or base64) is a finding.
 */
export async function scanForCanaries(options: PiiScanOptions): Promise<PiiScanReport> {
  const findings: PiiFinding[] = [];
  let rowsScanned = 0;
  let filesScanned = 0;
  let bytesScanned = 0;
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  let tables: { table_schema: string; table_name: string }[];
  try {
    ({ rows: tables } = await client.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    ));
    for (const t of tables) {
      const name = `${client.escapeIdentifier(t.table_schema)}.${client.escapeIdentifier(t.table_name)}`;
      const { rows } = await client.query<{ r: string }>(`SELECT t::text AS r FROM ${name} t`);
      rowsScanned += rows.length;
      search(rows.map((r) => r.r).join('\n'), options.canaries, `table ${t.table_schema}.${t.table_name}`, findings);
    }
    if (options.clusterFiles) {
      await client.query('CHECKPOINT');
      const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
      const dataDirectory = rows[0]?.data_directory;
      if (!dataDirectory) throw new Error('the server did not say where its data directory is');
      for await (const file of walk(dataDirectory)) {
        const info = await stat(file).catch(() => null);
        if (!info) continue; // removed meanwhile (temporary files)
        const content = await readFile(file).catch(() => null);
        if (!content) continue;
        filesScanned += 1;
        bytesScanned += content.length;
        search(content.toString('latin1'), options.canaries, `file ${file}`, findings, true);
      }
    }
  } finally {
    await client.end();
  }
  if (options.logs) search(options.logs.join('\n'), options.canaries, 'logs', findings);
  return { findings, tablesScanned: tables.length, rowsScanned, filesScanned, bytesScanned };
}
