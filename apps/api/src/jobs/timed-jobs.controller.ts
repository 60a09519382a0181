import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticatedProblems, currentPrincipal, ProblemException, RequirePermission } from '@attest/http';
import { JobRunner, type JobRun } from '@attest/jobs';
import type { Clock } from '@attest/kernel';
import { UPCOMING_HORIZON_DAYS, type TimedJobsView, type UpcomingWithWarning } from '@attest/runtime';
import { CLOCK } from '@attest/security';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../tokens';

export const TIMED_JOBS = Symbol.for('attest.api.TimedJobs');

const RUN_STATUSES = ['running', 'succeeded', 'failed', 'abandoned'] as const;
const WARNING_STATUSES = ['pending', 'delivered', 'dead', 'erased'] as const;

/** A run as a tenant sees it: when and how it ended; never its counts (a run spans every tenant). */
export class JobRunDto {
  @ApiProperty() job!: string;
  @ApiProperty({ enum: RUN_STATUSES }) status!: JobRun['status'];
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The failure’s code or error name (never its message)' }) error!: string | null;
}

export class TimedJobDto {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() intervalSeconds!: number;
  @ApiProperty({ nullable: true, type: String, description: 'The requirement under which it destroys data (A8, A10, P2, D5), or null' })
  destroys!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When it runs next; null before its first scheduled run' }) nextRunAt!: string | null;
  @ApiProperty({ nullable: true, type: JobRunDto }) lastRun!: JobRunDto | null;
}

export class DestructionWarningDto {
  @ApiProperty({ enum: WARNING_STATUSES, description: 'The notice’s delivery to your webhook' }) status!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
}

export class UpcomingDestructionDto {
  @ApiProperty() job!: string;
  @ApiProperty({ example: 'A8' }) requirement!: string;
  @ApiProperty({ enum: ['account-cancellation', 'customer-personal-data', 'record-bodies', 'retained-field'] }) what!: string;
  @ApiProperty({ example: '2027-01-15' }) dueOn!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The account (A8) or request (D5) it concerns' }) subject!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'How many record bodies (P2)' }) count!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'The kept field (D5)' }) field!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The day its warning goes out' }) warningFrom!: string | null;
  @ApiProperty({ nullable: true, type: DestructionWarningDto, description: 'The warning sent about it, once it went out' })
  warning!: DestructionWarningDto | null;
}

export class TimedJobsDto {
  @ApiProperty({ type: TimedJobDto, isArray: true }) jobs!: TimedJobDto[];
  @ApiProperty({ type: JobRunDto, isArray: true, description: 'The latest scheduled and operator runs, newest first' }) history!: JobRunDto[];
  @ApiProperty({ description: 'How many days ahead `upcoming` looks' }) horizonDays!: number;
  @ApiProperty({ type: UpcomingDestructionDto, isArray: true, description: 'What the destructive jobs will destroy of yours, earliest first' })
  upcoming!: UpcomingDestructionDto[];
}

const runDto = (r: JobRun): JobRunDto => ({ job: r.job, status: r.status, startedAt: r.startedAt, finishedAt: r.finishedAt, error: r.error });

const upcomingDto = (u: UpcomingWithWarning): UpcomingDestructionDto => ({
  job: u.job,
  requirement: u.requirement,
  what: u.what,
  dueOn: u.dueOn,
  subject: u.subject,
  count: u.count,
  field: u.field,
  warningFrom: u.warningFrom,
  warning: u.warning
    ? { status: u.warning.status, createdAt: u.warning.createdAt.toISOString(), deliveredAt: u.warning.deliveredAt?.toISOString() ?? null }
    : null,
});

/**
 * The timed jobs as an organization administrator sees them (A8, A10, P2, D5): every job with its
 * schedule and last run, the latest runs, and what the destructive ones will destroy of this
 * tenant's within the horizon, with the warning sent about each.
 */
@ApiTags('organization')
@ApiBearerAuth()
@Controller('v1/organization/timed-jobs')
export class TimedJobsController {
  constructor(
    @Inject(TIMED_JOBS) private readonly view: TimedJobsView | null,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @RequirePermission('organization:read')
  @ApiOperation({ summary: 'Timed jobs with their schedule and history, and what the destructive ones will destroy of yours within 60 days' })
  @ApiOkResponse({ type: TimedJobsDto })
  @ApiAuthenticatedProblems(404)
  async get(): Promise<TimedJobsDto> {
    if (!this.view) throw new ProblemException(404, 'JOBS.NOT_CONFIGURED', 'This API process was started without timed jobs.');
    const tenantId = currentPrincipal().tenantId;
    const now = this.clock.now();
    // Read only: this runner never claims, runs or schedules a job.
    const runner = new JobRunner({ dataSource: this.dataSource, jobs: this.view.jobs, clock: this.clock, owner: 'api:read' });
    const [schedule, history, upcoming] = await Promise.all([
      runner.schedule(),
      runner.history(null, 50, { withoutDryRuns: true }),
      this.view.upcoming(tenantId, now),
    ]);
    const lastOf = new Map<string, JobRun>();
    for (const run of history) if (!lastOf.has(run.job)) lastOf.set(run.job, run);
    return {
      jobs: this.view.jobs.map((job) => {
        const last = lastOf.get(job.name);
        return {
          name: job.name,
          description: job.description,
          intervalSeconds: job.intervalSeconds,
          destroys: job.destroys ?? null,
          nextRunAt: schedule.get(job.name) ?? null,
          lastRun: last ? runDto(last) : null,
        };
      }),
      history: history.map(runDto),
      horizonDays: UPCOMING_HORIZON_DAYS,
      upcoming: upcoming.map(upcomingDto),
    };
  }
}
