import { AppRole1763769650000 } from './1763769650000-app-role.migration';
import { ProcessingJournal1763773000000 } from './1763773000000-processing-journal.migration';

/** The application role, the HTTP platform's tables and the processing journal. */
export const platformMigrations = [AppRole1763769650000, ProcessingJournal1763773000000];
