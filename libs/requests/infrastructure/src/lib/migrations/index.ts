import { RequestsTables1764000000000 } from './1764000000000-requests-tables.migration';

/** The data-subject request queue, deadline policies and verification challenges. */
export const requestsMigrations = [RequestsTables1764000000000];
