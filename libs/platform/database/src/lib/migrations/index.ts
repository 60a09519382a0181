import { AppRole1763769650000 } from './1763769650000-app-role.migration';
import { ProcessingJournal1763773000000 } from './1763773000000-processing-journal.migration';
import { RateWindows1765700000000 } from './1765700000000-rate-windows.migration';

/** The application role, the HTTP platform's tables (idempotency keys, shared rate limits) and the processing journal. */
export const platformMigrations = [AppRole1763769650000, ProcessingJournal1763773000000, RateWindows1765700000000];
