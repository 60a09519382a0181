import { ConsentTables1763775000000 } from './1763775000000-consent-tables.migration';

export const consentMigrations = [ConsentTables1763775000000];
