import { createDataSource, platformMigrations } from '@attest/database';
import { exportBundle, PostgresRecordLog, processingMigrations, testDraft } from '@attest/processing-infrastructure';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { generateSignerKey, parseSignerKey } from '@attest/transparency';
import { RecordDeletionEvidence, canonicalJson as serverCanonicalJson } from '@attest/requests-application';
import { verifyBundle } from './bundle';
import { canonicalJson, verifyCertificate, type CertificateVerificationInput } from './certificate';
import { verifyConsistencyBetween, verifyEntry } from './verify-entry';

/**
 * End to end against the server's real log (PostgresRecordLog): the answers
 * the API serializes (entry, inclusion and consistency proofs, checkpoints,
 * export bundles) verify in the browser code, and a changed one does not.
 */
const signer = parseSignerKey(generateSignerKey('attest.test/processing-record'));
const by = { actor: 'user:officer', subject: null, correlationId: 'corr-export' };

describe('browser verification of what the Postgres processing record serves', () => {
  let db: TestDatabase;
  let ds: ReturnType<typeof createDataSource>;
  let log: PostgresRecordLog;
  const tenantId = 't-console';

  beforeAll(async () => {
    db = await createTestDatabase('console_verify', { migrations: [...platformMigrations, ...processingMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    log = new PostgresRecordLog(ds, null, { origin: 'attest.test/processing-record', signer });
    await log.appendNow(Array.from({ length: 20 }, (_, i) => testDraft(tenantId, i)));
    await log.checkpoint(tenantId);
    await log.appendNow(Array.from({ length: 23 }, (_, i) => testDraft(tenantId, 20 + i)));
    await log.checkpoint(tenantId);
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  /** The entry as GET /v1/processing-record/entries/{index} answers it (record-service.ts). */
  async function apiEntry(index: number) {
    const e = await log.entry(tenantId, index);
    return { index: e.index, leafHash: e.leafHash.toString('base64'), body: e.body };
  }

  async function apiInclusion(index: number, size: number) {
    const p = await log.inclusionProof(tenantId, index, size);
    return { index: p.index, size: p.size, leafHash: p.leafHash.toString('base64'), proof: p.proof.map((h) => h.toString('base64')) };
  }

  it('verifies every entry against the latest signed checkpoint, with the key and origin of GET /v1/processing-record', async () => {
    const latest = await log.latestCheckpoint(tenantId);
    expect(latest?.size).toBe(43);
    for (let index = 0; index < 43; index++) {
      const result = await verifyEntry({
        entry: await apiEntry(index),
        proof: await apiInclusion(index, 43),
        checkpoint: latest?.note ?? '',
        verifierKey: log.verifierKey(),
        origin: log.originOf(tenantId),
        tenantId,
      });
      expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    }
    const changed = await apiEntry(7);
    const result = await verifyEntry({
      entry: { ...changed, body: (changed.body ?? '').replace('user:officer', 'user:intruder') },
      proof: await apiInclusion(7, 43),
      checkpoint: latest?.note ?? '',
      verifierKey: log.verifierKey(),
      origin: log.originOf(tenantId),
      tenantId,
    });
    expect(result.steps.filter((s) => !s.ok).map((s) => s.step)).toEqual(['leaf-hash', 'inclusion-proof']);
  });

  it('verifies the consistency of the two signed checkpoints, and refuses it for a proof of other sizes', async () => {
    const [older, newer] = await log.checkpoints(tenantId);
    const proof = await log.consistencyProof(tenantId, 20, 43);
    const api = { from: proof.from, to: proof.to, proof: proof.proof.map((h) => h.toString('base64')) };
    const result = await verifyConsistencyBetween(older?.note ?? '', newer?.note ?? '', api, log.verifierKey(), log.originOf(tenantId));
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    const wrong = await log.consistencyProof(tenantId, 21, 43);
    const refused = await verifyConsistencyBetween(
      older?.note ?? '',
      newer?.note ?? '',
      { from: 20, to: 43, proof: wrong.proof.map((h) => h.toString('base64')) },
      log.verifierKey(),
    );
    expect(refused.steps.filter((s) => !s.ok).map((s) => s.step)).toEqual(['consistency-proof']);
  });

  it('verifies the export bundles (complete and a selection) as written to the file, and refuses a changed one', async () => {
    const whole = JSON.stringify(await exportBundle(log, tenantId, null, new Date(), by));
    const complete = await verifyBundle(whole, log.verifierKey());
    expect(complete.steps.filter((s) => !s.ok)).toEqual([]);
    expect(complete.report).toEqual(expect.objectContaining({ ok: true, size: 43, checkpointsChecked: 2, problems: [] }));
    // (The export is recorded as processing after the bundle was cut; a new checkpoint signs it.)
    await log.checkpoint(tenantId);
    const selected = JSON.stringify(await exportBundle(log, tenantId, [3, 17, 39], new Date(), by));
    const selection = await verifyBundle(selected, log.verifierKey());
    expect(selection.steps.filter((s) => !s.ok)).toEqual([]);
    expect(selection.report).toEqual(expect.objectContaining({ ok: true, size: 3, checkpointsChecked: 3, problems: [] }));
    const tampered = await verifyBundle(whole.replace('"purpose\\":\\"newsletter', '"purpose\\":\\"marketing!'), log.verifierKey());
    expect(tampered.ok).toBe(false);
    expect(tampered.report?.problems).toContain('entry 0: its body does not match its stored leaf hash');
    expect(tampered.steps.filter((s) => !s.ok).map((s) => s.step)).toEqual(expect.arrayContaining(['leaf-hash', 'checkpoint-root']));
  });
  it('verifies a deletion certificate the server issued over this log, and names what was changed', async () => {
    const erasure = testDraft(tenantId, 90);
    await log.appendNow([{ ...erasure, kind: 'delete' }]);
    const evidence = new RecordDeletionEvidence(log);
    const signed = await evidence.certify({
      tenantId,
      requestId: 'req-1',
      customerId: 'cus-1',
      receivedAt: '2026-11-20T08:00:00.000Z',
      erasure: {
        eventId: erasure.sourceId,
        erasedAt: '2026-11-22T10:00:00.000Z',
        covered: ['profile', 'subject key'],
        retained: [{ category: 'bankAccount', reason: 'Tax law: 10 years — 税法', until: '2036-11-22' }],
      },
      now: new Date('2026-11-22T10:00:01.000Z'),
    });
    // As the API serializes it and the page receives it.
    const certificate = JSON.parse(JSON.stringify(signed.certificate)) as typeof signed.certificate;
    const published = log.verifierKey();
    const failed = async <C extends typeof certificate>(input: CertificateVerificationInput<C>) =>
      (await verifyCertificate(input)).steps.filter((s) => !s.ok).map((s) => s.step);

    const good = await verifyCertificate({ certificate, signedNote: signed.signedNote, publishedKey: published });
    expect(good.steps.filter((s) => !s.ok)).toEqual([]);
    expect(good.steps.map((s) => s.step)).toEqual([
      'verifier-key',
      'published-key',
      'certificate-signature',
      'checkpoint-signature',
      'checkpoint-body',
      'checkpoint-origin',
      'proof-size',
      'inclusion-proof',
    ]);
    expect(await failed({ certificate, signedNote: signed.signedNote, publishedKey: null })).toEqual([]);

    const retained = [{ category: 'bankAccount', reason: 'Tax law: 1 year', until: '2027-11-22' }];
    expect(await failed({ certificate: { ...certificate, retained }, signedNote: signed.signedNote, publishedKey: published })).toEqual([
      'certificate-signature',
    ]);
    const other = parseSignerKey(generateSignerKey('attest.test/processing-record')).verifier.text;
    expect(await failed({ certificate, signedNote: signed.signedNote, publishedKey: other })).toEqual(['published-key']);
    const moved = { ...certificate.processingRecord, index: certificate.processingRecord.index - 1 };
    expect(await failed({ certificate: { ...certificate, processingRecord: moved }, signedNote: signed.signedNote, publishedKey: published })).toEqual([
      'certificate-signature',
      'inclusion-proof',
    ]);
  });

  it('writes canonical JSON exactly as the server does', () => {
    const values: unknown[] = [
      { b: 1, a: [true, null, 'x'], c: { z: '张伟', y: 1.5, x: -0 } },
      [],
      { '': 'empty key', é: 'e\u0301', n: 1e21, s: 'line\nbreak "quoted"' },
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(serverCanonicalJson(value));
  });
});
