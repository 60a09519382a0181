import { AccountsTables1763772000000 } from './1763772000000-accounts-tables.migration';

export const accountsMigrations = [AccountsTables1763772000000];
