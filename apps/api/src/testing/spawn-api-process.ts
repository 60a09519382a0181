import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { generateSignerKey } from '@attest/transparency';
import { firstLine } from './processes';

export interface SpawnedApiProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** SIGTERM, and the exit awaited. */
  stop(): Promise<void>;
}

/** Where the other process runs: the database and the master key of its personal data (an `ApiHarness` is one). */
export interface ApiProcessTarget {
  readonly databaseUrl: string;
  readonly masterKey: string;
}

/**
 * Another API process (`api-process.ts`, the api role) on the target's database and master
 * key, its environment extended by `env`; resolves once it listens.
 */
export async function spawnApiProcess(api: ApiProcessTarget, env: Record<string, string> = {}): Promise<SpawnedApiProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'api-process.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: api.databaseUrl,
      ATTEST_MASTER_KEY: api.masterKey,
      ATTEST_RECORD_SIGNER_KEY: generateSignerKey('attest.local/processing-record'),
      EVENT_STORE_POLL_INTERVAL_MS: '50',
      RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const first = await firstLine(child, 'the API process');
  return {
    child,
    url: (JSON.parse(first) as { url: string }).url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
