import { EventLogStats1763769800000 } from './1763769800000-event-log-stats.migration';

export const eventLogStatsMigrations = [EventLogStats1763769800000];
