import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Coalescer, pick, uuidv7 } from '@attest/kernel';
import { MasterKeyError, SubjectErasedError } from '@attest/privacy';
import { unwrapKey, wrapKey } from './field-cipher';
import type { ErasureJournal } from './erasure-journal';
import type { MasterKey } from './master-key';

export const KEY_VAULT_CHANNEL = 'attest_key_vault_erased';

export interface SubjectKey {
  readonly kid: string;
  readonly key: Buffer;
}

export interface PostgresKeyVaultOptions {
  readonly connectionString: string;
  /** Wraps new data keys. */
  readonly masterKey: MasterKey;
  /** Master keys being rotated away from: still opens keys they wrapped. */
  readonly previousMasterKeys?: readonly MasterKey[];
  /** How long an unwrapped key stays in memory. */
  readonly cacheTtlMs?: number;
  readonly onWarning?: (message: string, error?: unknown) => void;
  /** Where erasures are also recorded, outside the database; replayed after a restore. */
  readonly journal?: ErasureJournal;
}

/**
 * One data key per subject, wrapped by the master key, in schema `key_vault`.
 * Erasure deletes the key and leaves a fence row: a subject once erased never
 * gets a key again, so nothing new can be written for it and nothing old read.
 */
export class PostgresKeyVault {
  private readonly pool: pg.Pool;
  private readonly cache = new Map<string, { key: SubjectKey; until: number }>();
  private readonly ttl: number;
  private listener: pg.Client | null = null;
  private readonly keks: ReadonlyMap<string, Buffer>;
  private verified: Promise<void> | null = null;
  /**
   * Keys not in the cache, read for every concurrent caller in one query while
   * another is in flight (group read). One query per caller saturated the
   * pool on bench:decisions once the keys of 10,000 subjects had expired from
   * the cache: 800 lookups/s, 400 callers waiting, p95 0.6 s.
   */
  private readonly reads = new Coalescer<readonly string[], ReadonlyMap<string, SubjectKey>>((batches) => this.loadMany(batches));
  /**
   * Subjects erased (here or, by notification, in another process) while a
   * key read was in flight: the read may have found the key just before it
   * was deleted, and must neither return nor cache it.
   */
  private erasedDuringReads: Set<string> | null = null;
  private readsInFlight = 0;

  constructor(private readonly options: PostgresKeyVaultOptions) {
    this.keks = new Map([options.masterKey, ...(options.previousMasterKeys ?? [])].map((k) => [k.id, k.key]));
    // Every statement here is a key lookup or insert, for which the generic plan is the right one:
    // planning a custom plan per call cost twice the execution (pg_stat_statements, bench:decisions).
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: 5,
      application_name: 'attest-key-vault',
      options: '-c plan_cache_mode=force_generic_plan',
    });
    this.pool.on('error', (error) => options.onWarning?.('idle key-vault connection failed', error));
    this.ttl = options.cacheTtlMs ?? 60_000;
  }

  /**
   * Refuses a master key that does not open the stored keys: a clear error at
   * start-up instead of unreadable data later.
   */
  verifyMasterKey(): Promise<void> {
    // Once per vault; a failed check is retried on the next call.
    this.verified ??= this.checkMasterKey().catch((error: unknown) => {
      this.verified = null;
      throw error;
    });
    return this.verified;
  }

  private async checkMasterKey(): Promise<void> {
    const { id, key } = this.options.masterKey;
    const checks = await this.pool.query<{ kek_id: string; wrapped: Buffer }>('SELECT kek_id, wrapped FROM key_vault.kek_checks');
    for (const row of checks.rows) {
      const kek = this.keks.get(row.kek_id);
      if (!kek) continue;
      try {
        unwrapKey(kek, 'kek-check', row.kek_id, row.wrapped);
      } catch {
        throw new MasterKeyError(`the configured master key ${row.kek_id} does not open the stored keys`);
      }
    }
    const known = checks.rows.some((r) => this.keks.has(r.kek_id));
    const mine = checks.rows.some((r) => r.kek_id === id);
    if (mine) return;
    const other = known ? undefined : checks.rows[0];
    if (other) {
      // Changing the master key is a rotation (re-wrapping every data key), never a silent switch.
      throw new MasterKeyError(`this database was set up with master key ${other.kek_id}, but ATTEST_MASTER_KEY is ${id}`);
    }
    const foreign = await this.pool.query<{ kek_id: string }>(`SELECT DISTINCT kek_id FROM key_vault.subject_keys WHERE NOT (kek_id = ANY($1)) LIMIT 1`, [
      [...this.keks.keys()],
    ]);
    if (foreign.rows[0]) {
      throw new MasterKeyError(`the stored data keys are wrapped by master key ${foreign.rows[0].kek_id}, but ATTEST_MASTER_KEY is ${id}`);
    }
    await this.pool.query(`INSERT INTO key_vault.kek_checks (kek_id, wrapped) VALUES ($1, $2) ON CONFLICT (kek_id) DO NOTHING`, [
      id,
      wrapKey(key, 'kek-check', id, randomBytes(32)),
    ]);
  }

  /** Drops cached keys of subjects erased by any process (LISTEN/NOTIFY). */
  async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: 'attest-key-vault-listener' });
    client.on('notification', (message) => {
      if (message.payload) this.forget(message.payload);
    });
    client.on('error', (error) => {
      this.options.onWarning?.('key-vault listener failed; cached keys now expire by time only', error);
    });
    await client.connect();
    await client.query(`LISTEN ${KEY_VAULT_CHANNEL}`);
    this.listener = client;
  }

  /** The subject's key, created on first use; refused for an erased subject. */
  async keyForWriting(subjectId: string): Promise<SubjectKey> {
    const cached = this.cached(subjectId);
    if (cached) return cached;
    // Never wrap a new key with a master key that has not been checked against the stored ones.
    await this.verifyMasterKey();
    const existing = await this.load(subjectId);
    if (existing) return existing;
    const fence = await this.pool.query('SELECT 1 FROM key_vault.erased_subjects WHERE subject_id = $1', [subjectId]);
    if (fence.rowCount) throw new SubjectErasedError('the data subject was erased; nothing can be recorded for it any more');
    const kid = uuidv7();
    const dataKey = randomBytes(32);
    // The fence is checked again inside the insert: an erasure racing this call wins.
    const inserted = await this.pool.query(
      `INSERT INTO key_vault.subject_keys (subject_id, kid, kek_id, wrapped)
       SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM key_vault.erased_subjects WHERE subject_id = $1)
       ON CONFLICT (subject_id) DO NOTHING`,
      [subjectId, kid, this.options.masterKey.id, wrapKey(this.options.masterKey.key, subjectId, kid, dataKey)],
    );
    if (inserted.rowCount === 1) return this.remember(subjectId, { kid, key: dataKey });
    const winner = await this.load(subjectId);
    if (winner) return winner;
    throw new SubjectErasedError('the data subject was erased; nothing can be recorded for it any more');
  }

  /** The subject's key, or null when it was erased (or never had one). */
  async keyForReading(subjectId: string): Promise<SubjectKey | null> {
    return this.cached(subjectId) ?? (await this.keysForReading([subjectId])).get(subjectId) ?? null;
  }

  /** The keys of many subjects in one query (those in the cache without one); erased or keyless subjects are absent. */
  async keysForReading(subjectIds: readonly string[]): Promise<Map<string, SubjectKey>> {
    const found = new Map<string, SubjectKey>();
    const missing: string[] = [];
    for (const subjectId of new Set(subjectIds)) {
      const hit = this.cached(subjectId);
      if (hit) found.set(subjectId, hit);
      else missing.push(subjectId);
    }
    if (missing.length === 0) return found;
    const { value: loaded, erased } = await this.watchingErasures(() => this.reads.submit(missing));
    for (const [subjectId, key] of loaded) found.set(subjectId, key);
    // A key taken from the cache before the query is not given once its subject was erased meanwhile.
    for (const subjectId of erased) found.delete(subjectId);
    return found;
  }

  /** Drops a subject's key from the cache, and from any key read in flight. */
  private forget(subjectId: string): void {
    this.cache.delete(subjectId);
    this.erasedDuringReads?.add(subjectId);
  }

  /** One query for the keys every waiting caller is missing; each caller gets its own. */
  private async loadMany(batches: readonly (readonly string[])[]): Promise<ReadonlyMap<string, SubjectKey>[]> {
    const { value: rows, erased } = await this.watchingErasures(
      async () =>
        (
          await this.pool.query<{ subject_id: string; kid: string; kek_id: string; wrapped: Buffer }>({
            name: 'attest_subject_keys',
            text: 'SELECT subject_id, kid, kek_id, wrapped FROM key_vault.subject_keys WHERE subject_id = ANY($1::text[])',
            values: [[...new Set(batches.flat())]],
          })
        ).rows,
    );
    const all = new Map(rows.filter((row) => !erased.has(row.subject_id)).map((row) => [row.subject_id, this.unwrapRow(row.subject_id, row)]));
    return batches.map((ids) => pick(all, ids));
  }

  /** Destroys the subject's key for good and fences the subject. Idempotent. */
  async erase(subjectId: string, reason: string): Promise<void> {
    await this.options.journal?.append({ subjectId, reason, at: new Date().toISOString() });
    await this.eraseInDatabase(subjectId, reason);
  }

  /**
   * Re-applies every journalled erasure the database does not show — after a
   * restore from a backup taken before them. Returns the subjects erased again.
   */
  async replayErasureJournal(): Promise<string[]> {
    const entries = (await this.options.journal?.entries()) ?? [];
    if (entries.length === 0) return [];
    const subjects = [...new Set(entries.map((e) => e.subjectId))];
    const { rows } = await this.pool.query<{ subject_id: string }>(
      `SELECT s.subject_id FROM unnest($1::text[]) AS s(subject_id)
       WHERE NOT EXISTS (SELECT 1 FROM key_vault.erased_subjects e WHERE e.subject_id = s.subject_id)
          OR EXISTS (SELECT 1 FROM key_vault.subject_keys k WHERE k.subject_id = s.subject_id)`,
      [subjects],
    );
    for (const { subject_id } of rows) {
      const entry = entries.find((e) => e.subjectId === subject_id);
      await this.eraseInDatabase(subject_id, entry?.reason ?? 'replayed from the erasure journal');
    }
    if (rows.length > 0) this.options.onWarning?.(`re-applied ${rows.length} erasures from the journal (database restored from an older backup?)`);
    return rows.map((r) => r.subject_id);
  }

  private async eraseInDatabase(subjectId: string, reason: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO key_vault.erased_subjects (subject_id, reason) VALUES ($1, $2) ON CONFLICT (subject_id) DO NOTHING', [subjectId, reason]);
      await client.query('DELETE FROM key_vault.subject_keys WHERE subject_id = $1', [subjectId]);
      await client.query(`SELECT pg_notify('${KEY_VAULT_CHANNEL}', $1)`, [subjectId]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    this.forget(subjectId);
  }

  /**
   * Re-wraps every data key not yet under the current master key, in small
   * transactions, while the system runs (processes configured with the current
   * and the previous key read both meanwhile). Returns how many were re-wrapped.
   */
  async rotateToCurrentMasterKey(batchSize = 500): Promise<number> {
    const { id, key } = this.options.masterKey;
    await this.verifyMasterKey();
    let rewrapped = 0;
    for (;;) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ subject_id: string; kid: string; kek_id: string; wrapped: Buffer }>(
          `SELECT subject_id, kid, kek_id, wrapped FROM key_vault.subject_keys WHERE kek_id <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [id, batchSize],
        );
        for (const row of rows) {
          const old = this.keks.get(row.kek_id);
          if (!old) throw new MasterKeyError(`data key wrapped by master key ${row.kek_id}, which is not configured as a previous key`);
          const dataKey = unwrapKey(old, row.subject_id, row.kid, row.wrapped);
          await client.query('UPDATE key_vault.subject_keys SET kek_id = $2, wrapped = $3 WHERE subject_id = $1', [
            row.subject_id,
            id,
            wrapKey(key, row.subject_id, row.kid, dataKey),
          ]);
        }
        await client.query('COMMIT');
        rewrapped += rows.length;
        if (rows.length < batchSize) break;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }
    const index = await this.pool.query<{ kek_id: string; wrapped: Buffer }>('SELECT kek_id, wrapped FROM key_vault.index_key WHERE kek_id <> $1', [id]);
    const indexRow = index.rows[0];
    const indexKek = indexRow ? this.keks.get(indexRow.kek_id) : undefined;
    if (indexRow && indexKek) {
      const plain = unwrapKey(indexKek, 'index-key', 'index-key', indexRow.wrapped);
      await this.pool.query('UPDATE key_vault.index_key SET kek_id = $1, wrapped = $2', [id, wrapKey(key, 'index-key', 'index-key', plain)]);
    }
    // Keys of rotated-away master keys wrap nothing any more: forget their check values.
    await this.pool.query(
      `DELETE FROM key_vault.kek_checks WHERE kek_id <> $1
         AND NOT EXISTS (SELECT 1 FROM key_vault.subject_keys k WHERE k.kek_id = kek_checks.kek_id)
         AND NOT EXISTS (SELECT 1 FROM key_vault.index_key i WHERE i.kek_id = kek_checks.kek_id)`,
      [id],
    );
    return rewrapped;
  }

  /** The blind-index HMAC key, created once and wrapped by the master key like any data key. */
  async indexKey(generate: () => Buffer): Promise<Buffer> {
    const read = async (): Promise<Buffer | null> => {
      const { rows } = await this.pool.query<{ kek_id: string; wrapped: Buffer }>('SELECT kek_id, wrapped FROM key_vault.index_key');
      const row = rows[0];
      if (!row) return null;
      const kek = this.keks.get(row.kek_id);
      if (!kek) throw new MasterKeyError(`the index key is wrapped by master key ${row.kek_id}, which is not configured`);
      return unwrapKey(kek, 'index-key', 'index-key', row.wrapped);
    };
    const existing = await read();
    if (existing) return existing;
    await this.verifyMasterKey();
    const { id, key } = this.options.masterKey;
    await this.pool.query('INSERT INTO key_vault.index_key (kek_id, wrapped) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      id,
      wrapKey(key, 'index-key', 'index-key', generate()),
    ]);
    const created = await read();
    if (!created) throw new MasterKeyError('the index key could not be stored');
    return created;
  }

  async isErased(subjectId: string): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM key_vault.erased_subjects WHERE subject_id = $1', [subjectId])).rowCount ?? 0) > 0;
  }

  /** Which of these subjects were erased, in one query. */
  async erasedAmong(subjectIds: readonly string[]): Promise<Set<string>> {
    if (subjectIds.length === 0) return new Set();
    const { rows } = await this.pool.query<{ subject_id: string }>('SELECT subject_id FROM key_vault.erased_subjects WHERE subject_id = ANY($1::text[])', [
      subjectIds,
    ]);
    return new Set(rows.map((r) => r.subject_id));
  }

  async close(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  private cached(subjectId: string): SubjectKey | null {
    const hit = this.cache.get(subjectId);
    if (!hit) return null;
    if (hit.until < Date.now()) {
      this.cache.delete(subjectId);
      return null;
    }
    return hit.key;
  }

  private remember(subjectId: string, key: SubjectKey): SubjectKey {
    this.cache.set(subjectId, { key, until: Date.now() + this.ttl });
    return key;
  }

  private async load(subjectId: string): Promise<SubjectKey | null> {
    const { value: rows, erased } = await this.watchingErasures(
      async () =>
        (
          await this.pool.query<{ kid: string; kek_id: string; wrapped: Buffer }>(
            'SELECT kid, kek_id, wrapped FROM key_vault.subject_keys WHERE subject_id = $1',
            [subjectId],
          )
        ).rows,
    );
    const row = rows[0];
    return row && !erased.has(subjectId) ? this.unwrapRow(subjectId, row) : null;
  }

  /** Runs a key read; returns with it the subjects erased while it was in flight (their keys must not be used). */
  private async watchingErasures<T>(read: () => Promise<T>): Promise<{ value: T; erased: ReadonlySet<string> }> {
    this.readsInFlight += 1;
    this.erasedDuringReads ??= new Set();
    const erased = this.erasedDuringReads;
    try {
      return { value: await read(), erased };
    } finally {
      this.readsInFlight -= 1;
      if (this.readsInFlight === 0) this.erasedDuringReads = null;
    }
  }

  private unwrapRow(subjectId: string, row: { kid: string; kek_id: string; wrapped: Buffer }): SubjectKey {
    const kek = this.keks.get(row.kek_id);
    if (!kek) throw new MasterKeyError(`data key wrapped by master key ${row.kek_id}, which is not configured`);
    let key: Buffer;
    try {
      key = unwrapKey(kek, subjectId, row.kid, row.wrapped);
    } catch {
      throw new MasterKeyError('ATTEST_MASTER_KEY does not open the stored keys');
    }
    return this.remember(subjectId, { kid: row.kid, key });
  }
}
