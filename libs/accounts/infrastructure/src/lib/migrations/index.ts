import { AccountsTables1763772000000 } from './1763772000000-accounts-tables.migration';
import { LicenceEvidence1765500000700 } from './1765500000700-licence-evidence.migration';

export const accountsMigrations = [AccountsTables1763772000000, LicenceEvidence1765500000700];
