import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import {
  ACCESS_PROJECTOR,
  ACCESS_READ_MODEL,
  accessHandlers,
  ChangeDelegationHandler,
  CLOCK,
  IssueApiKeyHandler,
  KEY_MATERIAL,
  RevokeApiKeyHandler,
} from '@attest/access-application';
import { ApiKeysController, DelegationsController, MeController } from '@attest/access-api';
import { AccessAuthenticator, PostgresAccessProjector, PostgresAccessReadModel, RandomKeyMaterial, type OidcOptions } from '@attest/access-infrastructure';
import { PostgresIdempotencyStore } from '@attest/database';
import { EVENT_STORE, type EventStore } from '@attest/event-store';
import {
  AccessGuard,
  AUTHENTICATOR,
  createValidationPipe,
  IDEMPOTENCY_STORE,
  IdempotencyInterceptor,
  RATE_LIMITER,
  RateLimiter,
} from '@attest/http';
import { systemClock, type Clock } from '@attest/kernel';
import type { Logger, Registry } from '@attest/observability';
import { EventLogController } from '@attest/operations-api';
import { EventLogStatsReader } from '@attest/operations-event-log-stats';
import type { ProjectionRunner } from '@attest/projections';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { DATA_SOURCE, METRICS_REGISTRY, PROJECTION_RUNNERS } from './tokens';

export interface AppDependencies {
  /** Owner connection: projections and health. */
  readonly dataSource: DataSource;
  /** Request-serving connection as `attest_app` (row-level security applies). */
  readonly appDataSource: DataSource;
  readonly store: EventStore;
  readonly registry: Registry;
  readonly runners: readonly ProjectionRunner[];
  readonly logger: Logger;
  readonly oidc: OidcOptions | null;
  readonly rateLimitPerMinute: number;
  readonly clock?: Clock;
}

/** The API's root module; infrastructure is built outside Nest and handed in. */
@Module({})
export class AppModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const clock = deps.clock ?? systemClock;
    const readModel = new PostgresAccessReadModel(deps.appDataSource);
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [HealthController, MetricsController, MeController, ApiKeysController, DelegationsController, EventLogController],
      providers: [
        { provide: DATA_SOURCE, useValue: deps.dataSource },
        { provide: EVENT_STORE, useValue: deps.store },
        { provide: METRICS_REGISTRY, useValue: deps.registry },
        { provide: PROJECTION_RUNNERS, useValue: deps.runners },
        { provide: CLOCK, useValue: clock },
        { provide: ACCESS_READ_MODEL, useValue: readModel },
        { provide: KEY_MATERIAL, useValue: new RandomKeyMaterial() },
        { provide: ACCESS_PROJECTOR, useValue: new PostgresAccessProjector(deps.dataSource, deps.store) },
        { provide: AUTHENTICATOR, useValue: new AccessAuthenticator(deps.appDataSource, readModel, clock, deps.oidc) },
        { provide: RATE_LIMITER, useValue: new RateLimiter(deps.rateLimitPerMinute) },
        { provide: IDEMPOTENCY_STORE, useValue: new PostgresIdempotencyStore(deps.appDataSource) },
        { provide: EventLogStatsReader, useValue: new EventLogStatsReader(deps.appDataSource) },
        IssueApiKeyHandler,
        RevokeApiKeyHandler,
        ChangeDelegationHandler,
        ...accessHandlers,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_PIPE, useValue: createValidationPipe() },
      ],
    };
  }
}
