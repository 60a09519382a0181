import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@attest/observability';
import { CONSOLE_DIST } from './serve-console';

const ROOT = join(__dirname, '..', '..', '..', '..');

/**
 * `npm start` serves a built console: when dist/apps/console has no build yet,
 * it is built once here (Vite, about 10 s). A failed build is reported and the
 * API starts without the console (`/console/` then says how to build it).
 */
export async function buildConsoleWhenMissing(logger: Logger): Promise<void> {
  if (existsSync(join(CONSOLE_DIST, 'index.html'))) return;
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    logger.warn('the console is not built and Vite is not installed (npm ci installs it): starting without the console');
    return;
  }
  logger.info('building the console (first start)…');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', join(ROOT, 'apps', 'console', 'vite.config.mts'), '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', () => {
      resolve(null);
    });
    child.on('exit', (status) => {
      resolve(status);
    });
  });
  if (code === 0) logger.info('console built');
  else logger.error({ exitCode: code }, 'the console build failed: starting without the console (run `npm run console:build` to see why)');
}
