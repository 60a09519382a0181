import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { uuidv7 } from '@attest/kernel';
import { PostgresRecordLog, processingMigrations, testDraft } from '@attest/processing-infrastructure';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { generateSignerKey, openCheckpoint, openNote, parseSignerKey, parseVerifierKey, verifyInclusion } from '@attest/transparency';
import { RecordDeletionEvidence } from '@attest/requests-application';

const signer = parseSignerKey(generateSignerKey('attest.test/deletion-evidence'));

describe('deletion certificates from the processing record (D4), across a change in the number of digits of the log', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let log: PostgresRecordLog;

  beforeAll(async () => {
    db = await createTestDatabase('deletion_evidence', { migrations: [...platformMigrations, ...processingMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    log = new PostgresRecordLog(ds, null, { origin: 'attest.test/deletion-evidence', signer });
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  // A checkpoint at 9 then 13 (the case that failed with "index 14 is not below size 9"), and at 99 then 103.
  it.each([9, 99])('certifies a deletion recorded after a checkpoint at %i and another past the next power of ten', async (before) => {
    const tenantId = `t-cert-${String(before)}`;
    await log.appendNow(Array.from({ length: before }, (_, i) => testDraft(tenantId, i)));
    await log.checkpoint(tenantId);
    await log.appendNow(Array.from({ length: 4 }, (_, i) => testDraft(tenantId, before + i)));
    await log.checkpoint(tenantId);
    const erasureEventId = uuidv7();
    await log.appendNow([{ ...testDraft(tenantId, before + 4), sourceId: erasureEventId, kind: 'delete', eventId: erasureEventId }]);

    const { certificate, signedNote } = await new RecordDeletionEvidence(log).certify({
      tenantId,
      requestId: uuidv7(),
      customerId: uuidv7(),
      receivedAt: '2026-11-23T10:00:00.000Z',
      erasure: { eventId: erasureEventId, erasedAt: '2026-11-23T10:05:00.000Z', covered: ['profile', 'subject-key'], retained: [] },
      now: new Date('2026-11-23T10:06:00.000Z'),
    });

    const verifier = parseVerifierKey(certificate.verifierKey);
    expect(JSON.parse(openNote(signedNote, [verifier]).text)).toEqual(certificate);
    const checkpoint = openCheckpoint(certificate.processingRecord.checkpoint, [verifier]);
    expect({ index: certificate.processingRecord.index, size: checkpoint.size }).toEqual({ index: before + 4, size: before + 5 });
    expect(() => {
      verifyInclusion(
        certificate.processingRecord.index,
        checkpoint.size,
        Buffer.from(certificate.processingRecord.leafHash, 'base64'),
        certificate.processingRecord.inclusionProof.map((p) => Buffer.from(p, 'base64')),
        checkpoint.root,
      );
    }).not.toThrow();
  });
});
