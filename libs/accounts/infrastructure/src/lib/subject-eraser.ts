import type { DataSource } from 'typeorm';
import type { IdentifierClaims, SubjectEraser } from '@attest/accounts-application';
import type { PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';

/**
 * Crypto-shredding of an account or binding: the subject key is destroyed
 * (every event, read-model column, outbox payload, one-time-code target
 * and backup copy sealed under it becomes unreadable); its blind indexes and
 * identifier claims go.
 */
export class VaultSubjectEraser implements SubjectEraser {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: PostgresKeyVault,
    private readonly privacy: ReadModelPrivacy,
    private readonly claims: IdentifierClaims,
  ) {}

  async erase(subjectId: string, reason: string): Promise<void> {
    await this.vault.erase(subjectId, reason);
    // Pending one-time codes become useless (their target is sealed under the destroyed key);
    // the rows stay until they age out so that erasure does not reset the per-address limit.
    await this.dataSource.transaction((m) => this.privacy.forget(m, subjectId));
    await this.claims.release(subjectId);
  }
}
