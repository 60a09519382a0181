import { AccessTables1763769900000 } from './1763769900000-access-tables.migration';

export const accessMigrations = [AccessTables1763769900000];
