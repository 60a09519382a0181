import type { DataSource } from 'typeorm';
import type { JobDefinition } from '@attest/jobs';
import { CONSOLE_SESSION_POLICY } from '@attest/access-domain';

/**
 * Console sign-in state that can no longer be used is deleted after
 * `CONSOLE_SESSION_POLICY.keepEndedDays` (kept that long for a security review):
 * sessions that ended or expired, links used or expired, OIDC sign-ins never
 * completed. Only hashes were ever stored; what a session did stays in the
 * event log and the processing record under its actor.
 */
export function consoleSessionCleanupJob(deps: { readonly owner: DataSource }): JobDefinition {
  return {
    name: 'console-session-cleanup',
    description: `delete console sessions and sign-in links that ended or expired more than ${String(CONSOLE_SESSION_POLICY.keepEndedDays)} days ago`,
    intervalSeconds: 86_400,
    async run({ now, dryRun }) {
      const before = new Date(now.getTime() - CONSOLE_SESSION_POLICY.keepEndedDays * 86_400_000);
      const statements = {
        sessions: `FROM access.console_sessions WHERE COALESCE(ended_at, LEAST(expires_at, last_seen_at + make_interval(mins => $2))) < $1`,
        links: `FROM access.console_links WHERE COALESCE(used_at, expires_at) < $1`,
        oidcSignIns: `FROM access.console_oidc_sign_ins WHERE expires_at < $1`,
      };
      const counts: Record<string, number> = {};
      for (const [name, from] of Object.entries(statements)) {
        const parameters = name === 'sessions' ? [before, CONSOLE_SESSION_POLICY.idleMinutes] : [before];
        const sql = dryRun ? `SELECT count(*)::int AS n ${from}` : `WITH gone AS (DELETE ${from} RETURNING 1) SELECT count(*)::int AS n FROM gone`;
        const [row] = await deps.owner.query<{ n: number }[]>(sql, parameters);
        counts[name] = row?.n ?? 0;
      }
      return {
        counts,
        ...(dryRun
          ? {
              planned: [
                `would delete ${String(counts['sessions'])} sessions, ${String(counts['links'])} links and ${String(counts['oidcSignIns'])} OIDC sign-ins`,
              ],
            }
          : {}),
      };
    },
  };
}
