export * from './lib/event-log-stats.evolve';
export * from './lib/event-log-stats.projection';
export { eventLogStatsMigrations } from './lib/migrations';
