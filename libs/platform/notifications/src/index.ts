export * from './lib/signature';
export * from './lib/outbox';
export * from './lib/webhook-dispatcher';
export { notificationMigrations } from './lib/migrations';
