import { RequestsTables1764000000000 } from './1764000000000-requests-tables.migration';
import { RequestDeletions1764000100000 } from './1764000100000-deletions.migration';

/** The data-subject request queue, deadline policies, verification challenges and the deletion ledger. */
export const requestsMigrations = [RequestsTables1764000000000, RequestDeletions1764000100000];
