export * from './lib/projection';
export * from './lib/projection-runner';
export * from './lib/shared-rebuild';
export * from './lib/projection-metrics';
export * from './lib/checkpoint-store';
export { projectionMigrations } from './lib/migrations';
export * from './lib/inline-projector';
export * from './lib/projection-leases';
export * from './lib/replica-reads';
