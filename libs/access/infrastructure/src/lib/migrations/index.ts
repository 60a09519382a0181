import { AccessTables1763769900000 } from './1763769900000-access-tables.migration';
import { ApiKeyNotify1764200000000 } from './1764200000000-api-key-notify.migration';
import { ConsoleSessions1765300000000 } from './1765300000000-console-sessions.migration';
import { ConsoleOidc1765300000100 } from './1765300000100-console-oidc.migration';
import { ConsoleViews1765500000500 } from './1765500000500-console-views.migration';
import { ApiKeyRotationAndUse1765500000800 } from './1765500000800-api-key-rotation-and-use.migration';

export const accessMigrations = [
  AccessTables1763769900000,
  ApiKeyNotify1764200000000,
  ConsoleSessions1765300000000,
  ConsoleOidc1765300000100,
  ConsoleViews1765500000500,
  ApiKeyRotationAndUse1765500000800,
];
