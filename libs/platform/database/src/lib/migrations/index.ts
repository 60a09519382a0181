import { AppRole1763769650000 } from './1763769650000-app-role.migration';

/** The application role and the HTTP platform's tables. */
export const platformMigrations = [AppRole1763769650000];
