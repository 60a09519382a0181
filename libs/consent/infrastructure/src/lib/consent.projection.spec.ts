import type { DataSource } from 'typeorm';
import type { ConsentEvent } from '@attest/consent-domain';
import { createDataSource, platformMigrations } from '@attest/database';
import type { GlobalPosition, RecordedEvent } from '@attest/event-store';
import { uuidv7 } from '@attest/kernel';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { consentProjection } from './consent.projection';
import { consentMigrations } from './migrations';

describe('consent projection (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase('consent_projection', { migrations: [...platformMigrations, ...consentMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const recorded = (type: string, data: object): RecordedEvent => {
    seq += 1;
    return {
      id: uuidv7(),
      type,
      data: data as RecordedEvent['data'],
      metadata: {
        tenantId: 'acme',
        actor: 'a',
        correlationId: 'c',
        causationId: 'c',
        commandId: 'c',
        occurredAt: new Date(Date.UTC(2026, 10, 22, 0, seq)).toISOString(),
      },
      streamId: 's',
      streamPosition: seq,
      globalPosition: String(seq).padStart(12, '0') as GlobalPosition,
      recordedAt: new Date(),
    };
  };

  const snapshot = async (): Promise<unknown[]> => [
    await ds.query<unknown[]>('SELECT purpose_key, version, consent_from_version, retired FROM consent.purposes_v1 ORDER BY purpose_key'),
    await ds.query<unknown[]>('SELECT customer_id, consent_key, status, purpose_version FROM consent.consents_v1 ORDER BY consent_key'),
    await ds.query<unknown[]>('SELECT receipt_id FROM consent.receipts_v1 ORDER BY receipt_id'),
    await ds.query<unknown[]>('SELECT customer_id, under14, restricted FROM consent.subjects_v1'),
    await ds.query<unknown[]>('SELECT tenant_id, status FROM consent.tenants_v1'),
  ];

  it('N2: every event delivered twice changes nothing; a rebuild gives the same read model', async () => {
    const customerId = uuidv7();
    const accountId = uuidv7();
    const terms = {
      name: 'n',
      description: 'd',
      legalBasis: 'consent',
      method: 'm',
      dataCategories: ['contact'],
      channels: ['email'],
      retentionDays: 30,
      noticeVersion: 'n-1',
    };
    const evidence = { noticeVersion: 'n-1', method: 'checkbox', source: 's', collector: 'c', collectedAt: '2026-11-01T00:00:00.000Z' };
    const granted: ConsentEvent = {
      type: 'ConsentGranted.v2',
      data: {
        tenantId: 'acme',
        customerId,
        consentId: uuidv7(),
        receiptId: uuidv7(),
        purposeKey: 'news',
        purposeVersion: 1,
        channel: 'email',
        scope: 'general',
        thirdParty: null,
        crossBorder: null,
        evidence,
        guardianName: null,
        guardianRelationship: null,
      },
    };
    const events = [
      recorded('EnterpriseRegistered.v1', { accountId, tenantId: 'acme' }),
      recorded('PurposeDefined.v1', { tenantId: 'acme', purposeKey: 'news', ...terms, version: 1, definedBy: 'u' }),
      recorded('CustomerCreated.v1', { customerId, tenantId: 'acme', under14: false }),
      recorded(granted.type, granted.data),
      recorded('ConsentWithdrawn.v1', {
        tenantId: 'acme',
        customerId,
        consentId: granted.data.consentId,
        receiptId: uuidv7(),
        purposeKey: 'news',
        channel: 'email',
        scope: 'general',
        method: 'm',
        source: 's',
      }),
      recorded('PurposeRevised.v1', {
        tenantId: 'acme',
        purposeKey: 'news',
        ...terms,
        description: 'new',
        version: 2,
        reconsentRequired: true,
        revisedBy: 'u',
      }),
      recorded('CustomerProcessingRestricted.v1', { customerId, tenantId: 'acme', reason: 'r', restrictedBy: 'u' }),
      recorded('AccountSuspended.v1', { accountId, tenantId: 'acme', reason: 'dispute', note: null, decidedBy: 'op' }),
    ];
    for (const e of events) await ds.transaction((m) => consentProjection.apply([e], m));
    const once = await snapshot();
    await ds.transaction((m) => consentProjection.apply(events, m));
    expect(await snapshot()).toEqual(once);
    expect(once).toEqual([
      [{ purpose_key: 'news', version: 2, consent_from_version: 2, retired: false }],
      [expect.objectContaining({ customer_id: customerId, status: 'withdrawn', purpose_version: 1 })],
      expect.arrayContaining([expect.anything(), expect.anything()]),
      [{ customer_id: customerId, under14: false, restricted: true }],
      [{ tenant_id: 'acme', status: 'suspended' }],
    ]);
    await ds.transaction((m) => consentProjection.reset(m));
    await ds.transaction((m) => consentProjection.apply(events, m));
    expect(await snapshot()).toEqual(once);
  });
});
