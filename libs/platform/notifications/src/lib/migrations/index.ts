import { Outbox1763771000000 } from './1763771000000-outbox.migration';

export const notificationMigrations = [Outbox1763771000000];
