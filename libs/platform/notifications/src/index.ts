export * from './lib/signature';
export * from './lib/outbox';
export * from './lib/webhook-dispatcher';
export * from './lib/notice-job';
export { notificationMigrations } from './lib/migrations';
export * from './lib/tenant-endpoints';
