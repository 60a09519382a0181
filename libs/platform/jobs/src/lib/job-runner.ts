import { Counter, Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { DomainError, uuidv7, type Clock } from '@attest/kernel';

/** What a job sees of its run. */
export interface JobContext {
  readonly now: Date;
  /** Report what would be done; change nothing. */
  readonly dryRun: boolean;
}

export interface JobResult {
  /** Counts of what was done (or, in a dry run, would be): `purged`, `skipped` … */
  readonly counts: Readonly<Record<string, number>>;
  /** In a dry run: what it would do, one line each (no personal data). */
  readonly planned?: readonly string[];
}

/**
 * A timed obligation. `run` must be idempotent and safe to repeat after a
 * crash at any point: the runner guarantees at-least-once, not exactly-once.
 */
export interface JobDefinition {
  readonly name: string;
  readonly description: string;
  readonly intervalSeconds: number;
  /** The requirement under which it destroys data (`A8`, `A10`, `P2`, `D5`), for jobs that do. */
  readonly destroys?: string;
  run(context: JobContext): Promise<JobResult>;
}

/**
 * Something a destructive job will destroy for one tenant within a horizon, as its context
 * computes it (no personal data: opaque ids, a count or a field name). `warningKeyPrefix` finds
 * the notice warned about it in the outbox, when such a warning exists.
 */
export interface UpcomingDestruction {
  readonly job: string;
  readonly requirement: string;
  /** What goes: `account-cancellation`, `customer-personal-data`, `record-bodies`, `retained-field`. */
  readonly what: string;
  /** The day it is due (YYYY-MM-DD); the job runs on its schedule from then. */
  readonly dueOn: string;
  /** The account or request it concerns, if one (opaque id). */
  readonly subject: string | null;
  /** How many items, when counted (record bodies). */
  readonly count: number | null;
  /** The kept field, for D5. */
  readonly field: string | null;
  /** The day its warning goes out (YYYY-MM-DD), or null when none is sent for it. */
  readonly warningFrom: string | null;
  readonly warningKeyPrefix: string | null;
}

/** One context's upcoming destructions for a tenant within `horizonDays` of `now`. */
export type UpcomingDestructions = (tenantId: string, now: Date, horizonDays: number) => Promise<UpcomingDestruction[]>;

export interface JobRun {
  readonly runId: string;
  readonly job: string;
  readonly dryRun: boolean;
  readonly status: 'running' | 'succeeded' | 'failed' | 'abandoned';
  readonly owner: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly counts: Readonly<Record<string, number>>;
  readonly planned: readonly string[];
  readonly error: string | null;
}

export interface JobRunnerOptions {
  readonly dataSource: DataSource;
  readonly jobs: readonly JobDefinition[];
  readonly clock: Clock;
  /** This instance, in leases and runs. */
  readonly owner: string;
  /** How long a claimed job may run before another instance takes it over. */
  readonly leaseSeconds?: number;
  readonly registry?: Registry;
  readonly logger?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

interface RunRow {
  run_id: string;
  job: string;
  dry_run: boolean;
  status: JobRun['status'];
  owner: string;
  started_at: Date;
  finished_at: Date | null;
  counts: Record<string, number>;
  planned: string[];
  error: string | null;
}

const runOf = (r: RunRow): JobRun => ({
  runId: r.run_id,
  job: r.job,
  dryRun: r.dry_run,
  status: r.status,
  owner: r.owner,
  startedAt: r.started_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
  counts: r.counts,
  planned: r.planned,
  error: r.error,
});

/** A failure's name and code only: messages may carry data. */
const errorText = (error: unknown): string => (error instanceof DomainError ? error.code : error instanceof Error ? error.name : 'unknown');

/**
 * Runs timed jobs durably: schedules and leases in Postgres, so several
 * instances may run it (a job is claimed by one, atomically; an expired
 * lease is taken over), a job killed halfway runs again, and every run is
 * recorded with its counts. The clock is injected (time-travel tests).
 */
export class JobRunner {
  private readonly byName: ReadonlyMap<string, JobDefinition>;
  private readonly leaseSeconds: number;
  private readonly runs?: Counter<'job' | 'status'>;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly options: JobRunnerOptions) {
    this.byName = new Map(options.jobs.map((j) => [j.name, j]));
    this.leaseSeconds = options.leaseSeconds ?? 600;
    if (options.registry) {
      this.runs = new Counter({
        name: 'attest_job_runs_total',
        help: 'Job runs by job and outcome.',
        labelNames: ['job', 'status'],
        registers: [options.registry],
      });
      const ds = options.dataSource;
      new Gauge({
        name: 'attest_job_last_success_timestamp_seconds',
        help: 'When each job last succeeded (not dry runs).',
        labelNames: ['job'],
        registers: [options.registry],
        async collect() {
          this.reset();
          const rows = await ds
            .query<{ job: string; at: string }[]>(
              `SELECT job, extract(epoch FROM max(finished_at))::text AS at FROM jobs.runs WHERE status = 'succeeded' AND NOT dry_run GROUP BY job`,
            )
            .catch(() => []);
          for (const r of rows) this.set({ job: r.job }, Number(r.at));
        },
      });
    }
  }

  list(): readonly JobDefinition[] {
    return this.options.jobs;
  }

  /** Registers every job's schedule (first run: now); once per runner. */
  async ensureSchedules(): Promise<void> {
    if (this.scheduled) return;
    for (const job of this.options.jobs) {
      await this.options.dataSource.query(`INSERT INTO jobs.schedule (job, next_run_at) VALUES ($1, $2) ON CONFLICT (job) DO NOTHING`, [
        job.name,
        this.options.clock.now(),
      ]);
    }
    this.scheduled = true;
  }

  /** When each registered job runs next (ISO instant), by name. */
  async nextRuns(): Promise<Map<string, string>> {
    await this.ensureSchedules();
    return this.schedule();
  }

  /** When each job runs next, as recorded (read only: a job never scheduled is missing). */
  async schedule(): Promise<Map<string, string>> {
    const rows = await this.options.dataSource.query<{ job: string; next_run_at: Date }[]>(`SELECT job, next_run_at FROM jobs.schedule`);
    return new Map(rows.map((r) => [r.job, r.next_run_at.toISOString()]));
  }

  /** Runs every job that is due and not held by a live lease; returns the runs it made. */
  async runDue(): Promise<JobRun[]> {
    await this.ensureSchedules();
    const done: JobRun[] = [];
    for (const job of this.options.jobs) {
      const now = this.options.clock.now();
      const claimed = await this.options.dataSource.query<{ job: string }[]>(
        `WITH c AS (UPDATE jobs.schedule SET lease_owner = $2, lease_until = $3
                    WHERE job = $1 AND next_run_at <= $4 AND (lease_until IS NULL OR lease_until < $4) RETURNING job) SELECT * FROM c`,
        [job.name, this.options.owner, new Date(now.getTime() + this.leaseSeconds * 1000), now],
      );
      if (claimed.length === 0) continue;
      done.push(await this.execute(job, false, true));
    }
    return done;
  }

  /** Runs one job now (an operator's `attest jobs run`), optionally as a dry run; not bound to its schedule. */
  async runNow(name: string, options: { dryRun?: boolean } = {}): Promise<JobRun> {
    const job = this.byName.get(name);
    if (!job) throw new DomainError('JOB.UNKNOWN', `no job named ${name}; known: ${[...this.byName.keys()].join(', ')}`, 'not_found');
    return this.execute(job, options.dryRun === true, false);
  }

  private async execute(job: JobDefinition, dryRun: boolean, scheduled: boolean): Promise<JobRun> {
    const ds = this.options.dataSource;
    const runId = uuidv7();
    const startedAt = this.options.clock.now();
    // A run left `running` by a dead owner of this job is marked abandoned: its work is redone now.
    if (scheduled) {
      await ds.query(`UPDATE jobs.runs SET status = 'abandoned', finished_at = $2 WHERE job = $1 AND status = 'running' AND NOT dry_run`, [
        job.name,
        startedAt,
      ]);
    }
    await ds.query(`INSERT INTO jobs.runs (run_id, job, dry_run, status, owner, started_at) VALUES ($1, $2, $3, 'running', $4, $5)`, [
      runId,
      job.name,
      dryRun,
      this.options.owner,
      startedAt,
    ]);
    let status: 'succeeded' | 'failed' = 'succeeded';
    let result: JobResult = { counts: {} };
    let error: string | null = null;
    try {
      result = await job.run({ now: startedAt, dryRun });
    } catch (e) {
      status = 'failed';
      error = errorText(e);
      this.options.logger?.error({ job: job.name, runId, error }, 'job failed');
    }
    const finishedAt = this.options.clock.now();
    // A run marked abandoned meanwhile (its lease was taken over) keeps that verdict.
    await ds.query(`UPDATE jobs.runs SET status = $2, finished_at = $3, counts = $4, planned = $5, error = $6 WHERE run_id = $1 AND status = 'running'`, [
      runId,
      status,
      finishedAt,
      JSON.stringify(result.counts),
      JSON.stringify(result.planned ?? []),
      error,
    ]);
    if (scheduled) {
      // Failed runs are retried at the next interval too; the lease is released either way.
      await ds.query(`UPDATE jobs.schedule SET next_run_at = $2, lease_owner = NULL, lease_until = NULL WHERE job = $1 AND lease_owner = $3`, [
        job.name,
        new Date(finishedAt.getTime() + job.intervalSeconds * 1000),
        this.options.owner,
      ]);
    }
    this.runs?.inc({ job: job.name, status: dryRun ? 'dry-run' : status });
    this.options.logger?.info({ job: job.name, runId, status, dryRun, counts: result.counts }, 'job ran');
    const rows = await ds.query<RunRow[]>(`SELECT * FROM jobs.runs WHERE run_id = $1`, [runId]);
    if (!rows[0]) throw new Error(`run ${runId} vanished`);
    return runOf(rows[0]);
  }

  async history(job: string | null, limit: number, options: { readonly withoutDryRuns?: boolean } = {}): Promise<JobRun[]> {
    const rows = await this.options.dataSource.query<RunRow[]>(
      `SELECT * FROM jobs.runs WHERE ($1::text IS NULL OR job = $1) AND NOT ($3 AND dry_run) ORDER BY started_at DESC, run_id DESC LIMIT $2`,
      [job, limit, options.withoutDryRuns === true],
    );
    return rows.map(runOf);
  }

  /** Checks for due jobs every `seconds` until stopped. */
  start(seconds: number): void {
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() =>
        this.runDue().then(
          () => undefined,
          (error: unknown) => {
            this.options.logger?.error({ error: errorText(error) }, 'job runner tick failed');
          },
        ),
      );
    }, seconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }
}
