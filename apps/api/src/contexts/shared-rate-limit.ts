import { SharedRateLimiter } from '@attest/database';
import type { AppDependencies } from './dependencies';

/**
 * A rate limit shared by every API process on the database (`http.rate_windows`), its keys
 * (actors, client addresses) stored as keyed hashes; synced on a timer that Nest stops at shutdown.
 */
export function sharedRateLimiter(deps: AppDependencies, scope: string, perMinute: number): SharedRateLimiter {
  const limiter = new SharedRateLimiter(deps.dataSource, {
    perMinute,
    scope,
    hashKey: (key) => deps.privacy.keyedHash('rate-limit', key),
    onError: (error) => {
      deps.logger.warn(
        { err: error instanceof Error ? { name: error.name, message: error.message } : undefined, scope },
        'syncing a shared rate limit failed; retried',
      );
    },
  });
  limiter.start();
  return limiter;
}
