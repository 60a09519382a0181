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
  DELEGATION_TARGETS,
  IssueApiKeyHandler,
  KEY_MATERIAL,
  RevokeApiKeyHandler,
  RevokeKeysOfIssuerCommand,
  RevokeKeysOfIssuerHandler,
  type DelegationTargets,
} from '@attest/access-application';
import { ApiKeysController, DelegationsController, MeController } from '@attest/access-api';
import {
  ACCOUNT_CONTACTS,
  ACCOUNTS_PROJECTOR,
  ACCOUNTS_READ_MODEL,
  accountsHandlers,
  IDENTIFIER_CLAIMS,
  ISSUED_KEYS,
  ONE_TIME_CODES,
  SUBJECT_ERASER,
  WORKING_CALENDAR,
  type AccountsReadModel,
  type IssuedKeys,
} from '@attest/accounts-application';
import {
  MyAccountController,
  OrganizationController,
  PlatformAccountsController,
  PUBLIC_FLOW_LIMITER,
  PublicFlowGuard,
  RegistrationsController,
} from '@attest/accounts-api';
import {
  AccountGateAuthenticator,
  PostgresAccountsReadModel,
  PostgresIdentifierClaims,
  PostgresOneTimeCodes,
  StreamAccountContacts,
  VaultSubjectEraser,
} from '@attest/accounts-infrastructure';
import { OutboxReader, type Outbox } from '@attest/notifications';
import { CONSENT_PROJECTOR, CONSENT_READ_MODEL, consentHandlers } from '@attest/consent-application';
import { ConsentsController, DecisionsController, PurposesController } from '@attest/consent-api';
import { PostgresConsentReadModel } from '@attest/consent-infrastructure';
import { CUSTOMERS_PROJECTOR, CUSTOMERS_READ_MODEL, customersHandlers, type CustomersReadModel } from '@attest/customers-application';
import { CustomersController } from '@attest/customers-api';
import { PostgresCustomersReadModel } from '@attest/customers-infrastructure';
import { PROCESSING_RECORD, PROCESSING_REGISTER, type ProcessingRecordService } from '@attest/processing-application';
import { ProcessingRecordController, ProcessingRegisterController } from '@attest/processing-api';
import { PostgresProcessingRecordService, PostgresProcessingRegister, RecordLogJournal, type PostgresRecordLog } from '@attest/processing-infrastructure';
import { PROCESSING_JOURNAL, type ProcessingJournal } from '@attest/security';
import type { PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { InlineProjector, type Projection, type ProjectionRunner } from '@attest/projections';
import {
  AccessAuthenticator,
  PostgresAccessProjector,
  PostgresAccessReadModel,
  RandomKeyMaterial,
  type ApiKeyCache,
  type KeyRecord,
  type OidcOptions,
} from '@attest/access-infrastructure';
import { PostgresIdempotencyStore } from '@attest/database';
import { EVENT_STORE, type EventStore } from '@attest/event-store';
import { AccessGuard, AUTHENTICATOR, createValidationPipe, IDEMPOTENCY_STORE, IdempotencyInterceptor, RATE_LIMITER, RateLimiter } from '@attest/http';
import { systemClock, type Clock } from '@attest/kernel';
import type { Logger, Registry } from '@attest/observability';
import { EventLogController } from '@attest/operations-api';
import { EventLogStatsReader } from '@attest/operations-event-log-stats';
import { HealthController } from './health/health.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { MetricsController } from './metrics/metrics.controller';
import { DATA_SOURCE, METRICS_REGISTRY, PROJECTION_RUNNERS } from './tokens';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ContextSubjectExport } from './subject-export';
import { PROFILE_FIELD_NAMES } from '@attest/customers-domain';
import {
  DELETION_EVIDENCE,
  DELETION_LEDGER,
  RecordDeletionEvidence,
  REQUEST_POLICIES,
  REQUESTS_PROJECTOR,
  REQUESTS_READ_MODEL,
  requestsHandlers,
  SUBJECT_EXPORT,
  SUBJECT_RIGHTS,
  SubjectRightsService,
  VERIFICATION_CODES,
  type RequestsReadModel,
} from '@attest/requests-application';
import { PlatformRequestsController, RequestsController } from '@attest/requests-api';
import {
  PostgresDeletionLedger,
  PostgresRequestPolicies,
  PostgresRequestsReadModel,
  PostgresRetainedData,
  PostgresVerificationCodes,
} from '@attest/requests-infrastructure';
import { ContextConsentData, ContextCustomerData } from './subject-data';

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
  readonly vault: PostgresKeyVault;
  readonly privacy: ReadModelPrivacy;
  readonly outbox: Outbox;
  /** The processing record (owner connection for appends). */
  readonly recordLog: PostgresRecordLog;
  /** The projections bound to this infrastructure; the accounts ones are also applied inline. */
  readonly projections: readonly Projection[];
  /** Requests per minute per client address on public account flows. */
  readonly publicFlowPerMinute?: number;
  /** Public holidays (ISO dates): not working days for A11 deadlines. */
  readonly holidays?: readonly string[];
  /** API key rows kept across requests (the infrastructure's); without it every request reads the row. */
  readonly apiKeys?: ApiKeyCache<KeyRecord>;
}

/** The API's root module; infrastructure is built outside Nest and handed in. */
@Module({})
export class AppModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const clock = deps.clock ?? systemClock;
    const readModel = new PostgresAccessReadModel(deps.appDataSource);
    const claims = new PostgresIdentifierClaims(deps.dataSource, deps.privacy);
    const byName = (...names: string[]): Projection[] => deps.projections.filter((p) => names.includes(p.name));
    const inline = byName('accounts', 'account-notifications', 'consent');
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [
        HealthController,
        MetricsController,
        MeController,
        ApiKeysController,
        DelegationsController,
        EventLogController,
        RegistrationsController,
        MyAccountController,
        OrganizationController,
        PlatformAccountsController,
        NotificationsController,
        CustomersController,
        PurposesController,
        ConsentsController,
        DecisionsController,
        ProcessingRecordController,
        ProcessingRegisterController,
        RequestsController,
        PlatformRequestsController,
      ],
      providers: [
        { provide: DATA_SOURCE, useValue: deps.dataSource },
        { provide: EVENT_STORE, useValue: deps.store },
        { provide: METRICS_REGISTRY, useValue: deps.registry },
        { provide: PROJECTION_RUNNERS, useValue: deps.runners },
        { provide: CLOCK, useValue: clock },
        { provide: ACCESS_READ_MODEL, useValue: readModel },
        { provide: KEY_MATERIAL, useValue: new RandomKeyMaterial() },
        { provide: ACCESS_PROJECTOR, useValue: new PostgresAccessProjector(deps.dataSource, deps.store, deps.apiKeys ?? null) },
        {
          provide: AUTHENTICATOR,
          useValue: new AccountGateAuthenticator(
            new AccessAuthenticator(deps.appDataSource, readModel, clock, deps.oidc, deps.apiKeys ?? null),
            deps.appDataSource,
            deps.dataSource,
            clock,
          ),
        },
        { provide: ACCOUNTS_READ_MODEL, useValue: new PostgresAccountsReadModel(deps.appDataSource, deps.dataSource, deps.privacy) },
        { provide: ACCOUNTS_PROJECTOR, useValue: new InlineProjector(deps.dataSource, deps.store, inline) },
        { provide: IDENTIFIER_CLAIMS, useValue: claims },
        { provide: ONE_TIME_CODES, useValue: new PostgresOneTimeCodes(deps.dataSource, deps.privacy, deps.outbox) },
        { provide: SUBJECT_ERASER, useValue: new VaultSubjectEraser(deps.dataSource, deps.vault, deps.privacy, claims) },
        { provide: ACCOUNT_CONTACTS, useValue: new StreamAccountContacts(deps.store) },
        { provide: WORKING_CALENDAR, useValue: { holidays: new Set(deps.holidays ?? []) } },
        { provide: PUBLIC_FLOW_LIMITER, useValue: new RateLimiter(deps.publicFlowPerMinute ?? 20) },
        { provide: OutboxReader, useValue: new OutboxReader(deps.dataSource) },
        PublicFlowGuard,
        ...accountsHandlers,
        { provide: PROCESSING_JOURNAL, useValue: new RecordLogJournal(deps.recordLog, deps.privacy) },
        {
          provide: PROCESSING_RECORD,
          useValue: new PostgresProcessingRecordService(deps.recordLog.withApp(deps.appDataSource), deps.appDataSource, deps.privacy, clock),
        },
        { provide: PROCESSING_REGISTER, useValue: new PostgresProcessingRegister(deps.appDataSource, clock) },
        { provide: CUSTOMERS_READ_MODEL, useValue: new PostgresCustomersReadModel(deps.appDataSource, deps.privacy) },
        { provide: CUSTOMERS_PROJECTOR, useValue: new InlineProjector(deps.dataSource, deps.store, byName('customers', 'consent')) },
        { provide: CONSENT_READ_MODEL, useValue: new PostgresConsentReadModel(deps.appDataSource, deps.dataSource) },
        { provide: CONSENT_PROJECTOR, useValue: new InlineProjector(deps.dataSource, deps.store, byName('consent', 'customers')) },
        ...customersHandlers,
        ...consentHandlers,
        ...requestsHandlers,
        { provide: REQUESTS_READ_MODEL, useValue: new PostgresRequestsReadModel(deps.appDataSource, deps.dataSource) },
        { provide: REQUEST_POLICIES, useValue: new PostgresRequestPolicies(deps.dataSource, PROFILE_FIELD_NAMES) },
        { provide: VERIFICATION_CODES, useValue: new PostgresVerificationCodes(deps.dataSource, deps.privacy, deps.outbox) },
        { provide: REQUESTS_PROJECTOR, useValue: new InlineProjector(deps.dataSource, deps.store, byName('requests')) },
        { provide: DELETION_EVIDENCE, useValue: new RecordDeletionEvidence(deps.recordLog) },
        {
          provide: SUBJECT_EXPORT,
          inject: [QueryBus, CUSTOMERS_READ_MODEL, PROCESSING_RECORD, REQUESTS_READ_MODEL, PROCESSING_JOURNAL],
          useFactory: (
            bus: QueryBus,
            customers: CustomersReadModel,
            record: ProcessingRecordService,
            requests: RequestsReadModel,
            journal: ProcessingJournal,
          ) => new ContextSubjectExport(bus, customers, record, requests, journal, clock),
        },
        { provide: DELETION_LEDGER, useValue: new PostgresDeletionLedger(deps.dataSource, deps.outbox) },
        {
          provide: SUBJECT_RIGHTS,
          inject: [CommandBus, CUSTOMERS_READ_MODEL],
          useFactory: (bus: CommandBus, customers: CustomersReadModel) =>
            new SubjectRightsService(
              new ContextCustomerData(bus, customers, { store: deps.store, vault: deps.vault, privacy: deps.privacy, recordLog: deps.recordLog }),
              new ContextConsentData(bus, deps.store),
              new PostgresRetainedData(deps.dataSource, deps.privacy, deps.vault),
            ),
        },
        { provide: RATE_LIMITER, useValue: new RateLimiter(deps.rateLimitPerMinute) },
        { provide: IDEMPOTENCY_STORE, useValue: new PostgresIdempotencyStore(deps.appDataSource) },
        { provide: EventLogStatsReader, useValue: new EventLogStatsReader(deps.appDataSource) },
        IssueApiKeyHandler,
        RevokeApiKeyHandler,
        RevokeKeysOfIssuerHandler,
        ChangeDelegationHandler,
        {
          // An account holder who stops acting for the tenant takes their keys along (the access context revokes them).
          provide: ISSUED_KEYS,
          inject: [CommandBus],
          useFactory: (bus: CommandBus): IssuedKeys => ({
            revokeIssuedBy: async (context, accountId, reason) => {
              await bus.execute(new RevokeKeysOfIssuerCommand(context, `user:${accountId}`, reason));
            },
          }),
        },
        {
          // Delegations go to accounts of the tenant only (the accounts context answers).
          provide: DELEGATION_TARGETS,
          inject: [ACCOUNTS_READ_MODEL],
          useFactory: (accounts: AccountsReadModel): DelegationTargets => ({
            isAccountOf: async (tenantId, userId) => (await accounts.get(tenantId, userId)) !== null,
          }),
        },
        ...accessHandlers,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_PIPE, useValue: createValidationPipe() },
      ],
    };
  }
}
