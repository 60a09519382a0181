import { Module, type DynamicModule } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CLOCK } from '@attest/access-application';
import { CUSTOMERS_READ_MODEL, type CustomersReadModel } from '@attest/customers-application';
import { PROFILE_FIELD_NAMES } from '@attest/customers-domain';
import type { Clock } from '@attest/kernel';
import { PROCESSING_RECORD, type ProcessingRecordService } from '@attest/processing-application';
import {
  DELETION_EVIDENCE,
  DELETION_LEDGER,
  RecordDeletionEvidence,
  REQUEST_POLICIES,
  REQUESTS_PROJECTOR,
  REQUESTS_READ_MODEL,
  BULK_JOBS,
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
  PostgresBulkJobs,
  PostgresRequestsReadModel,
  PostgresRetainedData,
  PostgresVerificationCodes,
} from '@attest/requests-infrastructure';
import { PROCESSING_JOURNAL, type ProcessingJournal } from '@attest/security';
import { ContextConsentData, ContextCustomerData } from '../subject-data';
import { ContextSubjectExport } from '../subject-export';
import { inlineProjector, type AppDependencies } from './dependencies';

/** Applied inline after a request's step (read-your-writes for the queue). */
export const REQUESTS_INLINE = ['requests'] as const;

/** Data-subject requests (D1–D7): the queue, verification, and what a request does to the subject's data. */
@Module({})
export class RequestsModule {
  /** `customers` and `processing`: the modules whose read model and record the requests context reads through its ports. */
  static forRoot(deps: AppDependencies, customers: DynamicModule, processing: DynamicModule): DynamicModule {
    return {
      module: RequestsModule,
      imports: [customers, processing],
      controllers: [RequestsController, PlatformRequestsController],
      providers: [
        { provide: REQUESTS_READ_MODEL, useValue: new PostgresRequestsReadModel(deps.appDataSource, deps.dataSource) },
        { provide: REQUEST_POLICIES, useValue: new PostgresRequestPolicies(deps.dataSource, PROFILE_FIELD_NAMES) },
        { provide: VERIFICATION_CODES, useValue: new PostgresVerificationCodes(deps.dataSource, deps.privacy, deps.outbox) },
        { provide: REQUESTS_PROJECTOR, useValue: inlineProjector(deps, REQUESTS_INLINE) },
        { provide: DELETION_EVIDENCE, useValue: new RecordDeletionEvidence(deps.recordLog) },
        { provide: DELETION_LEDGER, useValue: new PostgresDeletionLedger(deps.dataSource, deps.outbox) },
        { provide: BULK_JOBS, useValue: new PostgresBulkJobs(deps.dataSource) },
        {
          provide: SUBJECT_EXPORT,
          inject: [QueryBus, CUSTOMERS_READ_MODEL, PROCESSING_RECORD, REQUESTS_READ_MODEL, PROCESSING_JOURNAL, CLOCK],
          useFactory: (
            bus: QueryBus,
            customers: CustomersReadModel,
            record: ProcessingRecordService,
            requests: RequestsReadModel,
            journal: ProcessingJournal,
            clock: Clock,
          ) => new ContextSubjectExport(bus, customers, record, requests, journal, clock),
        },
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
        ...requestsHandlers,
      ],
    };
  }
}
