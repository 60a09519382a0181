export * from './lib/postgres-event-store';
export * from './lib/position-codec';
export { eventStoreMigrations } from './lib/migrations';
