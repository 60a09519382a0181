import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
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

  describe('a startup that hangs (a database that accepts connections and never answers)', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    let connected: Promise<void>;

    beforeEach(async () => {
      let seen: () => void = () => undefined;
      connected = new Promise<void>((resolve) => (seen = resolve));
      silent = createServer((socket) => {
        sockets.push(socket);
        seen();
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });

    afterEach(async () => {
      for (const s of sockets.splice(0)) s.destroy();
      await new Promise<void>((resolve) =>
        silent.close(() => {
          resolve();
        }),
      );
    });

    const hanging = (): { child: ChildProcess; log: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } => {
      const address = silent.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'main.ts')], {
        env: {
          ...process.env,
          DATABASE_URL: `postgres://attest:secret@127.0.0.1:${String(address.port)}/attest`,
          ATTEST_ROLE: 'worker',
          HOST: '127.0.0.1',
          PORT: '0',
          ATTEST_MASTER_KEY: api.masterKey,
          ATTEST_RECORD_SIGNER_KEY: generateSignerKey('attest.local/processing-record'),
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.once('exit', (code, signal) => {
          resolve({ code, signal });
        });
      });
      return { child, log: () => log, exited };
    };

    const within = <T>(ms: number, work: Promise<T>, child: ChildProcess): Promise<T | 'late'> =>
      Promise.race([
        work,
        new Promise<'late'>((resolve) =>
          setTimeout(() => {
            child.kill('SIGKILL');
            resolve('late');
          }, ms).unref(),
        ),
      ]);

    it('exits 1 after 25 s, naming the step it hung in, instead of waiting for ever', async () => {
      const { child, log, exited } = hanging();
      await connected; // it is in its first step, with its signal handlers in place
      const signalled = Date.now();
      child.kill('SIGTERM');
      const result = await within(45_000, exited, child);
      expect({ result, log: log() }).toEqual({
        result: { code: 1, signal: null },
        log: expect.stringContaining('Attest stopped: SIGTERM came while starting the database, which did not finish in 25 s') as unknown,
      });
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(24_000);
    }, 60_000);

    it('a second signal while it starts ends it at once', async () => {
      const { child, exited } = hanging();
      await connected;
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill('SIGTERM');
      expect(await within(10_000, exited, child)).toEqual({ code: null, signal: 'SIGTERM' });
    }, 30_000);
  });
});
