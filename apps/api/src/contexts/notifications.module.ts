import { Module, type DynamicModule } from '@nestjs/common';
import { OutboxReader } from '@attest/notifications';
import { NotificationsController } from '../notifications/notifications.controller';
import type { AppDependencies } from './dependencies';

/** The notification outbox, for the platform operator: dead letters listed (never their payload) and re-queued. */
@Module({})
export class NotificationsModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    return {
      module: NotificationsModule,
      controllers: [NotificationsController],
      providers: [{ provide: OutboxReader, useValue: new OutboxReader(deps.dataSource) }],
    };
  }
}
