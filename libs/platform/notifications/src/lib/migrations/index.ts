import { Outbox1763771000000 } from './1763771000000-outbox.migration';
import { TenantWebhooks1765500000900 } from './1765500000900-tenant-webhooks.migration';

export const notificationMigrations = [Outbox1763771000000, TenantWebhooks1765500000900];
