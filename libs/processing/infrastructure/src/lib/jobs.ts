import type { DataSource } from 'typeorm';
import type { JobDefinition, UpcomingDestructions } from '@attest/jobs';
import { DomainError, isoDate, systemClock, type Clock } from '@attest/kernel';
import type { DueNotice } from '@attest/notifications';
import { RECORD_POLICY } from '@attest/processing-domain';
import type { PostgresRecordLog } from './record-log';
import { runAndKeepVerification } from './verification-runs';

export interface RecordJobDependencies {
  readonly owner: DataSource;
  readonly log: PostgresRecordLog;
  /** The retention configured for this deployment (ATTEST_RECORD_RETENTION_YEARS). */
  readonly configuredYears: number;
}

const yearsBefore = (at: Date, years: number): Date =>
  new Date(Date.UTC(at.getUTCFullYear() - years, at.getUTCMonth(), at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()));

/** P2: the retention in force, the higher of configuration and database policy (never below the minimum). */
export async function retentionYears(deps: RecordJobDependencies): Promise<number> {
  const [policy] = await deps.owner.query<{ years: number }[]>(`SELECT years FROM processing.retention_policy`);
  return Math.max(deps.configuredYears, policy?.years ?? RECORD_POLICY.minimumRetentionYears);
}

/** P2: raises the database's retention to the configured one (the table refuses less). */
export async function raiseRetention(owner: DataSource, years: number): Promise<void> {
  await owner.query(`UPDATE processing.retention_policy SET years = $1 WHERE years < $1`, [years]);
}

/**
 * P2: bodies of processing records older than the retention (at least three
 * years, the higher of configuration and database policy) are purged through
 * the purge role's procedure; leaf hashes stay. A tenant under a legal hold
 * is left alone and counted.
 */
export function processingRecordPurgeJob(deps: RecordJobDependencies): JobDefinition {
  return {
    name: 'processing-record-purge',
    description: 'P2: purge processing-record bodies past the retention (≥ 3 years) unless a legal hold is active; leaf hashes stay',
    intervalSeconds: 86_400,
    destroys: 'P2',
    async run({ now, dryRun }) {
      const cutoff = yearsBefore(now, await retentionYears(deps));
      const due = await deps.owner.query<{ tenant_id: string; n: string; held: boolean }[]>(
        `SELECT r.tenant_id, count(*)::text AS n,
                EXISTS (SELECT 1 FROM processing.legal_holds h WHERE h.tenant_id = r.tenant_id AND h.released_at IS NULL) AS held
         FROM processing.records r WHERE r.body IS NOT NULL AND r.recorded_at < $1 GROUP BY r.tenant_id ORDER BY r.tenant_id`,
        [cutoff],
      );
      const counts = { tenants: due.length, purged: 0, held: 0, refused: 0 };
      const planned: string[] = [];
      for (const t of due) {
        if (t.held) {
          counts.held += Number(t.n);
          planned.push(`${t.tenant_id}: ${t.n} bodies kept (legal hold)`);
          continue;
        }
        if (dryRun) {
          counts.purged += Number(t.n);
          planned.push(`${t.tenant_id}: would purge ${t.n} bodies recorded before ${cutoff.toISOString()}`);
          continue;
        }
        try {
          counts.purged += await deps.log.purgeExpired(t.tenant_id, cutoff);
        } catch (error) {
          // The database checks the retention against its own clock; a hold placed meanwhile wins too.
          if (error instanceof DomainError && (error.code === 'RECORD.RETENTION_NOT_EXPIRED' || error.code === 'RECORD.LEGAL_HOLD'))
            counts.refused += Number(t.n);
          else throw error;
        }
      }
      return { counts, ...(dryRun ? { planned } : {}) };
    },
  };
}

/** P2: tenants whose oldest record bodies fall due for purging within the warning period (one notice per tenant and month). */
export function purgeWarnings(deps: RecordJobDependencies): (now: Date) => Promise<DueNotice[]> {
  return async (now) => {
    const days = RECORD_POLICY.purgeWarningDays;
    const years = await retentionYears(deps);
    const purgeBy = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate() + days));
    const purges = await deps.owner.query<{ tenant_id: string; n: string }[]>(
      `SELECT tenant_id, count(*)::text AS n FROM processing.records WHERE body IS NOT NULL AND recorded_at < $1 GROUP BY tenant_id ORDER BY tenant_id`,
      [purgeBy],
    );
    const month = isoDate(now).slice(0, 7);
    return purges.map((p) => ({
      sourceKey: `p2-warning:${p.tenant_id}:${month}`,
      tenantId: p.tenant_id,
      subjectId: `tenant:${p.tenant_id}`,
      kind: 'processing-record-purge-warning',
      payload: { tenantId: p.tenant_id, records: Number(p.n), purgeFrom: isoDate(new Date(purgeBy.getTime() - days * 86_400_000)) },
      line: `tenant ${p.tenant_id}: ${p.n} record bodies due for purge within ${String(days)} days`,
    }));
  };
}

/**
 * The server verifies every tenant's processing record once a day (the whole tree recomputed,
 * every signed checkpoint checked) and keeps the report; the console shows the latest with an
 * alarm when it failed. A tenant whose log is empty is skipped.
 */
export function processingRecordVerificationJob(deps: { readonly owner: DataSource; readonly log: PostgresRecordLog; readonly clock?: Clock }): JobDefinition {
  return {
    name: 'processing-record-verification',
    description: 'P1/P2: verify every tenant’s processing record on the server (tree and signed checkpoints) and keep the report',
    intervalSeconds: 86_400,
    async run({ dryRun }) {
      const tenants = await deps.owner.query<{ tenant_id: string; size: string }[]>(
        `SELECT tenant_id, size::text AS size FROM processing.logs WHERE size > 0 ORDER BY tenant_id`,
      );
      if (dryRun) return { counts: { tenants: tenants.length }, planned: tenants.map((t) => `${t.tenant_id}: would verify ${t.size} entries`) };
      const counts = { tenants: tenants.length, passed: 0, failed: 0 };
      for (const t of tenants) {
        const run = await runAndKeepVerification(deps.log, deps.owner, deps.clock ?? systemClock, t.tenant_id, null);
        if (run.report.ok) counts.passed += 1;
        else counts.failed += 1;
      }
      return { counts };
    },
  };
}

/**
 * P2 ahead of time, for one tenant: the record bodies that pass the retention within the horizon,
 * counted, due from the day the oldest of them does (today when some already have). A legal hold
 * keeps them past that day; the purge job says so when it runs.
 */
export function upcomingRecordPurges(deps: RecordJobDependencies): UpcomingDestructions {
  return async (tenantId, now, horizonDays) => {
    const years = await retentionYears(deps);
    const purgeBy = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate() + horizonDays));
    const [row] = await deps.owner.query<{ n: string; oldest: Date | null }[]>(
      `SELECT count(*)::text AS n, min(recorded_at) AS oldest FROM processing.records WHERE tenant_id = $1 AND body IS NOT NULL AND recorded_at < $2`,
      [tenantId, purgeBy],
    );
    if (!row?.oldest || Number(row.n) === 0) return [];
    const oldest = row.oldest;
    const passes = new Date(Date.UTC(oldest.getUTCFullYear() + years, oldest.getUTCMonth(), oldest.getUTCDate()));
    const dueOn = isoDate(passes.getTime() < now.getTime() ? now : passes);
    return [
      {
        job: 'processing-record-purge',
        requirement: 'P2',
        what: 'record-bodies',
        dueOn,
        subject: null,
        count: Number(row.n),
        field: null,
        warningFrom: isoDate(new Date(Date.parse(`${dueOn}T00:00:00Z`) - RECORD_POLICY.purgeWarningDays * 86_400_000)),
        warningKeyPrefix: `p2-warning:${tenantId}:`,
      },
    ];
  };
}
