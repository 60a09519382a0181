import { Module, type DynamicModule } from '@nestjs/common';
import { EventLogController } from '@attest/operations-api';
import { EventLogStatsReader } from '@attest/operations-event-log-stats';
import type { AppDependencies } from './dependencies';

/** Operations: statistics of the event log for the platform operator. */
@Module({})
export class OperationsModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    return {
      module: OperationsModule,
      controllers: [EventLogController],
      providers: [{ provide: EventLogStatsReader, useValue: new EventLogStatsReader(deps.appDataSource) }],
    };
  }
}
