import { KeyVault1763770000000 } from './1763770000000-key-vault.migration';
import { LookupTokens1763770100000 } from './1763770100000-lookup-tokens.migration';

export const keyVaultMigrations = [KeyVault1763770000000, LookupTokens1763770100000];
