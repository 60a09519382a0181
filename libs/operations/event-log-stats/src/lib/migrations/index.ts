import { EventLogStats1763769800000 } from './1763769800000-event-log-stats.migration';
import { EventLogStatsRls1763769950000 } from './1763769950000-event-log-stats-rls.migration';

export const eventLogStatsMigrations = [EventLogStats1763769800000, EventLogStatsRls1763769950000];
