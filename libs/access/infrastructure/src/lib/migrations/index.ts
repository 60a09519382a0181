import { AccessTables1763769900000 } from './1763769900000-access-tables.migration';
import { ApiKeyNotify1764200000000 } from './1764200000000-api-key-notify.migration';

export const accessMigrations = [AccessTables1763769900000, ApiKeyNotify1764200000000];
