import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@attest/observability';
import { CONSOLE_DIST } from './serve-console';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** The newest modification time of the files under `dir` (0 when it does not exist). */
export function newestChange(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestChange(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Whether the console must be built: no build yet, or its sources (the app, its
 * configuration, the generated API client) changed after the build was made, as
 * after a `git pull` on a working copy that had built it before.
 */
export function consoleBuildStale(consoleRoot: string, dist: string): boolean {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = Math.max(
    newestChange(join(consoleRoot, 'src')),
    statSync(join(consoleRoot, 'index.html')).mtimeMs,
    statSync(join(consoleRoot, 'vite.config.mts')).mtimeMs,
  );
  return sources > built;
}

/**
 * `npm start` serves a built console: when dist/apps/console has no build yet, or
 * an older one than its sources, it is built here (Vite, about 10 s). A failed
 * build is reported and the API starts without the console (`/console/` then says
 * how to build it).
 */
export async function buildConsoleWhenMissing(logger: Logger): Promise<void> {
  if (!consoleBuildStale(join(ROOT, 'apps', 'console'), CONSOLE_DIST)) return;
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    logger.warn('the console is not built and Vite is not installed (npm ci installs it): starting without the console');
    return;
  }
  logger.info(
    existsSync(join(CONSOLE_DIST, 'index.html')) ? 'building the console (its sources changed since the last build)…' : 'building the console (first start)…',
  );
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
