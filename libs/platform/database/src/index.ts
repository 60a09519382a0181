export * from './lib/data-source';
export * from './lib/admin';
export * from './lib/tenant-scope';
export * from './lib/idempotency-store';
export * from './lib/shared-rate-limiter';
export { platformMigrations } from './lib/migrations';
export * from './lib/prepared-query';
export * from './lib/embedded-url';
