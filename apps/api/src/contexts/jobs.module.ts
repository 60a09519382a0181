import { Module, type DynamicModule } from '@nestjs/common';
import { TIMED_JOBS, TimedJobsController } from '../jobs/timed-jobs.controller';
import type { AppDependencies } from './dependencies';

/** The timed jobs for organization administrators: schedule, history, and what destructive jobs will destroy. */
@Module({})
export class JobsModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    return {
      module: JobsModule,
      controllers: [TimedJobsController],
      providers: [{ provide: TIMED_JOBS, useValue: deps.timedJobs ?? null }],
    };
  }
}
