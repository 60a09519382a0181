import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { migrationsFor } from './registry';

interface Report {
  embedded: boolean;
  migrations: string[];
  events: number;
  appUser: string;
}

const FIXTURE = join(__dirname, '__fixtures__', 'embedded-process.fixture.ts');

/** Starts one Attest process on the embedded default; resolves with its first report. */
function attestProcess(env: Record<string, string>): { child: ChildProcess; report: Promise<Report>; exited: Promise<number | null> } {
  const child = fork(FIXTURE, [], {
    execArgv: ['-r', '@swc-node/register'],
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const report = new Promise<Report>((resolve, reject) => {
    child.once('message', (m) => {
      resolve(m as Report);
    });
    child.once('exit', (code) => {
      reject(new Error(`process exited with ${String(code)} before reporting`));
    });
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  return { child, report, exited };
}

// The embedded default, for real: no DATABASE_URL, a fresh data directory and port,
// separate processes as `npm start` and `npx attest` would be.
describe('infrastructure on the embedded default', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(__dirname, '..', '..', '..', '..', '.data', 'runtime-test-'));
  });

  afterAll(async () => {
    // A failed expectation must not leave a server-holding process behind.
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts PostgreSQL, lets a second process reuse it, and keeps data across restarts', async () => {
    const env = {
      ATTEST_DATA_DIR: dataDir,
      ATTEST_EMBEDDED_PG_PORT: String(55000 + Math.floor(Math.random() * 5000)),
    };

    const first = attestProcess({ ...env, FIXTURE_APPEND: '1', FIXTURE_HOLD: '1' });
    children.push(first.child);
    expect(await first.report).toEqual({
      embedded: true,
      migrations: migrationsFor('postgres').map((m) => m.name),
      events: 1,
      appUser: 'attest_app',
    });

    const second = attestProcess(env);
    children.push(second.child);
    expect(await second.report).toEqual({ embedded: false, migrations: [], events: 1, appUser: 'attest_app' });
    expect(await second.exited).toBe(0);

    first.child.send('stop');
    expect(await first.exited).toBe(0);

    const third = attestProcess(env);
    children.push(third.child);
    expect(await third.report).toEqual({ embedded: true, migrations: [], events: 1, appUser: 'attest_app' });
    expect(await third.exited).toBe(0);
  }, 90_000);
});
