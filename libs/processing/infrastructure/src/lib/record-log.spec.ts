import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { DomainError, uuidv7 } from '@attest/kernel';
import { verifyBundle } from '@attest/processing-application';
import type { RecordDraft } from '@attest/processing-domain';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { generateSignerKey, openCheckpoint, parseSignerKey, verifyConsistency, verifyInclusion } from '@attest/transparency';
import { processingMigrations } from './migrations';
import { PostgresRecordLog, RECORD_MERGE_LOCK, SEEN_SOURCES_SQL } from './record-log';
import { testDraft } from './test-drafts';
import { exportBundle, verifyTenantLog } from './verify-database';

const signer = parseSignerKey(generateSignerKey('attest.test/processing-record'));
const by = { actor: 'user:officer', subject: null, correlationId: 'corr-export' };

const draft = testDraft;

/** A database of its own with the processing record's schema, and a log on it. */
async function openRecordLog(name: string): Promise<{ db: TestDatabase; ds: DataSource; log: PostgresRecordLog }> {
  const db = await createTestDatabase(name, { migrations: [...platformMigrations, ...processingMigrations] });
  const ds = createDataSource({ url: db.url, migrations: [] });
  await ds.initialize();
  return { db, ds, log: new PostgresRecordLog(ds, null, { origin: 'attest.test/processing-record', signer }) };
}

describe('the processing record in Postgres (P2: append-only, tamper-evident)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let log: PostgresRecordLog;
  let tenants = 0;

  beforeAll(async () => {
    ({ db, ds, log } = await openRecordLog('processing_record'));
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  /** Stages drafts as one row, behind the log's back (no background merge is started). */
  async function stageRaw(tenantId: string, drafts: readonly RecordDraft[]): Promise<void> {
    await ds.query(`INSERT INTO processing.pending (tenant_id, n, drafts) VALUES ($1, $2, $3)`, [tenantId, drafts.length, JSON.stringify(drafts)]);
  }

  /** A tenant with 40 records, a checkpoint at 20 the auditor kept, and one at 40. */
  async function fresh(): Promise<{ tenantId: string; kept: string }> {
    tenants += 1;
    const tenantId = `t-${String(tenants)}`;
    await log.appendNow(Array.from({ length: 20 }, (_, i) => draft(tenantId, i)));
    const kept = (await log.checkpoint(tenantId))?.note ?? '';
    await log.appendNow(Array.from({ length: 20 }, (_, i) => draft(tenantId, 20 + i)));
    await log.checkpoint(tenantId);
    return { tenantId, kept };
  }

  /** What a database administrator (superuser) can do: switch the guard off, change rows, switch it on. */
  async function asDba(sql: string, params: unknown[] = []): Promise<void> {
    await ds.transaction(async (m) => {
      await m.query(`ALTER TABLE processing.records DISABLE TRIGGER records_append_only`);
      await m.query(`ALTER TABLE processing.checkpoints DISABLE TRIGGER checkpoints_append_only`);
      await m.query(sql, params);
      await m.query(`ALTER TABLE processing.records ENABLE ALWAYS TRIGGER records_append_only`);
      await m.query(`ALTER TABLE processing.checkpoints ENABLE ALWAYS TRIGGER checkpoints_append_only`);
    });
  }

  const problems = async (tenantId: string, kept?: string): Promise<string> => {
    const report = await verifyTenantLog(log, tenantId, kept ? { trusted: [kept] } : {});
    expect(report.ok).toBe(false);
    return report.problems.join('\n');
  };

  it('keeps indices contiguous under concurrent appends; proofs from the stored subtrees verify against the signed checkpoint', async () => {
    const tenantId = 't-concurrent';
    const results = await Promise.all(Array.from({ length: 10 }, (_, w) => log.appendNow(Array.from({ length: 5 }, (_, i) => draft(tenantId, w * 5 + i)))));
    expect(
      results
        .flat()
        .map((r) => r.index)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const early = await log.checkpoint(tenantId);
    await log.appendNow([draft(tenantId, 50), draft(tenantId, 51), draft(tenantId, 52)]);
    const latest = await log.checkpoint(tenantId);
    if (!early || !latest) throw new Error('no checkpoint');
    const c = openCheckpoint(latest.note, [signer.verifier]);
    expect(c).toMatchObject({ origin: 'attest.test/processing-record/t-concurrent', size: 53 });
    for (const index of [0, 17, 49, 52]) {
      const p = await log.inclusionProof(tenantId, index, 53);
      expect(() => {
        verifyInclusion(index, 53, p.leafHash, p.proof, c.root);
      }).not.toThrow();
    }
    const consistency = await log.consistencyProof(tenantId, 50, 53);
    expect(() => {
      verifyConsistency(50, 53, consistency.proof, early.root, c.root);
    }).not.toThrow();
    expect(await verifyTenantLog(log, tenantId)).toMatchObject({ ok: true, size: 53, checkpointsChecked: 2, problems: [] });
  });

  it('stores only the subtrees above the leaves; copies of leaves kept by older logs are not read', async () => {
    const tenantId = 't-leaves';
    await log.appendNow(Array.from({ length: 21 }, (_, i) => draft(tenantId, i)));
    const count = async (): Promise<{ leaves: number; inner: number }> => {
      const [row] = await ds.query<[{ leaves: number; inner: number }]>(
        `SELECT count(*) FILTER (WHERE level = 0)::int AS leaves, count(*) FILTER (WHERE level > 0)::int AS inner FROM processing.nodes WHERE tenant_id = $1`,
        [tenantId],
      );
      return row;
    };
    // 21 leaves complete 21 - popcount(21) = 18 subtrees above them.
    expect(await count()).toEqual({ leaves: 0, inner: 18 });
    // A log appended before 2026-12-06 also held its leaves as nodes; here two copies are wrong (one of them the
    // right edge's last leaf), and nothing may use them.
    await ds.query(
      `INSERT INTO processing.nodes (tenant_id, level, idx, hash)
       SELECT tenant_id, 0, idx, CASE WHEN idx IN (5, 20) THEN sha256('not the leaf') ELSE leaf_hash END FROM processing.records WHERE tenant_id = $1`,
      [tenantId],
    );
    // The right edge of 21 leaves ends in leaf 20: the next append extends the tree from the record's own hash.
    await log.appendNow(Array.from({ length: 6 }, (_, i) => draft(tenantId, 21 + i)));
    expect(await count()).toEqual({ leaves: 21, inner: 27 - 4 });
    const latest = await log.checkpoint(tenantId);
    if (!latest) throw new Error('no checkpoint');
    for (const index of [4, 5, 20, 26]) {
      const p = await log.inclusionProof(tenantId, index, 27);
      expect(() => {
        verifyInclusion(index, 27, p.leafHash, p.proof, latest.root);
      }).not.toThrow();
    }
    expect(await verifyTenantLog(log, tenantId)).toMatchObject({ ok: true, size: 27, problems: [] });
    // A query shows each record with its stored leaf hash in base64 and its position in the log.
    const page = await log.query(tenantId, { order: 'oldest' }, 27, null);
    expect(page.records.map((r) => r.index)).toEqual(Array.from({ length: 27 }, (_, i) => i));
    for (const r of page.records) expect(r.leafHash).toBe((await log.entry(tenantId, r.index)).leafHash.toString('base64'));
  });

  describe('across a change in the number of digits (sizes, indices and checkpoints are numbers, never text)', () => {
    it.each([
      [9, 10],
      [99, 100],
    ])('a checkpoint at %i and one at %i: the latest is the larger; proofs and verification hold across it', async (before, after) => {
      const tenantId = `t-digits-${String(before)}`;
      await log.appendNow(Array.from({ length: before }, (_, i) => draft(tenantId, i)));
      const early = await log.checkpoint(tenantId);
      await log.appendNow(Array.from({ length: after - before + 3 }, (_, i) => draft(tenantId, before + i)));
      const latest = await log.checkpoint(tenantId);
      if (!early || !latest) throw new Error('no checkpoint');
      expect([early.size, latest.size]).toEqual([before, after + 3]);
      expect((await log.latestCheckpoint(tenantId))?.size).toBe(after + 3);
      // Signing again is a no-op that answers the latest, not the one that sorts first as text.
      expect((await log.checkpoint(tenantId))?.size).toBe(after + 3);
      expect(await log.tenantsBehind()).not.toContain(tenantId);
      for (const index of [0, before - 1, before, after, after + 2]) {
        const p = await log.inclusionProof(tenantId, index, after + 3);
        expect(() => {
          verifyInclusion(index, after + 3, p.leafHash, p.proof, latest.root);
        }).not.toThrow();
      }
      const consistency = await log.consistencyProof(tenantId, before, after + 3);
      expect(() => {
        verifyConsistency(before, after + 3, consistency.proof, early.root, latest.root);
      }).not.toThrow();
      expect((await log.checkpoints(tenantId)).map((c) => c.size)).toEqual([before, after + 3]);
      expect(await verifyTenantLog(log, tenantId, { trusted: [early.note] })).toMatchObject({
        ok: true,
        size: after + 3,
        checkpointsChecked: 3,
        uncovered: 0,
        latestCheckpoint: { size: after + 3 },
      });
    });

    it('checkpoints at 999,999 and 1,000,000: the latest is the larger, and the log counts as covered', async () => {
      // A million entries take a minute to merge: the checkpoint rows (and the log's size) are
      // written directly, which is all that latestCheckpoint and tenantsBehind read.
      const tenantId = 't-digits-million';
      await ds.query(`INSERT INTO processing.logs (tenant_id, size) VALUES ($1, 1000000)`, [tenantId]);
      for (const size of [999_999, 1_000_000]) {
        await ds.query(`INSERT INTO processing.checkpoints (tenant_id, size, root, note) VALUES ($1, $2, $3, $4)`, [
          tenantId,
          size,
          Buffer.alloc(32),
          `note ${String(size)}`,
        ]);
      }
      expect((await log.latestCheckpoint(tenantId))?.size).toBe(1_000_000);
      expect(await log.tenantsBehind()).not.toContain(tenantId);
      expect(await log.size(tenantId)).toBe(1_000_000);
    });
  });

  it('signs one checkpoint per size when several callers sign at once (the first-checkpoint signer and an officer)', async () => {
    const tenantId = 't-concurrent-signers';
    for (const n of [3, 2]) {
      const size = await log.size(tenantId);
      await log.appendNow(Array.from({ length: n }, (_, i) => draft(tenantId, size + i)));
      const signed = await Promise.all(Array.from({ length: 6 }, () => log.checkpoint(tenantId)));
      expect(new Set(signed.map((c) => c?.note)).size).toBe(1);
    }
    expect((await log.checkpoints(tenantId)).map((c) => c.size)).toEqual([3, 5]);
  });

  it('a new log is pending, not failed, until its first checkpoint; with signFirstCheckpoint that is signed as soon as it grows', async () => {
    const unsigned = 't-first-unsigned';
    await log.appendNow([draft(unsigned, 0), draft(unsigned, 1)]);
    await log.settle();
    expect(await log.latestCheckpoint(unsigned)).toBeNull();
    expect(await verifyTenantLog(log, unsigned)).toMatchObject({ ok: true, size: 2, uncovered: 2, latestCheckpoint: null, problems: [] });
    // An hour later with still no checkpoint, it is not pending any more: checkpoints were removed, or signing fails.
    const later = new Date(Date.now() + 3_600_001 + 60_000);
    const stale = await verifyTenantLog(log, unsigned, { now: later });
    expect(stale).toMatchObject({ ok: false });
    expect(stale.problems.join('\n')).toMatch(/no signed checkpoint: checkpoints were removed, or signing has been failing/u);

    const eager = new PostgresRecordLog(ds, null, { origin: 'attest.test/processing-record', signer, signFirstCheckpoint: true });
    const tenantId = 't-first-signed';
    await eager.appendNow([draft(tenantId, 0), draft(tenantId, 1), draft(tenantId, 2)]);
    await eager.settle();
    expect((await eager.latestCheckpoint(tenantId))?.size).toBe(3);
    expect(await verifyTenantLog(eager, tenantId)).toMatchObject({ ok: true, size: 3, uncovered: 0, checkpointsChecked: 1 });
    // Only the first growth signs at once; later growth waits for the schedule.
    await eager.appendNow([draft(tenantId, 3)]);
    await eager.settle();
    expect((await eager.latestCheckpoint(tenantId))?.size).toBe(3);
    // A rolled-back first append leaves nothing to sign, and the tries end.
    await expect(
      ds.transaction(async (m) => {
        await eager.append(m, [draft('t-first-rolled-back', 0)]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await eager.settle();
    expect(await eager.latestCheckpoint('t-first-rolled-back')).toBeNull();
  }, 30_000);

  it('the app role may only insert and select: no update, delete, truncate or trigger switch', async () => {
    const { tenantId } = await fresh();
    for (const sql of [
      `UPDATE processing.records SET kind = 'use' WHERE tenant_id = '${tenantId}'`,
      `DELETE FROM processing.records WHERE tenant_id = '${tenantId}'`,
      `TRUNCATE processing.records`,
      `ALTER TABLE processing.records DISABLE TRIGGER records_append_only`,
      `UPDATE processing.checkpoints SET note = '' WHERE tenant_id = '${tenantId}'`,
      `SELECT processing.purge_expired('${tenantId}', now() - interval '10 years')`,
    ]) {
      await expect(
        ds.transaction(async (m) => {
          await m.query(`SET LOCAL ROLE attest_app`);
          await m.query(`SELECT set_config('attest.tenant_id', $1, true)`, [tenantId]);
          await m.query(sql);
        }),
      ).rejects.toThrow(/permission denied|must be owner|append-only/);
    }
  });

  it('stages records durably and merges them into the log once: unmerged staged records cannot be removed or changed, not even by the owner', async () => {
    tenants += 1;
    const tenantId = `t-${String(tenants)}`;
    // Another process's log object: what one stages, any merger merges (a restart loses nothing).
    const other = new PostgresRecordLog(ds, null, { origin: 'attest.test/processing-record', signer });
    const drafts = Array.from({ length: 30 }, (_, i) => draft(tenantId, i));
    await stageRaw(tenantId, drafts.slice(0, 1));
    await expect(ds.query(`DELETE FROM processing.pending WHERE tenant_id = $1`, [tenantId])).rejects.toThrow(/only by being merged/);
    await expect(ds.query(`UPDATE processing.pending SET drafts = '[]' WHERE tenant_id = $1`, [tenantId])).rejects.toThrow(/only by being merged/);
    await expect(ds.query(`TRUNCATE processing.pending`)).rejects.toThrow(/append-only/);
    await expect(
      ds.transaction(async (m) => {
        await m.query(`SET LOCAL ROLE attest_app`);
        await m.query(`SELECT count(*) FROM processing.pending`);
      }),
    ).rejects.toThrow(/permission denied/);

    await log.stage(drafts.slice(1));
    // Two mergers at once, and the one started in the background: each record lands once.
    await Promise.all([log.drain(), other.mergePending(tenantId), other.mergePending()]);
    expect(await log.pendingCount(tenantId)).toBe(0);
    expect(await log.size(tenantId)).toBe(30);
    const sources = (await ds.query<{ source_id: string }[]>(`SELECT source_id FROM processing.records WHERE tenant_id = $1 ORDER BY idx`, [tenantId])).map(
      (r) => r.source_id,
    );
    expect(new Set(sources)).toEqual(new Set(drafts.map((d) => d.sourceId)));

    // A checkpoint covers everything staged before it.
    await other.stage([draft(tenantId, 30)]);
    await other.settle();
    await log.stage([draft(tenantId, 31)]);
    expect((await log.checkpoint(tenantId))?.size).toBe(32);
    expect(await verifyTenantLog(log, tenantId)).toMatchObject({ ok: true, size: 32, uncovered: 0, pending: 0 });
  });

  it('keeps a stage call as one row per tenant; a row leaves only once every draft in it is in the log', async () => {
    tenants += 2;
    const [a, b] = [`t-${String(tenants - 1)}`, `t-${String(tenants)}`];
    const drafts = [draft(a, 0), draft(b, 0), draft(a, 1), draft(a, 2), draft(b, 1)];
    const runner = ds.createQueryRunner();
    try {
      // Hold the merge lock: the stage's background merge must leave the rows for this test to look at.
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [RECORD_MERGE_LOCK]);
      await log.stage(drafts);
      const rows = await ds.query<{ tenant_id: string; n: number; sources: string[] }[]>(
        `SELECT tenant_id, n, ARRAY(SELECT d->>'sourceId' FROM json_array_elements(drafts) d) AS sources FROM processing.pending WHERE tenant_id IN ($1, $2) ORDER BY seq`,
        [a, b],
      );
      expect(rows).toEqual([
        { tenant_id: a, n: 3, sources: [drafts[0], drafts[2], drafts[3]].map((d) => d?.sourceId) },
        { tenant_id: b, n: 2, sources: [drafts[1], drafts[4]].map((d) => d?.sourceId) },
      ]);
      expect(await log.pendingCount(a)).toBe(3);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    await log.settle();
    expect(await log.pendingCount(a)).toBe(0);
    expect([await log.size(a), await log.size(b)]).toEqual([3, 2]);

    // Two of three drafts of a row in the log: the row may not go yet. The merge appends the third only.
    const more = [draft(a, 3), draft(a, 4), draft(a, 5)];
    await stageRaw(a, more);
    await log.appendNow(more.slice(0, 2));
    await expect(ds.query(`DELETE FROM processing.pending WHERE tenant_id = $1`, [a])).rejects.toThrow(/only by being merged/);
    expect(await log.mergePending(a, { wait: true })).toBe(3);
    expect(await log.size(a)).toBe(6);
    const sources = (await ds.query<{ source_id: string }[]>(`SELECT source_id FROM processing.records WHERE tenant_id = $1 ORDER BY idx`, [a])).map(
      (r) => r.source_id,
    );
    expect(sources.slice(3)).toEqual(more.map((d) => d.sourceId));
    // A row's count is its array's length; an empty row is refused.
    await expect(ds.query(`INSERT INTO processing.pending (tenant_id, n, drafts) VALUES ($1, 2, $2)`, [a, JSON.stringify([draft(a, 6)])])).rejects.toThrow(
      /pending_n/,
    );
    await expect(ds.query(`INSERT INTO processing.pending (tenant_id, n, drafts) VALUES ($1, 0, '[]')`, [a])).rejects.toThrow(/pending_n/);
  });

  it('merges staged records in the order they were staged, across a change in the number of digits of their sequence', async () => {
    tenants += 1;
    const tenantId = `t-${String(tenants)}`;
    // Sequence values 10^k - 6 … 10^k + 5: ordered as text, "100…" would come before "99…".
    const [{ last }] = await ds.query<[{ last: string }]>(`SELECT last_value::text AS last FROM processing.pending_seq_seq`);
    await ds.query(`SELECT setval('processing.pending_seq_seq', $1)`, [10 ** (last.length + 1) - 6]);
    const drafts = Array.from({ length: 12 }, (_, i) => draft(tenantId, i));
    for (const d of drafts) await stageRaw(tenantId, [d]);
    // (A background merge left by an earlier test may take some of them: it merges in the same order.)
    await log.mergePending(tenantId, { wait: true });
    expect(await log.size(tenantId)).toBe(12);
    const sources = (await ds.query<{ source_id: string }[]>(`SELECT source_id FROM processing.records WHERE tenant_id = $1 ORDER BY idx`, [tenantId])).map(
      (r) => r.source_id,
    );
    expect(sources).toEqual(drafts.map((d) => d.sourceId));
  });

  it('a merger finding another one at work leaves the rows to it, and a background merge tries again until they are in', async () => {
    tenants += 1;
    const tenantId = `t-${String(tenants)}`;
    const other = new PostgresRecordLog(ds, null, { origin: 'attest.test/processing-record', signer });
    const drafts = Array.from({ length: 5 }, (_, i) => draft(tenantId, i));
    const runner = ds.createQueryRunner();
    try {
      // The lock first: background merges left by earlier tests must not take these rows either.
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [RECORD_MERGE_LOCK]);
      await stageRaw(tenantId, drafts.slice(0, 2));
      await stageRaw(tenantId, drafts.slice(2));
      expect(await other.mergePending(tenantId)).toBe(0);
      other.mergeSoon();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await other.pendingCount(tenantId)).toBe(5);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    await other.settle();
    await log.settle();
    expect(await other.pendingCount(tenantId)).toBe(0);
    expect(await other.size(tenantId)).toBe(5);
  });

  it('refuses changes even from the owner and under session_replication_role = replica (triggers enabled ALWAYS)', async () => {
    const { tenantId } = await fresh();
    await expect(
      ds.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE processing.records SET kind = 'use' WHERE tenant_id = $1`, [tenantId]);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM processing.nodes WHERE tenant_id = $1`, [tenantId])).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE processing.checkpoints`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`UPDATE processing.retention_policy SET years = 2`)).rejects.toThrow(/can only be raised|violates check/);
  });

  describe('attest verify detects what a superuser does directly in the database', () => {
    it('a changed field', async () => {
      const { tenantId } = await fresh();
      await asDba(`UPDATE processing.records SET body = replace(body, '"purpose":"newsletter"', '"purpose":"analytics"') WHERE tenant_id = $1 AND idx = 5`, [
        tenantId,
      ]);
      expect(await problems(tenantId)).toMatch(/entry 5: its body does not match its stored leaf hash/);
    });

    it('a changed record together with its stored leaf hash', async () => {
      const { tenantId } = await fresh();
      await asDba(
        `UPDATE processing.records SET body = replace(body, '"purpose":"newsletter"', '"purpose":"analytics"'),
                leaf_hash = sha256('\\x00'::bytea || convert_to(replace(body, '"purpose":"newsletter"', '"purpose":"analytics"'), 'UTF8'))
          WHERE tenant_id = $1 AND idx = 5`,
        [tenantId],
      );
      expect(await problems(tenantId)).toMatch(/does not match the recomputed tree/);
    });

    it('a row deleted in the middle', async () => {
      const { tenantId } = await fresh();
      await asDba(`DELETE FROM processing.records WHERE tenant_id = $1 AND idx = 7`, [tenantId]);
      expect(await problems(tenantId)).toMatch(/entries 7..7 are missing/);
    });

    it('a row inserted (the rest renumbered)', async () => {
      const { tenantId } = await fresh();
      await asDba(`UPDATE processing.records SET idx = idx + 1000000 WHERE tenant_id = $1 AND idx >= 10`, [tenantId]);
      await asDba(`UPDATE processing.records SET idx = idx - 999999 WHERE tenant_id = $1 AND idx >= 1000000`, [tenantId]);
      await asDba(
        `INSERT INTO processing.records (tenant_id, idx, leaf_hash, body, source_id, kind, at)
         SELECT tenant_id, 10, leaf_hash, body, 'forged', kind, at FROM processing.records WHERE tenant_id = $1 AND idx = 9`,
        [tenantId],
      );
      const found = await problems(tenantId);
      expect(found).toMatch(/entry 10: its body says index 9/);
      expect(found).toMatch(/does not match the recomputed tree/);
    });

    it('two rows swapped', async () => {
      const { tenantId } = await fresh();
      await asDba(`UPDATE processing.records SET idx = idx + 1000000 WHERE tenant_id = $1 AND idx IN (3, 4)`, [tenantId]);
      await asDba(`UPDATE processing.records SET idx = CASE idx WHEN 1000003 THEN 4 ELSE 3 END WHERE tenant_id = $1 AND idx IN (1000003, 1000004)`, [tenantId]);
      expect(await problems(tenantId)).toMatch(/entry 3: its body says index 4/);
    });

    it('the tail truncated', async () => {
      const { tenantId } = await fresh();
      await asDba(`DELETE FROM processing.records WHERE tenant_id = $1 AND idx >= 30`, [tenantId]);
      expect(await problems(tenantId)).toMatch(/covers 40 entries but the log has only 30/);
    });

    it('the whole tree rebuilt and re-signed with the real key: caught by the checkpoint the auditor kept', async () => {
      const { tenantId, kept } = await fresh();
      await asDba(`DELETE FROM processing.records WHERE tenant_id = $1`, [tenantId]);
      await asDba(`DELETE FROM processing.checkpoints WHERE tenant_id = $1`, [tenantId]);
      await ds.transaction(async (m) => {
        await m.query(`ALTER TABLE processing.nodes DISABLE TRIGGER nodes_append_only`);
        await m.query(`DELETE FROM processing.nodes WHERE tenant_id = $1`, [tenantId]);
        await m.query(`ALTER TABLE processing.nodes ENABLE ALWAYS TRIGGER nodes_append_only`);
        await m.query(`UPDATE processing.logs SET size = 0 WHERE tenant_id = $1`, [tenantId]);
      });
      await log.appendNow(Array.from({ length: 40 }, (_, i) => ({ ...draft(tenantId, i), purpose: i === 3 ? 'rewritten' : 'newsletter' })));
      await log.checkpoint(tenantId);
      // Internally consistent, freshly signed: only the auditor's earlier checkpoint tells.
      expect((await verifyTenantLog(log, tenantId)).ok).toBe(true);
      expect(await problems(tenantId, kept)).toMatch(/auditor's checkpoint #1 \(size 20\) does not match/);
    });

    it('two different checkpoints for the same size', async () => {
      const { tenantId } = await fresh();
      const [first] = await log.checkpoints(tenantId, 20);
      if (!first) throw new Error('no checkpoint');
      const { signNote, formatCheckpoint } = await import('@attest/transparency');
      const forged = signNote(formatCheckpoint({ origin: log.originOf(tenantId), size: 20, root: Buffer.alloc(32, 1) }), signer);
      await ds.query(`INSERT INTO processing.checkpoints (tenant_id, size, root, note) VALUES ($1, 20, $2, $3)`, [tenantId, Buffer.alloc(32, 1), forged]);
      expect(await problems(tenantId)).toMatch(/two different signed checkpoints for size 20/);
    });
  });

  it('verifies a log longer than one batch on checker threads, with the report one thread gives', async () => {
    const tenantId = 't-threads';
    for (let done = 0; done < 41_000; done += 5_000) {
      await log.appendNow(Array.from({ length: Math.min(5_000, 41_000 - done) }, (_, i) => draft(tenantId, done + i)));
      if (done === 25_000) await log.checkpoint(tenantId);
    }
    await log.checkpoint(tenantId);
    expect(await verifyTenantLog(log, tenantId, { workers: 1 })).toMatchObject({ ok: true, size: 41_000, checkpointsChecked: 2, problems: [] });
    // A changed field in the second batch, a body copied from the next entry in the third.
    await asDba(`UPDATE processing.records SET body = replace(body, '"purpose":"newsletter"', '"purpose":"analytics"') WHERE tenant_id = $1 AND idx = 25000`, [
      tenantId,
    ]);
    await asDba(
      `UPDATE processing.records SET body = (SELECT body FROM processing.records WHERE tenant_id = $1 AND idx = 40501) WHERE tenant_id = $1 AND idx = 40500`,
      [tenantId],
    );
    const threaded = await verifyTenantLog(log, tenantId, { workers: 2 });
    expect(threaded.problems).toEqual([
      'entry 25000: its body does not match its stored leaf hash',
      'entry 40500: its body does not match its stored leaf hash',
      'entry 40500: its body says index 40501 (moved or swapped)',
      'stored checkpoint #1 (size 30000) does not match the recomputed tree: entries were changed, added, removed or reordered',
      'stored checkpoint #2 (size 41000) does not match the recomputed tree: entries were changed, added, removed or reordered',
    ]);
    expect(threaded).toEqual(await verifyTenantLog(log, tenantId, { workers: 0 }));
  }, 120_000);

  it('purges expired bodies only through the purge procedure, never while a legal hold is active; proofs still verify', async () => {
    const { tenantId } = await fresh();
    await expect(log.purgeExpired(tenantId, new Date())).rejects.toMatchObject({ code: 'RECORD.RETENTION_NOT_EXPIRED' });
    // Make the first ten entries four years old (test setup, as a superuser).
    await asDba(`UPDATE processing.records SET recorded_at = now() - interval '4 years' WHERE tenant_id = $1 AND idx < 10`, [tenantId]);
    const cutoff = new Date(Date.now() - 3.5 * 365 * 86_400_000);
    await ds.query(
      `INSERT INTO processing.legal_holds (hold_id, tenant_id, reason, placed_by, placed_at) VALUES ($1, $2, 'litigation', 'user:officer', now())`,
      [uuidv7(), tenantId],
    );
    await expect(log.purgeExpired(tenantId, cutoff)).rejects.toBeInstanceOf(DomainError);
    await expect(log.purgeExpired(tenantId, cutoff)).rejects.toMatchObject({ code: 'RECORD.LEGAL_HOLD' });
    await ds.query(`UPDATE processing.legal_holds SET released_at = now(), released_by = 'user:officer' WHERE tenant_id = $1`, [tenantId]);
    // The purge role itself cannot bypass the procedure.
    await expect(
      ds.transaction(async (m) => {
        await m.query(`SET LOCAL ROLE attest_purge`);
        await m.query(`UPDATE processing.records SET body = NULL WHERE tenant_id = $1`, [tenantId]);
      }),
    ).rejects.toThrow(/permission denied/);
    expect(await log.purgeExpired(tenantId, cutoff)).toBe(10);
    const entry = await log.entry(tenantId, 3);
    expect(entry.body).toBeNull();
    expect(entry.leafHash).toHaveLength(32);
    expect(await verifyTenantLog(log, tenantId)).toMatchObject({ ok: true, size: 40, purged: 10 });
    const latest = await log.latestCheckpoint(tenantId);
    const p = await log.inclusionProof(tenantId, 3, 40);
    expect(() => {
      verifyInclusion(3, 40, p.leafHash, p.proof, latest?.root ?? Buffer.alloc(0));
    }).not.toThrow();
  });

  it('exports bundles that verify offline, whole or selected, and fail when changed', async () => {
    const { tenantId, kept } = await fresh();
    const whole = await exportBundle(log, tenantId, null, new Date(), by);
    expect(verifyBundle(whole, [signer.verifier], [kept])).toMatchObject({ ok: true, size: 40 });
    // The export is itself a processing record, appended after the bundle was cut.
    const recorded = await log.entry(tenantId, 40);
    expect(JSON.parse(recorded.body ?? '{}')).toMatchObject({
      kind: 'export',
      actor: 'user:officer',
      purpose: 'compliance-audit',
      method: 'processing-record-bundle:complete',
      correlationId: 'corr-export',
      subject: null,
    });
    expect(await verifyTenantLog(log, tenantId)).toMatchObject({ ok: true, size: 41, uncovered: 1 });
    const selected = await exportBundle(log, tenantId, [3, 17, 39], new Date(), by);
    expect(selected.entries.map((e) => e.index)).toEqual([3, 17, 39]);
    expect(verifyBundle(selected, [signer.verifier], [kept])).toMatchObject({ ok: true, problems: [] });
    const changed = { ...selected, entries: selected.entries.map((e, i) => (i === 1 ? { ...e, body: (e.body ?? '').replace('newsletter', 'analytics') } : e)) };
    expect(verifyBundle(changed, [signer.verifier]).problems.join('\n')).toMatch(/entry 17: its body does not match/);
    const other = parseSignerKey(generateSignerKey('attest.test/processing-record'));
    expect(verifyBundle(whole, [other.verifier]).ok).toBe(false);
  });
});

describe('skipping drafts already in the log', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let log: PostgresRecordLog;

  beforeAll(async () => {
    ({ db, ds, log } = await openRecordLog('processing_dedupe'));
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  /** Blocks read to find 300 unknown source ids in a tenant's log: a few index pages per id when the unique index is probed. */
  async function blocksToFind(tenantId: string): Promise<number> {
    const ids = Array.from({ length: 300 }, () => uuidv7());
    const rows = await ds.query<{ 'QUERY PLAN': { Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }[] }[]>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${SEEN_SOURCES_SQL}`,
      [tenantId, ids],
    );
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (!plan) throw new Error('no plan');
    return plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
  }

  it('probes the unique index on a log analysed while it was empty (a fresh deployment)', async () => {
    await ds.query('ANALYZE processing.records');
    await log.appendNow(Array.from({ length: 3000 }, (_, i) => draft('t-empty', i)));
    // Planned per call, `source_id = ANY(ids)` read the tenant's whole log for the batch (seen at 15,000 rows on bench:decisions).
    expect(await blocksToFind('t-empty')).toBeLessThan(300 * 5);
  });

  it('appends only the new drafts, and finds the known ones by the unique index whatever the statistics say (a tenant they do not know yet)', async () => {
    // Statistics that know one big tenant only (as after a bulk load), then a new tenant whose log grows.
    await log.appendNow(Array.from({ length: 3000 }, (_, i) => draft('t-known', i)));
    await ds.query('ANALYZE processing.records');
    const known = Array.from({ length: 3000 }, (_, i) => draft('t-dedupe', i));
    await log.appendNow(known);
    const fresh = [draft('t-dedupe', 3000), draft('t-dedupe', 3001)];
    const replayed = [known[10], known[2999]].filter((d): d is RecordDraft => d !== undefined);
    const appended = await ds.transaction((m) =>
      log.append(
        m,
        [fresh[0], ...replayed, fresh[1]].filter((d): d is RecordDraft => d !== undefined),
      ),
    );
    expect(appended.map((a) => a.sourceId)).toEqual(fresh.map((d) => d.sourceId));
    expect(appended.map((a) => a.index)).toEqual([3000, 3001]);
    expect(await log.size('t-dedupe')).toBe(3002);

    // Planned per call, a lateral probe per id read the new tenant's 3,000 rows once per id.
    expect(await blocksToFind('t-dedupe')).toBeLessThan(300 * 5);
  });
});
