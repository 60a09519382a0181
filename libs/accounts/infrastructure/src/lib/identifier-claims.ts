import type { DataSource } from 'typeorm';
import type { ClaimKind, IdentifierClaims } from '@attest/accounts-application';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';
import { normalisePhone } from '@attest/privacy-postgres';

/** Claims as keyed hashes (the identifiers themselves are never stored here). */
export class PostgresIdentifierClaims implements IdentifierClaims {
  constructor(
    private readonly dataSource: DataSource,
    private readonly privacy: ReadModelPrivacy,
  ) {}

  async claim(kind: ClaimKind, value: string, accountId: string): Promise<boolean> {
    const normalised = kind === 'phone' ? normalisePhone(value) : value.normalize('NFKC').trim().toLowerCase();
    const token = await this.privacy.keyedHash(`claim:${kind}`, normalised);
    const rows = await this.dataSource.query<{ account_id: string }[]>(
      `WITH ins AS (
         INSERT INTO accounts.identifier_claims (kind, token, account_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING account_id)
       SELECT account_id FROM ins UNION ALL SELECT account_id FROM accounts.identifier_claims WHERE kind = $1 AND token = $2`,
      [kind, token, accountId],
    );
    return rows[0]?.account_id === accountId;
  }

  async release(accountId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM accounts.identifier_claims WHERE account_id = $1`, [accountId]);
  }
}
