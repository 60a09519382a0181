import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { generateSignerKey } from '@attest/transparency';
import { ApiHarness } from './testing/api-harness';
import { freePort } from './testing/processes';

/**
 * A process told to stop while it starts (an orchestrator scaling down, a chaos test's last
 * SIGTERM) stops gracefully once there is something to stop: exit 0 after its shutdown, never
 * killed by the signal's default action with every cleanup skipped.
 */
describe('main: SIGTERM while the process starts (real process, real Postgres)', () => {
  const api = new ApiHarness();

  beforeAll(async () => {
    // The harness migrates the database the process then uses; it runs no worker.
    await api.start('signals', { workers: false, role: 'api' });
  }, 120_000);

  afterAll(async () => {
    await api.stop();
  });

  it('a worker signalled right after its migrations finishes starting, shuts down and exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'main.ts')], {
      env: {
        ...process.env,
        DATABASE_URL: api.databaseUrl,
        ATTEST_ROLE: 'worker',
        HOST: '127.0.0.1',
        PORT: String(port),
        ATTEST_MASTER_KEY: api.masterKey,
        ATTEST_RECORD_SIGNER_KEY: generateSignerKey('attest.local/processing-record'),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    let signalled = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve({ code, signal });
      });
    });
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      // Logged once the schema is checked: the process is past its first steps, well before it serves.
      if (!signalled && log.includes('schema up to date')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const result = await Promise.race([
      exited,
      new Promise<'late'>((resolve) =>
        setTimeout(() => {
          resolve('late');
        }, 60_000).unref(),
      ),
    ]);
    if (result === 'late') child.kill('SIGKILL');
    expect({ signalled, result }).toEqual({ signalled: true, result: { code: 0, signal: null } });
    // It finished starting, then stopped in order.
    expect(log).toContain('"signal":"SIGTERM"');
    expect(log).toContain('"msg":"stopped"');
  }, 90_000);
});
