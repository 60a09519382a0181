/**
 * npm run bench — every `bench:*` in sequence, each on its own embedded PostgreSQL (the
 * benches start one each), with their output passed through (each bench's own JSON stays
 * its last line of output). Then `bench/results.json` (every bench's JSON, when it ran, how
 * long, and the targets) and `bench/results.md`: one row per target — measure, value, target,
 * met — each stated as the ratio to its same-run baseline where the bench measures one, with
 * what the same run measured that bounds or explains the value (a baseline's cost, the load).
 * A target whose bench did not run or failed is listed as such, never as met. `bench/` is git-ignored.
 *
 *   BENCH_ONLY=decisions,crypto  run only these (the others' rows say "not run")
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;

/** One target: how its value comes out of a bench's JSON, and what meets it. */
interface Target {
  readonly bench: string;
  readonly measure: string;
  readonly value: (r: Json) => number | null;
  readonly target: string;
  readonly met: (v: number) => boolean;
  /** What the same run measured that bounds or explains the value (a baseline's cost, the machine's load), when it did. */
  readonly context?: (r: Json) => string | null;
}

const num = (r: Json, key: string): number | null => (typeof r[key] === 'number' && Number.isFinite(r[key]) ? r[key] : null);
/** A nested number of a bench's JSON (`a.b`), or null. */
const at = (r: Json, path: string): number | null => {
  let v: unknown = r;
  for (const k of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Json)[k] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};
/** `template` with each `{path}` replaced by that number of the JSON; null when one is missing. */
const said = (r: Json, template: string): string | null => {
  const values = new Map([...template.matchAll(/\{([\w.]+)\}/g)].map((m) => [m[0], at(r, m[1] ?? '')]));
  if ([...values.values()].some((v) => v === null)) return null;
  return template.replace(/\{[\w.]+\}/g, (placeholder) => String(values.get(placeholder)));
};
const ratio = (r: Json, a: string, b: string): number | null => {
  const x = num(r, a);
  const y = num(r, b);
  return x !== null && y !== null && y !== 0 ? Number((x / y).toFixed(3)) : null;
};

const CONSOLE_TARGETS = {
  explorerFirstPageMs: 1000,
  browserVerifyMs: 1000,
  initialJsKbGzip: 350,
  queueFirstPageMs: 500,
  queueFilterMs: 500,
  bulk10kSeconds: 30,
} as const;

export const TARGETS: readonly Target[] = [
  {
    bench: 'event-store',
    measure: 'singleRatioSameWork (adapter / raw SQL doing the same work)',
    value: (r) => num(r, 'singleRatioSameWork'),
    target: '≥ 0.9',
    met: (v) => v >= 0.9,
    context: (r) =>
      said(
        r,
        'CPU µs per append, here + PostgreSQL: {singleCpuMicros.self} + {singleCpuMicros.postgres}; raw SQL {rawSameWorkCpuMicros.self} + {rawSameWorkCpuMicros.postgres}',
      ),
  },
  {
    bench: 'crypto',
    measure: 'encryptionCostRatio (median of per-round plain / encrypted)',
    value: (r) => num(r, 'encryptionCostRatio'),
    target: '≤ 1.3',
    met: (v) => v <= 1.3,
  },
  {
    bench: 'decisions',
    measure: 'p99ToFloorP99 (decision p99 / authenticated no-database route p99)',
    value: (r) => num(r, 'p99ToFloorP99'),
    target: '≤ 3',
    met: (v) => v <= 3,
    context: (r) => said(r, 'floor p99 {floorP99Ms} ms; server event loop {serverEventLoopUtilization} busy'),
  },
  {
    bench: 'decisions',
    measure: 'p99Ms at 1,000/s',
    value: (r) => num(r, 'p99Ms'),
    target: '< 10',
    met: (v) => v < 10,
    context: (r) => said(r, 'rounds’ p99 {p99MsSpread.0}–{p99MsSpread.1} ms; server event loop {serverEventLoopUtilization} busy'),
  },
  {
    bench: 'decisions',
    measure: 'cpuToFloorCpu (server CPU per decision / per floor request)',
    value: (r) => num(r, 'cpuToFloorCpu'),
    target: '≤ 1.5',
    met: (v) => v <= 1.5,
    context: (r) => said(r, 'floor + one database round trip: {floorPlusReadToFloorCpu} × the floor'),
  },
  { bench: 'decisions', measure: 'bulk10kMs', value: (r) => num(r, 'bulk10kMs'), target: '< 300', met: (v) => v < 300 },
  {
    bench: 'decisions',
    measure: 'withdrawalPropagationP99Ms (two API processes)',
    value: (r) => num(r, 'withdrawalPropagationP99Ms'),
    target: '< 50',
    met: (v) => v < 50,
  },
  {
    bench: 'processing-record',
    measure: 'appendToRawRatio (record appends / raw appends)',
    value: (r) => num(r, 'appendRatio'),
    target: '≥ 0.5',
    met: (v) => v >= 0.5,
  },
  {
    bench: 'processing-record',
    measure: 'verifyToRawRatio (verification / raw read-and-hash)',
    value: (r) => num(r, 'verifyToRawRatio'),
    target: '≤ 2',
    met: (v) => v <= 2,
  },
  {
    bench: 'access-export',
    measure: 'accessExportToRawRatio (export / raw read of the subject)',
    value: (r) => ratio(r, 'exportMedianMs', 'rawReadMedianMs'),
    target: '≤ 3.5',
    met: (v) => v <= 3.5,
    context: (r) => said(r, 'the read decrypted: {decryptedReadMedianMs} ms, export / that {exportToDecryptedReadRatio}'),
  },
  { bench: 'access-export', measure: 'exportMedianMs (10,000 events)', value: (r) => num(r, 'exportMedianMs'), target: '< 2000', met: (v) => v < 2000 },
  { bench: 'messaging', measure: 'group10kQueuedMs', value: (r) => num(r, 'group10kQueuedMs'), target: '< 3000', met: (v) => v < 3000 },
  { bench: 'messaging', measure: 'dispatchRateErrorPct', value: (r) => num(r, 'dispatchRateErrorPct'), target: '≤ 5', met: (v) => v <= 5 },
  { bench: 'messaging', measure: 'webhooksPerSec', value: (r) => num(r, 'webhooksPerSec'), target: '≥ 2000', met: (v) => v >= 2000 },
  // bench:console's own targets (its TARGETS), each an upper bound.
  ...Object.entries(CONSOLE_TARGETS).map(([key, bound]): Target => ({
    bench: 'console',
    measure: key,
    value: (r) => num(r, key),
    target: `< ${String(bound)}`,
    met: (v) => v < bound,
  })),
  {
    bench: 'rebuild',
    measure: 'rebuildAllEventsPerSec (every real read model from 1,000,000 mixed events)',
    value: (r) => num(r, 'rebuildAllEventsPerSec'),
    target: '≥ 30000',
    met: (v) => v >= 30000,
    context: (r) => said(r, '{cpuMicrosPerEvent} µs of CPU per event: {cpuBoundEventsPerSec}/s with every core busy'),
  },
  {
    bench: 'scale',
    measure: 'failoverSeconds (a SIGKILLed worker’s projections run elsewhere)',
    value: (r) => num(r, 'failoverSeconds'),
    target: '< 5',
    met: (v) => v < 5,
  },
];

/** The benches, in the order they run: the cheap ones first. */
function benches(root: string): string[] {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const all = Object.keys(scripts)
    .filter((s) => s.startsWith('bench:'))
    .map((s) => s.slice('bench:'.length));
  const only = process.env['BENCH_ONLY']?.split(',').map((s) => s.trim());
  return only ? all.filter((b) => only.includes(b)) : all;
}

/** A JSON object, or null for anything else. */
function lastJson(line: string): Json | null {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : null;
  } catch {
    return null;
  }
}

/** Runs one bench, passing its output through; its JSON last line, or null when it failed. */
function run(root: string, bench: string): Promise<{ json: Json | null; seconds: number; exitCode: number | null }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const npm = process.env['npm_execpath'];
    const [command, args] = npm ? [process.execPath, [npm, 'run', '-s', `bench:${bench}`]] : ['npm', ['run', '-s', `bench:${bench}`]];
    const child = spawn(command, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      process.stdout.write(chunk);
    });
    child.on('error', () => {
      resolve({ json: null, seconds: (performance.now() - started) / 1000, exitCode: null });
    });
    child.on('exit', (code) => {
      const last = out.trimEnd().split('\n').at(-1) ?? '';
      const json = lastJson(last);
      resolve({ json: code === 0 ? json : null, seconds: (performance.now() - started) / 1000, exitCode: code });
    });
  });
}

export interface Row {
  readonly bench: string;
  readonly measure: string;
  readonly value: number | null;
  readonly target: string;
  readonly met: boolean | null;
  readonly note: string;
  /** The same run's figures that bound or explain the value; '' when the bench gives none. */
  readonly sameRun: string;
}

/** The table's rows from the benches' JSON (null: the bench did not run or failed). */
export function rows(results: Readonly<Record<string, Json | null | undefined>>): Row[] {
  return TARGETS.map((t) => {
    const row = { bench: t.bench, measure: t.measure, target: t.target, sameRun: '' };
    const r = results[t.bench];
    if (r === undefined) return { ...row, value: null, met: null, note: 'not run' };
    if (r === null) return { ...row, value: null, met: null, note: 'the bench failed' };
    const value = t.value(r);
    const sameRun = t.context?.(r) ?? '';
    return value === null ? { ...row, sameRun, value, met: null, note: 'not in the bench’s output' } : { ...row, sameRun, value, met: t.met(value), note: '' };
  });
}

export function markdown(table: readonly Row[], when: string): string {
  const cell = (row: Row): string => (row.met === null ? `— (${row.note})` : row.met ? 'met' : '**not met**');
  return [
    `# Benchmarks (${when})`,
    '',
    'Each target is the ratio to a baseline measured in the same run where the bench has one; the last column gives what the same run measured that bounds or explains the value, where the bench measures it. `npm run bench` wrote this file; every bench’s own JSON is in results.json.',
    '',
    '| bench | measure | value | target | met | same run |',
    '|---|---|---|---|---|---|',
    ...table.map((r) => `| ${r.bench} | ${r.measure} | ${r.value === null ? '—' : String(r.value)} | ${r.target} | ${cell(r)} | ${r.sameRun || '—'} |`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const started = new Date().toISOString();
  const results: Record<string, Json | null> = {};
  const runs: Record<string, { seconds: number; exitCode: number | null }> = {};
  for (const bench of benches(root)) {
    process.stderr.write(`\n=== bench:${bench} ===\n`);
    const { json, seconds, exitCode } = await run(root, bench);
    results[bench] = json;
    runs[bench] = { seconds: Math.round(seconds), exitCode };
  }
  const table = rows(results);
  const dir = join(root, 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ started, finished: new Date().toISOString(), runs, results, table }, null, 2)}\n`);
  writeFileSync(join(dir, 'results.md'), markdown(table, started));
  process.stderr.write(`\n${markdown(table, started)}\nwritten: bench/results.json, bench/results.md\n`);
  const met = table.filter((r) => r.met === true).length;
  const notMet = table.filter((r) => r.met === false).length;
  process.stdout.write(
    `${JSON.stringify({ benches: Object.keys(results).length, failed: Object.values(results).filter((r) => r === null).length, targets: table.length, met, notMet, unmeasured: table.length - met - notMet })}\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
