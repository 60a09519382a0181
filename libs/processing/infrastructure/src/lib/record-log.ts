import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery, withTenant } from '@attest/database';
import { DomainError, groupBy } from '@attest/kernel';
import type { VerifiableEntry } from '@attest/processing-application';
import { bodyOf, decodeRecord, encodeRecordAround, type ProcessingRecordBody, type RecordDraft } from '@attest/processing-domain';
import {
  consistencyRanges,
  edgeOf,
  foldRight,
  formatCheckpoint,
  hashRanges,
  inclusionRanges,
  leafHashOfText,
  nodesOf,
  signNote,
  TreeBuilder,
  type NodeRef,
  type NoteSigner,
  type NoteVerifier,
  type Range,
} from '@attest/transparency';

export interface RecordLogOptions {
  /** Prefix of every tenant log's origin line; also the signing key's name. */
  readonly origin: string;
  /** Null for a log opened to read and verify only (an auditor's `attest verify` holds the verifier key, not the signing key). */
  readonly signer: NoteSigner | null;
  /** A background merge of staged records failed (it is retried on the next stage or checkpoint). */
  readonly onMergeError?: (error: unknown) => void;
  /**
   * Sign a checkpoint as soon as a tenant's log first grows, instead of at the
   * next scheduled one: a new log is then never "entries but no checkpoint"
   * for a minute (the running system sets it; specs that count checkpoints do not).
   */
  readonly signFirstCheckpoint?: boolean;
}

/** Tries, 100 ms apart and doubling, to sign a new log's first checkpoint before leaving it to the schedule. */
const FIRST_CHECKPOINT_TRIES = 6;

/** Staged records merged per transaction. */
const MERGE_BATCH = 10_000;
/**
 * How long a background merge waits to gather more staged records. Fewer,
 * larger merges cost PostgreSQL less per record (measured on bench:decisions:
 * about a third less CPU per decision than merging every 20 ms).
 */
const MERGE_DELAY_MS = 200;
/** The advisory lock key every merger takes (per database): one merge at a time. */
export const RECORD_MERGE_LOCK = 0x61747374_01;

/**
 * Which of these source ids ($2) the tenant's ($1) log already holds, through
 * a function with a generic plan (migration 1764800000000), which probes the
 * `(tenant_id, source_id)` unique index whatever the statistics say. Planned
 * per call, a tenant the statistics did not know yet had all its rows read
 * through another index on every append (419 appends/s on
 * bench:processing-record; a lateral probe per id was worse).
 */
export const SEEN_SOURCES_SQL = `SELECT s AS source_id FROM processing.seen_sources($1, $2::text[]) AS s`;

export interface StoredCheckpoint {
  readonly tenantId: string;
  readonly size: number;
  readonly root: Buffer;
  /** The signed note (C2SP tlog-checkpoint). */
  readonly note: string;
  readonly createdAt: Date;
}

export interface LogEntry {
  readonly index: number;
  readonly leafHash: Buffer;
  /** Null once purged after retention; the leaf hash stays. */
  readonly body: string | null;
  readonly recordedAt: Date;
  readonly purgedAt: Date | null;
}

export interface RecordFilter {
  readonly subject?: string;
  readonly purpose?: string;
  readonly actor?: string;
  readonly kind?: string;
  readonly channel?: string;
  readonly outcome?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Newest first (the default) or oldest first; a cursor belongs to the order it was made in. */
  readonly order?: 'newest' | 'oldest';
}

export interface RecordPage {
  readonly records: (ProcessingRecordBody & { readonly leafHash: string })[];
  readonly next: string | null;
}

interface NodeRow {
  level: number;
  idx: string;
  hash: Buffer;
}

const key = (r: NodeRef): string => `${r.level}:${r.index}`;

export class RecordNotFoundError extends DomainError {
  constructor(message: string) {
    super('RECORD.NOT_FOUND', message, 'not_found');
  }
}

/**
 * One RFC 6962 Merkle log per tenant, in Postgres. Appends take the tenant
 * log's row lock (indices stay contiguous under concurrent writers), extend
 * the tree from its stored right edge and write the records (each with its
 * leaf hash) and every new perfect subtree above the leaves in one
 * transaction. Checkpoints are signed C2SP notes; proofs are assembled from
 * the stored subtrees and the records' leaf hashes.
 */
export class PostgresRecordLog {
  private readonly app: DataSource;
  /** The background merge in flight, and whether another was asked for meanwhile. */
  private merging: Promise<void> | null = null;
  private mergeAgain = false;
  /** The last background merge found another merger running (its rows may be left: try again). */
  private mergeBusy = false;
  /** Tenants whose log first grew, with the tries left to sign its first checkpoint. */
  private readonly firstGrown = new Map<string, number>();
  private signing: Promise<void> | null = null;

  /** Reads of tenant data go through `app` (row-level security) when given, else the owner. */
  constructor(
    private readonly owner: DataSource,
    app: DataSource | null,
    private readonly options: RecordLogOptions,
  ) {
    this.app = app ?? owner;
  }

  /** A statement on the owner connection (changes the app role may not make). */
  ownerQuery(sql: string, parameters: readonly unknown[]): Promise<unknown> {
    return this.owner.query(sql, [...parameters]);
  }

  /** The same log, reading as the request-serving role. */
  withApp(app: DataSource): PostgresRecordLog {
    return new PostgresRecordLog(this.owner, app, this.options);
  }

  get verifier(): NoteVerifier {
    return this.signer().verifier;
  }

  /** The verifier key, as printed for auditors (C2SP note format). */
  verifierKey(): string {
    return this.verifier.text;
  }

  /** Signs a statement (one line of text, e.g. a deletion certificate) as a C2SP note with the log's key. */
  signStatement(text: string): string {
    return signNote(`${text}\n`, this.signer());
  }

  private signer(): NoteSigner {
    if (!this.options.signer) throw new Error('this processing-record log was opened to read and verify only: it has no signing key');
    return this.options.signer;
  }

  originOf(tenantId: string): string {
    return `${this.options.origin}/${tenantId}`;
  }

  /** Appends in the caller's transaction; drafts whose source was already recorded are skipped. */
  async append(
    manager: EntityManager,
    drafts: readonly RecordDraft[],
    options: { dedupe?: boolean } = {},
  ): Promise<{ tenantId: string; index: number; sourceId: string }[]> {
    const byTenant = groupBy(drafts, (d) => d.tenantId);
    const appended: { tenantId: string; index: number; sourceId: string }[] = [];
    // Encoded before any log's lock is taken: under it only each index is written in (ADR 0009).
    const around = new Map(drafts.map((d) => [d, encodeRecordAround(bodyOf(d, 0))]));
    // Tenants in a fixed order: two writers never wait on each other's locks in a cycle.
    for (const tenantId of [...byTenant.keys()].sort()) {
      let batch = byTenant.get(tenantId) ?? [];
      const [{ size: sizeText }] = await manager.query<[{ size: string }]>(
        `INSERT INTO processing.logs (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO UPDATE SET size = processing.logs.size RETURNING size`,
        [tenantId],
      );
      const size = Number(sizeText);
      if (size === 0 && this.options.signFirstCheckpoint) this.firstGrown.set(tenantId, FIRST_CHECKPOINT_TRIES);
      if (options.dedupe !== false) {
        const seen = new Set(
          (await manager.query<{ source_id: string }[]>(SEEN_SOURCES_SQL, [tenantId, batch.map((d) => d.sourceId)])).map((r) => r.source_id),
        );
        batch = batch.filter((d) => !seen.has(d.sourceId) && seen.add(d.sourceId));
      }
      if (batch.length === 0) continue;
      const refs = edgeOf(size);
      const edgeRows = refs.length === 0 ? new Map<string, Buffer>() : await this.nodes(manager, tenantId, refs);
      const tree = new TreeBuilder(
        size,
        refs.map((r) => this.need(edgeRows, r)),
      );
      const levels: number[] = [];
      const indices: number[] = [];
      const hashes: Buffer[] = [];
      const bodies: string[] = [];
      const leaves: Buffer[] = [];
      batch.forEach((draft, i) => {
        const parts = around.get(draft);
        if (!parts) throw new Error('a draft to append was not encoded with the others');
        const body = `${parts.head}${size + i}${parts.tail}`;
        const leaf = leafHashOfText(body);
        bodies.push(body);
        leaves.push(leaf);
        tree.push(leaf, (level, index, hash) => {
          // A leaf is the record's own leaf hash: only the subtrees above it are stored as nodes.
          if (level === 0) return;
          levels.push(level);
          indices.push(index);
          hashes.push(hash);
        });
      });
      // One JSON document per statement: the driver escapes array literals element by element, slowly.
      await manager.query(
        `INSERT INTO processing.records (tenant_id, idx, leaf_hash, body, source_id, kind, subject, purpose, actor, channel, outcome, at)
         SELECT $1, u.idx, decode(u.leaf, 'hex'), u.body, u.source, u.kind, u.subject, u.purpose, u.actor, u.channel, u.outcome, u.at
         FROM json_to_recordset($2::json)
           AS u(idx bigint, leaf text, body text, source text, kind text, subject text, purpose text, actor text, channel text, outcome text, at timestamptz)`,
        [
          tenantId,
          JSON.stringify(
            batch.map((d, i) => ({
              idx: size + i,
              leaf: leaves[i]?.toString('hex'),
              body: bodies[i],
              source: d.sourceId,
              kind: d.kind,
              subject: d.subject,
              purpose: d.purpose,
              actor: d.actor,
              channel: d.channel,
              outcome: d.outcome,
              at: d.at,
            })),
          ),
        ],
      );
      await manager.query(
        `INSERT INTO processing.nodes (tenant_id, level, idx, hash)
         SELECT $1, u.level, u.idx, decode(u.hash, 'hex') FROM json_to_recordset($2::json) AS u(level smallint, idx bigint, hash text)`,
        [tenantId, JSON.stringify(levels.map((level, i) => ({ level, idx: indices[i], hash: hashes[i]?.toString('hex') })))],
      );
      await manager.query(`UPDATE processing.logs SET size = $2 WHERE tenant_id = $1`, [tenantId, size + batch.length]);
      batch.forEach((d, i) => appended.push({ tenantId, index: size + i, sourceId: d.sourceId }));
    }
    if (this.firstGrown.size > 0) this.signFirstSoon();
    return appended;
  }

  /**
   * Signs the first checkpoint of each log that just grew from empty, once
   * the appending transaction has committed (until then the log reads as
   * empty and signing is retried; a rolled-back append leaves nothing to sign).
   */
  private signFirstSoon(): void {
    if (this.signing) return;
    this.signing = (async () => {
      for (let wait = 100; this.firstGrown.size > 0; wait *= 2) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        for (const [tenantId, tries] of [...this.firstGrown]) {
          const signed = await this.checkpoint(tenantId).catch((error: unknown) => {
            this.options.onMergeError?.(error);
            return null;
          });
          if (signed || tries <= 1) this.firstGrown.delete(tenantId);
          else this.firstGrown.set(tenantId, tries - 1);
        }
      }
    })().finally(() => {
      this.signing = null;
    });
  }

  /** Appends in a transaction of its own, as the request-serving role. */
  async appendNow(drafts: readonly RecordDraft[]): Promise<{ tenantId: string; index: number; sourceId: string }[]> {
    return this.owner.transaction((manager) => this.append(manager, drafts, { dedupe: false }));
  }

  /**
   * Stages records durably in one insert (ADR 0009, decision 8) and merges
   * them into their tenants' logs in the background, batched. Tamper evidence
   * starts at the next signed checkpoint either way, and a checkpoint merges
   * everything staged before it is signed.
   */
  async stage(drafts: readonly RecordDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    // One row per tenant: its drafts as one JSON array, stored as sent (migration 1764900000000).
    // One insert per row: unpacking several rows from one JSON parameter parsed it once per field.
    // Several tenants' rows go in one transaction: a stage is whole or not at all.
    const sql = `INSERT INTO processing.pending (tenant_id, n, drafts) VALUES ($1, $2, $3::json)`;
    const rows = [...groupBy(drafts, (d) => d.tenantId)].map(([tenantId, own]) => [tenantId, own.length, JSON.stringify(own)]);
    const [only] = rows;
    if (rows.length === 1 && only) await preparedQuery(this.owner, 'attest_stage_batch', sql, only);
    else {
      await this.owner.transaction(async (m) => {
        for (const row of rows) await m.query(sql, row);
      });
    }
    this.mergeSoon();
  }

  /**
   * Starts a background merge shortly (records staged meanwhile go in the
   * same batch), or asks the one in flight to run again.
   */
  mergeSoon(): void {
    if (this.merging) {
      this.mergeAgain = true;
      return;
    }
    this.merging = (async () => {
      do {
        await new Promise((resolve) => setTimeout(resolve, MERGE_DELAY_MS));
        try {
          await this.mergePending();
        } catch (error) {
          this.options.onMergeError?.(error);
          return;
        }
      } while (this.takeRerun());
    })().finally(() => {
      this.merging = null;
    });
  }

  /** Whether records were staged while the last merge ran, or it found another merger busy (and clears both). */
  private takeRerun(): boolean {
    const again = this.mergeAgain || this.mergeBusy;
    this.mergeAgain = false;
    this.mergeBusy = false;
    return again;
  }

  /**
   * Merges staged records (of one tenant, or all) into the logs, oldest first.
   * Each batch is appended and removed from the stage in one transaction.
   * One merger runs at a time in the database (a transaction-scoped advisory
   * lock, not a lock on every staged row: those would each be written to the
   * WAL). By default a merger that finds another one running returns at once
   * and `busy` is set (the background merge then tries again); with `wait`
   * (before a checkpoint) it waits its turn, so that everything staged before
   * the call is in the log when it returns. Returns how many it merged.
   */
  async mergePending(tenantId?: string, options: { wait?: boolean } = {}): Promise<number> {
    let merged = 0;
    for (;;) {
      const n = await this.owner.transaction(async (m) => {
        if (options.wait) {
          await m.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [RECORD_MERGE_LOCK]);
        } else {
          const [lock] = await m.query<[{ locked: boolean }]>(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, [RECORD_MERGE_LOCK]);
          if (!lock.locked) {
            this.mergeBusy = true;
            return 0;
          }
        }
        // Whole staged rows, oldest first, until about MERGE_BATCH drafts (always at least one row).
        // The table column, not the text alias, so that the primary key orders the scan.
        const rows = await m.query<{ seq: string; drafts: RecordDraft[] }[]>(
          `SELECT x.seq::text AS seq, x.drafts FROM (
             SELECT p.seq, p.drafts, sum(p.n) OVER (ORDER BY p.seq) - p.n AS before
             FROM processing.pending p WHERE ($1::text IS NULL OR p.tenant_id = $1) ORDER BY p.seq LIMIT $2
           ) x WHERE x.before < $2 ORDER BY x.seq`,
          [tenantId ?? null, MERGE_BATCH],
        );
        if (rows.length === 0) return 0;
        const drafts = rows.flatMap((r) => r.drafts);
        await this.append(m, drafts);
        await m.query(`DELETE FROM processing.pending WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
        return drafts.length;
      });
      merged += n;
      // Fewer than a batch: nothing was left behind the rows taken.
      if (n < MERGE_BATCH) return merged;
    }
  }

  /** Staged records not merged yet (of one tenant). */
  async pendingCount(tenantId: string): Promise<number> {
    const rows = await this.owner.query<{ n: string }[]>(`SELECT coalesce(sum(n), 0)::text AS n FROM processing.pending WHERE tenant_id = $1`, [tenantId]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Waits for the background merge in flight (before the connections close). */
  async settle(): Promise<void> {
    while (this.merging || this.signing) await (this.merging ?? this.signing);
  }

  /** Everything staged so far is in the log once this resolves (tests, tools). */
  async drain(): Promise<void> {
    await this.mergePending(undefined, { wait: true });
    await this.settle();
  }

  /**
   * Stored subtree hashes by reference. Leaves (level 0) come from the records'
   * own leaf hashes (ADR 0009, decision 2): entries appended before 2026-12-06
   * also have a copy in `processing.nodes`, which is no longer read.
   */
  private async nodes(manager: EntityManager, tenantId: string, refs: readonly NodeRef[]): Promise<Map<string, Buffer>> {
    const inner = refs.filter((r) => r.level > 0);
    const leaves = refs.filter((r) => r.level === 0).map((r) => r.index);
    const subtrees = `SELECT level, idx::text AS idx, hash FROM processing.nodes WHERE tenant_id = $1 AND (level, idx) IN (SELECT * FROM unnest($2::smallint[], $3::bigint[]))`;
    // The records only when a leaf is asked for (an append's right edge has one only at an odd size).
    const rows = await manager.query<NodeRow[]>(
      leaves.length === 0
        ? subtrees
        : `${subtrees} UNION ALL SELECT 0, idx::text, leaf_hash FROM processing.records WHERE tenant_id = $1 AND idx = ANY($4::bigint[])`,
      [tenantId, inner.map((r) => r.level), inner.map((r) => r.index), ...(leaves.length === 0 ? [] : [leaves])],
    );
    return new Map(rows.map((r) => [`${r.level}:${r.idx}`, r.hash]));
  }

  private need(found: Map<string, Buffer>, ref: NodeRef): Buffer {
    const hash = found.get(key(ref));
    if (!hash) throw new Error(`the processing record is missing subtree ${key(ref)}: run \`attest verify\``);
    return hash;
  }

  async size(tenantId: string): Promise<number> {
    const rows = await this.owner.query<{ size: string }[]>(`SELECT size FROM processing.logs WHERE tenant_id = $1`, [tenantId]);
    return Number(rows[0]?.size ?? 0);
  }

  /** The tree hash at a size the log has reached, from the stored subtrees. */
  async rootAt(tenantId: string, size: number): Promise<Buffer> {
    const refs = edgeOf(size);
    const found = await this.nodes(this.owner.manager, tenantId, refs);
    return foldRight(refs.map((r) => this.need(found, r)));
  }

  /** Signs a checkpoint of the log's current size unless one exists; returns the latest. */
  async checkpoint(tenantId: string): Promise<StoredCheckpoint | null> {
    await this.mergePending(tenantId, { wait: true });
    const size = await this.size(tenantId);
    const latest = await this.latestCheckpoint(tenantId);
    if (size === 0 || (latest && latest.size >= size)) return latest;
    const root = await this.rootAt(tenantId, size);
    const note = signNote(formatCheckpoint({ origin: this.originOf(tenantId), size, root }), this.signer());
    // One signer per tenant at a time: two concurrent calls (the first-checkpoint signer and an officer's request)
    // both found no checkpoint of this size, and both inserted one. Under the lock the second sees the first's row.
    await this.owner.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`record-checkpoint:${tenantId}`]);
      await m.query(
        `INSERT INTO processing.checkpoints (tenant_id, size, root, note) SELECT $1, $2, $3, $4
         WHERE NOT EXISTS (SELECT 1 FROM processing.checkpoints WHERE tenant_id = $1 AND size = $2)`,
        [tenantId, size, root, note],
      );
    });
    return this.latestCheckpoint(tenantId);
  }

  /** Tenants whose log grew since their latest checkpoint. */
  async tenantsBehind(): Promise<string[]> {
    const rows = await this.owner.query<{ tenant_id: string }[]>(
      `SELECT l.tenant_id FROM processing.logs l
       WHERE l.size > COALESCE((SELECT max(c.size) FROM processing.checkpoints c WHERE c.tenant_id = l.tenant_id), 0)
       ORDER BY l.tenant_id`,
    );
    return rows.map((r) => r.tenant_id);
  }

  private static checkpointOf(r: { tenant_id: string; size: string; root: Buffer; note: string; created_at: Date }): StoredCheckpoint {
    return { tenantId: r.tenant_id, size: Number(r.size), root: r.root, note: r.note, createdAt: r.created_at };
  }

  async latestCheckpoint(tenantId: string): Promise<StoredCheckpoint | null> {
    const rows = await this.owner.query<Parameters<typeof PostgresRecordLog.checkpointOf>[0][]>(
      // Qualified: a bare size in ORDER BY would name the text alias, and "9" sorts above "10".
      `SELECT c.tenant_id, c.size::text AS size, c.root, c.note, c.created_at FROM processing.checkpoints c WHERE c.tenant_id = $1 ORDER BY c.size DESC, c.checkpoint_id DESC LIMIT 1`,
      [tenantId],
    );
    return rows[0] ? PostgresRecordLog.checkpointOf(rows[0]) : null;
  }

  /** Every checkpoint (for `size`, those of that size), oldest first. */
  async checkpoints(tenantId: string, size?: number): Promise<StoredCheckpoint[]> {
    const rows = await withTenant<Parameters<typeof PostgresRecordLog.checkpointOf>[0][]>(this.app, tenantId, (m) =>
      m.query(
        `SELECT tenant_id, size::text AS size, root, note, created_at FROM processing.checkpoints WHERE tenant_id = $1 AND ($2::bigint IS NULL OR size = $2) ORDER BY checkpoint_id`,
        [tenantId, size ?? null],
      ),
    );
    return rows.map((r) => PostgresRecordLog.checkpointOf(r));
  }

  /**
   * Signed checkpoints newest first (by size, then signing order), keyset-paged: the cursor is
   * the (size, checkpoint id) of the last one of the page before.
   */
  async checkpointPage(tenantId: string, limit: number, cursor: string | null): Promise<{ checkpoints: StoredCheckpoint[]; next: string | null }> {
    let after: { size: string; id: string } | null = null;
    if (cursor !== null) {
      const [size, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
      if (size === undefined || id === undefined || !/^\d{1,16}$/.test(size) || !/^\d{1,19}$/.test(id))
        throw new DomainError('RECORD.BAD_CURSOR', 'the cursor is not one this API returned', 'invalid');
      after = { size, id };
    }
    const rows = await withTenant<(Parameters<typeof PostgresRecordLog.checkpointOf>[0] & { checkpoint_id: string })[]>(this.app, tenantId, (m) =>
      m.query(
        `SELECT c.tenant_id, c.size::text AS size, c.root, c.note, c.created_at, c.checkpoint_id::text AS checkpoint_id FROM processing.checkpoints c
         WHERE c.tenant_id = $1 AND ($2::bigint IS NULL OR (c.size, c.checkpoint_id) < ($2::bigint, $3::bigint))
         ORDER BY c.size DESC, c.checkpoint_id DESC LIMIT $4`,
        [tenantId, after?.size ?? null, after?.id ?? null, limit + 1],
      ),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      checkpoints: page.map((r) => PostgresRecordLog.checkpointOf(r)),
      next: rows.length > limit && last ? Buffer.from(`${last.size}|${last.checkpoint_id}`, 'utf8').toString('base64url') : null,
    };
  }

  async entry(tenantId: string, index: number): Promise<LogEntry> {
    if (!Number.isSafeInteger(index) || index < 0)
      throw new DomainError('RECORD.INDEX_OUT_OF_RANGE', `index ${String(index)} is not a whole number from 0`, 'invalid');
    // `entries` answers the first entry at or after the index: only that very entry will do.
    const [entry] = await this.entries(tenantId, index, 1);
    if (entry?.index !== index) throw new RecordNotFoundError(`the processing record of this tenant has no entry ${index}`);
    return entry;
  }

  /** Entries [from, from + limit) in index order (the verifier streams through these). */
  async entries(tenantId: string, from: number, limit: number, manager?: EntityManager): Promise<LogEntry[]> {
    const run = (m: EntityManager): Promise<unknown> =>
      m.query(
        `SELECT r.idx::text AS position, r.leaf_hash, r.body, r.recorded_at, r.purged_at FROM processing.records r WHERE r.tenant_id = $1 AND r.idx >= $2 ORDER BY r.idx LIMIT $3`,
        [tenantId, from, limit],
      );
    const rows = (await (manager ? run(manager) : withTenant(this.app, tenantId, run))) as {
      position: string;
      leaf_hash: Buffer;
      body: string | null;
      recorded_at: Date;
      purged_at: Date | null;
    }[];
    return rows.map((r) => ({ index: Number(r.position), leafHash: r.leaf_hash, body: r.body, recordedAt: r.recorded_at, purgedAt: r.purged_at }));
  }

  /**
   * Entries [from, from + limit) as the verifier needs them: index and body,
   * and the stored leaf hash only where the body is purged or does not hash to
   * it (that comparison runs in the database; it only names changed entries,
   * the verifier recomputes the tree from the bodies and trusts no answer of it).
   */
  async verificationEntries(tenantId: string, from: number, limit: number): Promise<VerifiableEntry[]> {
    const rows = await withTenant<{ position: string; body: string | null; leaf_hash: Buffer | null }[]>(this.app, tenantId, (m) =>
      m.query(
        `SELECT r.idx::text AS position, r.body,
                CASE WHEN r.body IS NULL OR r.leaf_hash <> sha256('\\x00'::bytea || convert_to(r.body, 'UTF8')) THEN r.leaf_hash END AS leaf_hash
         FROM processing.records r WHERE r.tenant_id = $1 AND r.idx >= $2 ORDER BY r.idx LIMIT $3`,
        [tenantId, from, limit],
      ),
    );
    return rows.map((r) => ({ index: Number(r.position), body: r.body, leafHash: r.leaf_hash }));
  }

  private async proofHashes(tenantId: string, ranges: readonly Range[]): Promise<Buffer[]> {
    const refs = ranges.flatMap((r) => nodesOf(r));
    const found = refs.length === 0 ? new Map<string, Buffer>() : await this.nodes(this.owner.manager, tenantId, refs);
    return hashRanges(ranges, (ref) => this.need(found, ref));
  }

  private async checkSize(tenantId: string, size: number): Promise<void> {
    const current = await this.size(tenantId);
    if (!Number.isSafeInteger(size) || size < 1 || size > current) {
      throw new DomainError(
        'RECORD.SIZE_OUT_OF_RANGE',
        `the processing record of this tenant has ${current} entries; size ${size} is outside 1..${current}`,
        'invalid',
        { logSize: current },
      );
    }
  }

  async inclusionProof(tenantId: string, index: number, size: number): Promise<{ index: number; size: number; leafHash: Buffer; proof: Buffer[] }> {
    await this.checkSize(tenantId, size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new DomainError('RECORD.INDEX_OUT_OF_RANGE', `index ${index} is not below size ${size}`, 'invalid');
    const entry = await this.entry(tenantId, index);
    return { index, size, leafHash: entry.leafHash, proof: await this.proofHashes(tenantId, inclusionRanges(index, size)) };
  }

  /**
   * The entry recorded for an event (staged records merged first), with its
   * inclusion proof against a fresh signed checkpoint: what a deletion
   * certificate carries (D4).
   */
  async proveEntry(
    tenantId: string,
    sourceId: string,
  ): Promise<{ origin: string; index: number; leafHash: string; checkpoint: string; inclusionProof: string[] }> {
    await this.mergePending(tenantId, { wait: true });
    const [row] = await this.owner.query<{ idx: string }[]>(`SELECT idx::text AS idx FROM processing.records WHERE tenant_id = $1 AND source_id = $2`, [
      tenantId,
      sourceId,
    ]);
    if (!row) throw new Error(`the processing record has no entry for event ${sourceId} yet`);
    const checkpoint = await this.checkpoint(tenantId);
    if (!checkpoint) throw new Error('the processing record could not be checkpointed');
    const proof = await this.inclusionProof(tenantId, Number(row.idx), checkpoint.size);
    return {
      origin: this.originOf(tenantId),
      index: proof.index,
      leafHash: proof.leafHash.toString('base64'),
      checkpoint: checkpoint.note,
      inclusionProof: proof.proof.map((p) => p.toString('base64')),
    };
  }

  async consistencyProof(tenantId: string, from: number, to: number): Promise<{ from: number; to: number; proof: Buffer[] }> {
    await this.checkSize(tenantId, to);
    if (!Number.isSafeInteger(from) || from < 1 || from > to) throw new DomainError('RECORD.SIZE_OUT_OF_RANGE', `from must be within 1..${to}`, 'invalid');
    return { from, to, proof: await this.proofHashes(tenantId, consistencyRanges(from, to)) };
  }

  /** Compliance-officer queries (P1 fields), newest first, keyset-paged. */
  async query(tenantId: string, filter: RecordFilter, limit: number, cursor: string | null): Promise<RecordPage> {
    const oldest = filter.order === 'oldest';
    let from: { at: string; idx: number } | null = null;
    if (cursor) {
      // `at|idx` newest first; `at|idx|oldest` oldest first: a cursor is refused in the other order.
      const [at, idx, order] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
      if (
        !at ||
        !idx ||
        Number.isNaN(Date.parse(at)) ||
        !/^\d{1,15}$/.test(idx) ||
        (order === 'oldest') !== oldest ||
        (order !== undefined && order !== 'oldest')
      )
        throw new DomainError('RECORD.BAD_CURSOR', 'the cursor is not one this API returned for this order', 'invalid');
      from = { at, idx: Number(idx) };
    }
    // Two statements, not one with a direction parameter: each keeps its index order (a backward scan for the oldest first).
    const keyset = oldest ? `(at, idx) > ($8::timestamptz, $9::bigint)` : `(at, idx) < ($8::timestamptz, $9::bigint)`;
    const direction = oldest ? 'ASC' : 'DESC';
    const rows = await withTenant<{ position: string; leaf_hash: string; body: string; at_key: string }[]>(this.app, tenantId, (m) =>
      m.query(
        // The leaf hash in base64 from the server (32 bytes: under the 76 characters where encode() breaks lines),
        // not a bytea parsed into a Buffer only to be encoded again.
        `SELECT r.idx::text AS position, encode(r.leaf_hash, 'base64') AS leaf_hash, r.body, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key
         FROM processing.records r
         WHERE tenant_id = $1 AND body IS NOT NULL
           AND ($2::text IS NULL OR subject = $2) AND ($3::text IS NULL OR purpose = $3)
           AND ($4::text IS NULL OR actor = $4) AND ($5::text IS NULL OR kind = $5)
           AND ($6::timestamptz IS NULL OR at >= $6) AND ($7::timestamptz IS NULL OR at < $7)
           AND ($8::timestamptz IS NULL OR ${keyset})
           AND ($11::text IS NULL OR channel = $11) AND ($12::text IS NULL OR outcome = $12)
         ORDER BY at ${direction}, idx ${direction}
         LIMIT $10`,
        [
          tenantId,
          filter.subject ?? null,
          filter.purpose ?? null,
          filter.actor ?? null,
          filter.kind ?? null,
          filter.from ?? null,
          filter.to ?? null,
          from?.at ?? null,
          from?.idx ?? null,
          limit + 1,
          filter.channel ?? null,
          filter.outcome ?? null,
        ],
      ),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      // Shown, not verified: the shape is checked, the text is verification's (ADR 0009). The index shown is the
      // entry's position in the log, whatever the body says (verification names an entry whose body disagrees).
      // Onto the freshly decoded body, not a spread of it: a property added after a spread is slow on Node 20.
      records: page.map((r) => Object.assign(decodeRecord(r.body, 'shape'), { index: Number(r.position), leafHash: r.leaf_hash })),
      next: rows.length > limit && last ? Buffer.from(`${last.at_key}|${last.position}${oldest ? '|oldest' : ''}`, 'utf8').toString('base64url') : null,
    };
  }

  /** P2/6: removes expired bodies through the purge procedure, as `attest_purge`. */
  async purgeExpired(tenantId: string, before: Date): Promise<number> {
    return this.owner.transaction(async (m) => {
      await m.query(`SET LOCAL ROLE attest_purge`);
      try {
        const [row] = await m.query<[{ purged: string }]>(`SELECT processing.purge_expired($1, $2) AS purged`, [tenantId, before]);
        return Number(row.purged);
      } catch (error) {
        const hint = (error as { hint?: unknown }).hint;
        if (typeof hint === 'string' && hint.startsWith('RECORD.')) throw new DomainError(hint, (error as Error).message, 'conflict');
        throw error;
      }
    });
  }
}
