import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CUSTOMERS_READ_MODEL, type CustomersReadModel } from '@attest/customers-application';
import type { Clock } from '@attest/kernel';
import {
  MESSAGE_LOG,
  MESSAGING_BINDINGS,
  MESSAGING_CONSENT,
  MESSAGING_DECISIONS,
  MESSAGING_NUMBERS,
  MESSAGING_PROJECTOR,
  MESSAGING_READ_MODEL,
  MESSAGING_RECIPIENTS,
  MESSAGING_SETTINGS,
  MessagingService,
  TEMPLATE_CATALOG,
  WHATSAPP_INTAKE,
  type MessagingConsent,
  type MessagingRecipients,
} from '@attest/messaging-application';
import { WhatsAppController, WhatsAppWebhookController } from '@attest/messaging-api';
import {
  CloudApiIntake,
  CloudApiTemplateCatalog,
  PostgresMessageLog,
  PostgresMessagingNumbers,
  PostgresMessagingReadModel,
  PostgresMessagingSettings,
  StopHandler,
  WhatsAppDispatcher,
} from '@attest/messaging-infrastructure';
import { CLOCK, PROCESSING_JOURNAL, type ProcessingJournal } from '@attest/security';
import { ContextMessagingBindings, ContextMessagingConsent, ContextMessagingDecisions, ContextMessagingRecipients } from '../messaging-ports';
import { inlineProjector, type AppDependencies } from './dependencies';

/** Applied inline after a template or campaign command (read-your-writes). */
export const MESSAGING_INLINE = ['messaging'] as const;

/**
 * WhatsApp messaging (P7, K8; ADR 0015): bound numbers, templates, campaigns and single sends
 * through the decision and the tenant's rules, the webhook intake, and the dispatcher — started
 * by the process that serves the outbox (`app.get(WhatsAppDispatcher).start()`).
 */
@Module({})
export class MessagingModule implements OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  static forRoot(deps: AppDependencies, customers: DynamicModule): DynamicModule {
    const numbers = new PostgresMessagingNumbers(deps.dataSource, deps.privacy, deps.vault);
    const log = new PostgresMessageLog(deps.dataSource, deps.appDataSource, deps.privacy);
    const settings = new PostgresMessagingSettings(deps.dataSource);
    return {
      module: MessagingModule,
      imports: [customers],
      controllers: [WhatsAppController, WhatsAppWebhookController],
      providers: [
        { provide: MESSAGING_NUMBERS, useValue: numbers },
        { provide: MESSAGING_READ_MODEL, useValue: new PostgresMessagingReadModel(deps.appDataSource, deps.dataSource) },
        { provide: MESSAGING_PROJECTOR, useValue: inlineProjector(deps, MESSAGING_INLINE) },
        { provide: MESSAGE_LOG, useValue: log },
        { provide: MESSAGING_SETTINGS, useValue: settings },
        { provide: TEMPLATE_CATALOG, useValue: new CloudApiTemplateCatalog() },
        { provide: MESSAGING_DECISIONS, inject: [CommandBus], useFactory: (commands: CommandBus) => new ContextMessagingDecisions(commands) },
        {
          provide: MESSAGING_CONSENT,
          inject: [CommandBus, QueryBus],
          useFactory: (commands: CommandBus, queries: QueryBus) => new ContextMessagingConsent(commands, queries, deps.store),
        },
        {
          provide: MESSAGING_RECIPIENTS,
          inject: [CUSTOMERS_READ_MODEL],
          useFactory: (customersReadModel: CustomersReadModel) => new ContextMessagingRecipients(customersReadModel, deps.privacy, deps.dataSource),
        },
        { provide: MESSAGING_BINDINGS, inject: [QueryBus], useFactory: (queries: QueryBus) => new ContextMessagingBindings(queries) },
        MessagingService,
        {
          provide: StopHandler,
          inject: [MESSAGING_CONSENT, CLOCK],
          useFactory: (consent: MessagingConsent, clock: Clock) => new StopHandler(deps.dataSource, log, consent, clock, deps.logger),
        },
        {
          provide: WHATSAPP_INTAKE,
          inject: [MessagingService, MESSAGING_RECIPIENTS, StopHandler, PROCESSING_JOURNAL, CLOCK],
          useFactory: (service: MessagingService, recipients: MessagingRecipients, stops: StopHandler, journal: ProcessingJournal, clock: Clock) =>
            new CloudApiIntake({
              owner: deps.dataSource,
              numbers,
              settings,
              privacy: deps.privacy,
              recipients,
              stops,
              journal,
              templates: (bindingId, name, language, status, reason) => service.templateStatusChanged(bindingId, name, language, status, reason),
              clock,
            }),
        },
        {
          provide: WhatsAppDispatcher,
          inject: [StopHandler, PROCESSING_JOURNAL, CLOCK],
          useFactory: (stops: StopHandler, journal: ProcessingJournal, clock: Clock) =>
            new WhatsAppDispatcher({ owner: deps.dataSource, numbers, privacy: deps.privacy, journal, stops, clock, logger: deps.logger }),
        },
      ],
      exports: [WhatsAppDispatcher, MESSAGE_LOG],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.moduleRef.get(WhatsAppDispatcher, { strict: false }).stop();
  }
}
