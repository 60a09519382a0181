import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CLOCK, ACCESS_READ_MODEL, CONSOLE_SESSIONS } from '@attest/access-application';
import { AccessAuthenticator, ApiKeyUseRecorder, PostgresAccessReadModel, PostgresConsoleSessions } from '@attest/access-infrastructure';
import { AccountGateAuthenticator } from '@attest/accounts-infrastructure';
import { PostgresIdempotencyStore } from '@attest/database';
import { sharedRateLimiter } from './shared-rate-limit';
import { EVENT_STORE } from '@attest/event-store';
import { AccessGuard, AUTHENTICATOR, createValidationPipe, IDEMPOTENCY_STORE, IdempotencyInterceptor, RATE_LIMITER } from '@attest/http';
import { systemClock } from '@attest/kernel';
import { RecordLogJournal } from '@attest/processing-infrastructure';
import { PROCESSING_JOURNAL } from '@attest/security';
import { HealthController } from '../health/health.controller';
import { MetricsController } from '../metrics/metrics.controller';
import { DATA_SOURCE, REPLICA_DATA_SOURCE, METRICS_REGISTRY, PROCESS_ROLE, PROJECTION_RUNNERS } from '../tokens';
import type { AppDependencies } from './dependencies';

const SHARED = [
  DATA_SOURCE,
  EVENT_STORE,
  METRICS_REGISTRY,
  PROJECTION_RUNNERS,
  CLOCK,
  ACCESS_READ_MODEL,
  CONSOLE_SESSIONS,
  AUTHENTICATOR,
  RATE_LIMITER,
  IDEMPOTENCY_STORE,
  PROCESSING_JOURNAL,
];

/**
 * What every context uses: the connections, the event store, the clock, who
 * the caller is (API key, OIDC or console session, gated by the account's state), rate limits,
 * idempotency, the processing journal of reads; the guard, interceptor and
 * validation every route passes; health and metrics.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const clock = deps.clock ?? systemClock;
    // Each key's last use, noted per request in memory and written every 30 s (and at shutdown).
    const uses = new ApiKeyUseRecorder(deps.appDataSource, {
      onError: (error) => {
        deps.logger.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : undefined }, 'recording API key uses failed; retried');
      },
    });
    uses.start();
    const access = new PostgresAccessReadModel(deps.appDataSource, uses);
    const sessions = new PostgresConsoleSessions(deps.appDataSource, clock);
    return {
      module: PlatformModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: DATA_SOURCE, useValue: deps.dataSource },
        { provide: REPLICA_DATA_SOURCE, useValue: deps.replicaDataSource ?? null },
        { provide: EVENT_STORE, useValue: deps.store },
        { provide: METRICS_REGISTRY, useValue: deps.registry },
        { provide: PROJECTION_RUNNERS, useValue: deps.runners },
        { provide: PROCESS_ROLE, useValue: deps.role ?? 'all' },
        { provide: CLOCK, useValue: clock },
        { provide: ACCESS_READ_MODEL, useValue: access },
        { provide: ApiKeyUseRecorder, useValue: uses },
        { provide: CONSOLE_SESSIONS, useValue: sessions },
        {
          provide: AUTHENTICATOR,
          useValue: new AccountGateAuthenticator(
            new AccessAuthenticator(deps.appDataSource, access, clock, deps.oidc, deps.apiKeys ?? null, sessions, uses),
            deps.appDataSource,
            deps.dataSource,
            clock,
          ),
        },
        { provide: RATE_LIMITER, useValue: sharedRateLimiter(deps, 'api', deps.rateLimitPerMinute) },
        { provide: IDEMPOTENCY_STORE, useValue: new PostgresIdempotencyStore(deps.appDataSource) },
        { provide: PROCESSING_JOURNAL, useValue: new RecordLogJournal(deps.recordLog, deps.privacy) },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_PIPE, useValue: createValidationPipe() },
      ],
      exports: SHARED,
    };
  }
}
