import type { DataSource } from 'typeorm';
import { withTenant } from '@attest/database';
import { uuidv7, type Clock } from '@attest/kernel';
import type { VerificationReport, VerificationRun } from '@attest/processing-application';
import type { PostgresRecordLog } from './record-log';
import { verifyTenantLog } from './verify-database';

/** Problems kept per run (the count is kept whole): a log altered everywhere must not make a run row huge. */
export const KEPT_PROBLEMS = 100;

interface RunRow {
  run_id: string;
  trigger: VerificationRun['trigger'];
  requested_by: string | null;
  started_at: Date;
  finished_at: Date;
  problem_count: number;
  report: VerificationReport;
}

const runOf = (r: RunRow): VerificationRun => ({
  runId: r.run_id,
  trigger: r.trigger,
  requestedBy: r.requested_by,
  startedAt: r.started_at.toISOString(),
  finishedAt: r.finished_at.toISOString(),
  problemCount: r.problem_count,
  report: r.report,
});

/**
 * Verifies a tenant's log on the server (the whole tree recomputed, every signed checkpoint
 * checked) and keeps the report in `processing.verification_runs`: the daily job's runs
 * (`requestedBy` null) and those asked for in the console or the API.
 */
export async function runAndKeepVerification(
  log: PostgresRecordLog,
  app: DataSource,
  clock: Clock,
  tenantId: string,
  requestedBy: string | null,
): Promise<VerificationRun> {
  const startedAt = clock.now();
  const full = await verifyTenantLog(log, tenantId, { now: startedAt });
  const report: VerificationReport = { ...full, problems: full.problems.slice(0, KEPT_PROBLEMS) };
  const finishedAt = new Date(Math.max(clock.now().getTime(), startedAt.getTime()));
  const row: RunRow = {
    run_id: uuidv7(),
    trigger: requestedBy === null ? 'scheduled' : 'on-demand',
    requested_by: requestedBy,
    started_at: startedAt,
    finished_at: finishedAt,
    problem_count: full.problems.length,
    report,
  };
  await withTenant(app, tenantId, (m) =>
    m.query(
      `INSERT INTO processing.verification_runs (run_id, tenant_id, trigger, requested_by, started_at, finished_at, ok, problem_count, report)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [row.run_id, tenantId, row.trigger, row.requested_by, row.started_at, row.finished_at, report.ok, row.problem_count, JSON.stringify(report)],
    ),
  );
  return runOf(row);
}

/** The kept runs of a tenant, newest first. */
export async function keptVerificationRuns(app: DataSource, tenantId: string, limit: number): Promise<VerificationRun[]> {
  const rows = await withTenant<RunRow[]>(app, tenantId, (m) =>
    m.query(
      `SELECT run_id, trigger, requested_by, started_at, finished_at, problem_count, report FROM processing.verification_runs
       WHERE tenant_id = $1 ORDER BY finished_at DESC, run_id DESC LIMIT $2`,
      [tenantId, limit],
    ),
  );
  return rows.map(runOf);
}
