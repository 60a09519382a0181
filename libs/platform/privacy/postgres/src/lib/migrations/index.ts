import { KeyVault1763770000000 } from './1763770000000-key-vault.migration';

export const keyVaultMigrations = [KeyVault1763770000000];
