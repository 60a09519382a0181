export * from './lib/consent.projection';
export * from './lib/consent.read-model';
export { consentMigrations } from './lib/migrations';
export * from './lib/tenant-subjects';
export * from './lib/decision-facts-cache';
