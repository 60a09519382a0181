import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AccessModule } from './contexts/access.module';
import { ACCOUNTS_INLINE, AccountsModule } from './contexts/accounts.module';
import { CONSENT_INLINE, ConsentModule } from './contexts/consent.module';
import { CUSTOMERS_INLINE, CustomersModule } from './contexts/customers.module';
import type { AppDependencies } from './contexts/dependencies';
import { JobsModule } from './contexts/jobs.module';
import { MESSAGING_INLINE, MessagingModule } from './contexts/messaging.module';
import { NotificationsModule } from './contexts/notifications.module';
import { OperationsModule } from './contexts/operations.module';
import { PlatformModule } from './contexts/platform.module';
import { ProcessingModule } from './contexts/processing.module';
import { REQUESTS_INLINE, RequestsModule } from './contexts/requests.module';

export type { AppDependencies } from './contexts/dependencies';

/** Every projection some context's commands apply inline: their workers share the per-stream positions with them. */
export const INLINE_PROJECTIONS: readonly string[] = [
  ...new Set([...ACCOUNTS_INLINE, ...CONSENT_INLINE, ...CUSTOMERS_INLINE, ...REQUESTS_INLINE, ...MESSAGING_INLINE]),
];

/**
 * The API's root module: one module per bounded context (its controllers,
 * handlers, adapters and the projections it applies inline), over the
 * platform's shared providers. Infrastructure is built outside Nest and handed in.
 */
@Module({})
export class AppModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const customers = CustomersModule.forRoot(deps);
    const processing = ProcessingModule.forRoot(deps);
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        PlatformModule.forRoot(deps),
        AccessModule.forRoot(deps),
        OperationsModule.forRoot(deps),
        AccountsModule.forRoot(deps),
        NotificationsModule.forRoot(deps),
        JobsModule.forRoot(deps),
        customers,
        ConsentModule.forRoot(deps),
        processing,
        RequestsModule.forRoot(deps, customers, processing),
        MessagingModule.forRoot(deps, customers),
      ],
    };
  }
}
