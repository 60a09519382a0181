import { Module, type DynamicModule } from '@nestjs/common';
import { Outbox, OutboxReader, TenantEndpoints } from '@attest/notifications';
import { NotificationsController } from '../notifications/notifications.controller';
import { PLATFORM_RECEIVER } from '../tokens';
import { WebhookController } from '../notifications/webhook.controller';
import type { AppDependencies } from './dependencies';

/**
 * The notification outbox: for the platform operator, dead letters listed (never their payload)
 * and re-queued; for an organization, its own webhook endpoint and its deliveries.
 */
@Module({})
export class NotificationsModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    return {
      module: NotificationsModule,
      controllers: [NotificationsController, WebhookController],
      providers: [
        { provide: OutboxReader, useValue: new OutboxReader(deps.dataSource) },
        { provide: TenantEndpoints, useValue: new TenantEndpoints(deps.dataSource, deps.privacy, { allowPrivate: deps.tenantWebhooksAllowPrivate === true }) },
        { provide: Outbox, useValue: deps.outbox },
        { provide: PLATFORM_RECEIVER, useValue: deps.platformReceiver === true },
      ],
    };
  }
}
