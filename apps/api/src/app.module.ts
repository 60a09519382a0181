import { Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '@attest/event-store';
import type { Logger, Registry } from '@attest/observability';
import type { ProjectionRunner } from '@attest/projections';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { DATA_SOURCE, LOGGER, METRICS_REGISTRY, PROJECTION_RUNNERS } from './tokens';

export interface AppDependencies {
  readonly dataSource: DataSource;
  readonly store: EventStore;
  readonly registry: Registry;
  readonly runners: readonly ProjectionRunner[];
  readonly logger: Logger;
}

/** The API's root module; infrastructure is built outside Nest and handed in. */
@Module({})
export class AppModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: DATA_SOURCE, useValue: deps.dataSource },
        { provide: EVENT_STORE, useValue: deps.store },
        { provide: METRICS_REGISTRY, useValue: deps.registry },
        { provide: PROJECTION_RUNNERS, useValue: deps.runners },
        { provide: LOGGER, useValue: deps.logger },
      ],
    };
  }
}
