import { createHmac, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { JsonValue } from '@attest/kernel';
import { ERASED, isEncryptedField, SubjectErasedError, type Erased } from '@attest/privacy';
import { fieldCipher } from './field-cipher';
import type { PostgresKeyVault, SubjectKey } from './key-vault';

const pseudonymOf = (key: Buffer, tenantId: string): string =>
  `psn_${createHmac('sha256', key).update(`attest/pseudonym/v1\n${tenantId}`).digest().subarray(0, 16).toString('base64url')}`;
const randomPseudonym = (): string => `psn_${randomBytes(16).toString('base64url')}`;

export type LookupKind = 'email' | 'phone' | 'name';

/** One subject's lookup entries to replace: those of `kinds` go, those of `values` come. */
export interface TokenChange {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly kinds: readonly LookupKind[];
  readonly values: Partial<Record<LookupKind, string>>;
}

/** Where a read-model value lives; bound into its ciphertext so it cannot be moved. */
export interface ColumnRef {
  readonly table: string;
  readonly column: string;
  /** The row's primary key, as text. */
  readonly row: string;
}

export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

export function normalisePhone(phone: string): string {
  const digits = phone.normalize('NFKC').replace(/[^0-9+]/g, '');
  return digits.startsWith('+') ? digits : digits.replace(/^0+/, '');
}

/** Lowercased name parts of at least two characters (letters of any script, digits). */
export function nameParts(name: string): string[] {
  return [
    ...new Set(
      name
        .normalize('NFKC')
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((p) => p.length >= 2),
    ),
  ];
}

/**
 * The toolkit read models use for personal fields: `seal`/`open` a value
 * under the subject's key (reads as ERASED once the subject is erased), and
 * blind indexes — keyed HMAC tokens — to find subjects by exact e-mail or
 * phone, or by name parts, without storing plaintext anywhere.
 */
export class ReadModelPrivacy {
  private indexKey: Buffer | null = null;
  /**
   * Pseudonyms already derived, per key object and tenant: the HMAC was 3 %
   * of the API's CPU on bench:decisions. Held only as long as the vault holds
   * the key object (erasure drops it from every cache, and the entry with it).
   */
  private readonly derived = new WeakMap<SubjectKey, Map<string, string>>();

  constructor(private readonly vault: PostgresKeyVault) {}

  /** A personal value ready for a jsonb column. */
  async seal(subjectId: string, ref: ColumnRef, value: JsonValue): Promise<JsonValue> {
    const key = await this.vault.keyForWriting(subjectId);
    return fieldCipher.encrypt(key.key, key.kid, `${ref.table}:${ref.row}`, ref.column, value) as unknown as JsonValue;
  }

  /** The plaintext of a sealed value, or ERASED. */
  async open(subjectId: string, ref: ColumnRef, stored: JsonValue | null): Promise<JsonValue | Erased | null> {
    if (stored === null || !isEncryptedField(stored)) return stored;
    const key = await this.vault.keyForReading(subjectId);
    return key ? fieldCipher.decrypt(key.key, `${ref.table}:${ref.row}`, ref.column, stored) : ERASED;
  }

  /** The tokens under which a value is indexed, per tenant (a token never matches across tenants). */
  async tokens(tenantId: string, kind: LookupKind, value: string): Promise<string[]> {
    const key = await this.key();
    const parts = kind === 'email' ? [normaliseEmail(value)] : kind === 'phone' ? [normalisePhone(value)] : nameParts(value);
    return parts.filter(Boolean).map((p) => createHmac('sha256', key).update(`${tenantId}\n${kind}\n${p}`).digest('base64url'));
  }

  /**
   * A keyed hash (HMAC-SHA256 under the index key) of `value` in a named
   * domain, for secrets and identifiers that must be compared but never
   * stored: one-time codes, uniqueness claims of phone numbers.
   */
  async keyedHash(domain: string, value: string): Promise<string> {
    return createHmac('sha256', await this.key())
      .update(`${domain}\n${value}`)
      .digest('base64url');
  }

  /** Replaces the lookup entries of a subject for the given values (inside the caller's transaction). */
  async index(manager: EntityManager, tenantId: string, subjectId: string, values: Partial<Record<LookupKind, string>>): Promise<void> {
    await manager.query('DELETE FROM privacy.lookup_tokens WHERE tenant_id = $1 AND subject_id = $2', [tenantId, subjectId]);
    await this.insertTokens(manager, tenantId, subjectId, values);
  }

  /**
   * Replaces the lookup entries of the kinds named in `values` only (a
   * correction): an old value is no longer found, the new one is; null clears the kind.
   */
  async reindex(manager: EntityManager, tenantId: string, subjectId: string, values: Partial<Record<LookupKind, string | null>>): Promise<void> {
    const kinds = (['email', 'phone', 'name'] as const).filter((k) => k in values);
    if (kinds.length === 0) return;
    await manager.query('DELETE FROM privacy.lookup_tokens WHERE tenant_id = $1 AND subject_id = $2 AND kind = ANY($3::text[])', [tenantId, subjectId, kinds]);
    const present: Partial<Record<LookupKind, string>> = {};
    for (const k of kinds) {
      const v = values[k];
      if (typeof v === 'string') present[k] = v;
    }
    await this.insertTokens(manager, tenantId, subjectId, present);
  }

  /**
   * Many subjects' lookup entries at once (a projection's batch), in three statements at most:
   * for each change, the entries of its `kinds` are deleted, then those of `values` inserted.
   * `index` is a change of every kind; `reindex` one of the kinds it names. The deletion also
   * names its subjects as an array, so PostgreSQL finds them through the subject index: joined
   * with the recordset alone (estimated at 100 rows) it scanned the whole table per command.
   */
  async replaceTokens(manager: EntityManager, changes: readonly TokenChange[]): Promise<void> {
    const deletes = changes.filter((c) => c.kinds.length > 0);
    if (deletes.length > 0) {
      await manager.query(
        `DELETE FROM privacy.lookup_tokens t USING jsonb_to_recordset($1::jsonb) AS d(tenant_id text, subject_id text, kinds text[])
          WHERE t.subject_id = ANY($2::text[]) AND t.tenant_id = d.tenant_id AND t.subject_id = d.subject_id AND t.kind = ANY(d.kinds)`,
        [JSON.stringify(deletes.map((c) => ({ tenant_id: c.tenantId, subject_id: c.subjectId, kinds: c.kinds }))), deletes.map((c) => c.subjectId)],
      );
    }
    const rows: { tenant_id: string; kind: LookupKind; token: string; subject_id: string }[] = [];
    for (const c of changes) {
      for (const kind of ['email', 'phone', 'name'] as const) {
        const value = c.values[kind];
        if (!value) continue;
        for (const token of await this.tokens(c.tenantId, kind, value)) rows.push({ tenant_id: c.tenantId, kind, token, subject_id: c.subjectId });
      }
    }
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO privacy.lookup_tokens (tenant_id, kind, token, subject_id)
       SELECT r.tenant_id, r.kind, r.token, r.subject_id FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, kind text, token text, subject_id text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  private async insertTokens(manager: EntityManager, tenantId: string, subjectId: string, values: Partial<Record<LookupKind, string>>): Promise<void> {
    const kinds: LookupKind[] = [];
    const tokens: string[] = [];
    for (const kind of ['email', 'phone', 'name'] as const) {
      const value = values[kind];
      if (!value) continue;
      for (const token of await this.tokens(tenantId, kind, value)) {
        kinds.push(kind);
        tokens.push(token);
      }
    }
    if (tokens.length === 0) return;
    // One statement for every token of the subject (a rebuild indexes every customer).
    await manager.query(
      `INSERT INTO privacy.lookup_tokens (tenant_id, kind, token, subject_id)
       SELECT $1, u.kind, u.token, $4 FROM unnest($2::text[], $3::text[]) AS u(kind, token) ON CONFLICT DO NOTHING`,
      [tenantId, kinds, tokens, subjectId],
    );
  }

  /** Subjects whose e-mail/phone equals the value, or whose name has every given part. */
  async find(manager: EntityManager, tenantId: string, kind: LookupKind, value: string): Promise<string[]> {
    const tokens = await this.tokens(tenantId, kind, value);
    if (tokens.length === 0) return [];
    const rows: { subject_id: string }[] = await manager.query(
      `SELECT subject_id FROM privacy.lookup_tokens WHERE tenant_id = $1 AND kind = $2 AND token = ANY($3)
       GROUP BY subject_id HAVING count(DISTINCT token) = $4 ORDER BY subject_id`,
      [tenantId, kind, tokens, tokens.length],
    );
    return rows.map((r) => r.subject_id);
  }

  /** True once the subject's key is destroyed. */
  isErased(subjectId: string): Promise<boolean> {
    return this.vault.isErased(subjectId);
  }

  /** Which of these subjects were erased (one query for a page of rows). */
  erasedAmong(subjectIds: readonly string[]): Promise<Set<string>> {
    return this.vault.erasedAmong(subjectIds);
  }

  /**
   * The processing record's pseudonym of each subject (P1, D4): an HMAC under
   * the subject's own key, so destroying the key (erasure) deletes the
   * mapping — no table to forget, nothing in backups. Never a hash of an
   * identifier. An erased subject gets a fresh random pseudonym per call:
   * later records about it link to nothing.
   */
  async pseudonyms(tenantId: string, subjectIds: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(subjectIds)];
    // Keys from the cache, the rest in one query; a subject with a key is not erased
    // (erasure deletes the key and drops it from every process's cache).
    const keys = await this.vault.keysForReading(unique);
    const erased = await this.vault.erasedAmong(unique.filter((s) => !keys.has(s)));
    const result = new Map<string, string>();
    for (const subjectId of unique) {
      let key = erased.has(subjectId) ? null : (keys.get(subjectId) ?? null);
      if (!key && !erased.has(subjectId)) {
        // A subject recorded before anything personal was written for it: its key starts now.
        try {
          key = await this.vault.keyForWriting(subjectId);
        } catch (error) {
          if (!(error instanceof SubjectErasedError)) throw error;
        }
      }
      result.set(subjectId, key ? this.pseudonymUnder(key, tenantId) : randomPseudonym());
    }
    return result;
  }

  /** The subject's pseudonym to search the record by; null once erased (the mapping is gone). */
  async pseudonymForSearch(tenantId: string, subjectId: string): Promise<string | null> {
    const key = await this.vault.keyForReading(subjectId);
    return key ? this.pseudonymUnder(key, tenantId) : null;
  }

  private pseudonymUnder(key: SubjectKey, tenantId: string): string {
    let byTenant = this.derived.get(key);
    if (!byTenant) {
      byTenant = new Map();
      this.derived.set(key, byTenant);
    }
    let pseudonym = byTenant.get(tenantId);
    if (!pseudonym) {
      pseudonym = pseudonymOf(key.key, tenantId);
      byTenant.set(tenantId, pseudonym);
    }
    return pseudonym;
  }

  /** Deletes every lookup entry of an erased subject. */
  async forget(manager: EntityManager, subjectId: string): Promise<void> {
    await this.forgetAll(manager, [subjectId]);
  }

  /** Deletes every lookup entry of each erased subject, in one statement. */
  async forgetAll(manager: EntityManager, subjectIds: readonly string[]): Promise<void> {
    if (subjectIds.length === 0) return;
    await manager.query('DELETE FROM privacy.lookup_tokens WHERE subject_id = ANY($1::text[])', [subjectIds]);
  }

  private async key(): Promise<Buffer> {
    this.indexKey ??= await this.vault.indexKey(() => randomBytes(32));
    return this.indexKey;
  }
}
