import { MessagingTables1765600000000 } from './1765600000000-messaging-tables.migration';

export const messagingMigrations = [MessagingTables1765600000000];
