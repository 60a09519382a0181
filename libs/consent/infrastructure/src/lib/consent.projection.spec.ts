import type { DataSource } from 'typeorm';
import type { ConsentEvent } from '@attest/consent-domain';
import { createDataSource, platformMigrations } from '@attest/database';
import type { GlobalPosition, RecordedEvent } from '@attest/event-store';
import { uuidv7 } from '@attest/kernel';
import { createTestDatabase, seededRandom, type TestDatabase } from '@attest/testing';
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

  it('holds each subject of a batch locked until it commits, a subject with no row yet too', async () => {
    const customerId = uuidv7();
    const held = async (): Promise<boolean> => {
      const [row] = await ds.query<{ got: boolean }[]>(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS got`, [`consent-subject:${customerId}`]);
      return !row?.got;
    };
    let during: boolean | null = null;
    await ds.transaction(async (m) => {
      await consentProjection.apply([recorded('CustomerProcessingRestricted.v1', { customerId, tenantId: 'acme', reason: 'r' })], m);
      during = await held();
    });
    expect(during).toBe(true);
    expect(await held()).toBe(false);
  });

  /** Every column of every table, so that two ways of applying can be compared row for row. */
  const everything = async (): Promise<unknown[]> => [
    await ds.query<unknown[]>('SELECT * FROM consent.purposes_v1 ORDER BY tenant_id, purpose_key'),
    await ds.query<unknown[]>('SELECT * FROM consent.consents_v1 ORDER BY customer_id, consent_key'),
    await ds.query<unknown[]>('SELECT * FROM consent.receipts_v1 ORDER BY receipt_id'),
    await ds.query<unknown[]>('SELECT * FROM consent.subjects_v1 ORDER BY customer_id'),
    await ds.query<unknown[]>('SELECT * FROM consent.tenants_v1 ORDER BY tenant_id'),
  ];

  /** Random histories of three subjects: grants, re-grants, withdrawals, restrictions, updates, at most one erasure each (nothing after it). */
  function history(next: () => number, length: number, erasures: boolean): RecordedEvent[] {
    const customers = [uuidv7(), uuidv7(), uuidv7()];
    const erased = new Set<string>();
    const current = new Map<string, string>(); // customer + key → consent id of the current grant
    const out: RecordedEvent[] = [recorded('EnterpriseRegistered.v1', { accountId: uuidv7(), tenantId: 'acme' })];
    for (const customerId of customers) out.push(recorded('CustomerCreated.v1', { customerId, tenantId: 'acme', under14: false }));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const late = uuidv7();
    let lateRegistered = false;
    while (out.length < length && erased.size < customers.length) {
      const customerId = pick(customers);
      // Now and then an event after the subject's erasure: a log the deciders do not write, applied all the same.
      if (erased.has(customerId) && next() < 0.9) continue;
      const purposeKey = pick(['news', 'offers']);
      const channel = pick(['email', 'sms']);
      const key = `${customerId}/${purposeKey}/${channel}`;
      const r = next();
      const common = { tenantId: 'acme', customerId, receiptId: uuidv7(), purposeKey, channel, scope: 'general' };
      if (r < 0.4) {
        const consentId = uuidv7();
        current.set(key, consentId);
        out.push(
          recorded('ConsentGranted.v2', {
            ...common,
            consentId,
            purposeVersion: 1,
            thirdParty: null,
            crossBorder: null,
            guardianName: null,
            guardianRelationship: null,
            evidence: { noticeVersion: 'n-1', method: 'checkbox', source: 's', collector: 'c', collectedAt: '2026-11-01T00:00:00.000Z' },
          }),
        );
      } else if (r < 0.65) {
        const consentId = current.get(key);
        if (consentId) out.push(recorded('ConsentWithdrawn.v1', { ...common, consentId, method: 'm', source: 's' }));
      } else if (r < 0.75) {
        out.push(recorded(pick(['CustomerProcessingRestricted.v1', 'CustomerRestrictionLifted.v1']), { customerId, tenantId: 'acme', reason: 'r' }));
      } else if (r < 0.88) {
        out.push(recorded('CustomerUpdated.v1', { customerId, tenantId: 'acme', under14: next() < 0.5 }));
      } else if (r < 0.92 && erasures) {
        out.push(recorded('CustomerErased.v1', { customerId, tenantId: 'acme', requestId: null }));
        erased.add(customerId);
      } else if (!lateRegistered && next() < 0.1) {
        // A second tenant registers midway: its account's status changes before that find no row.
        out.push(recorded('EnterpriseRegistered.v1', { accountId: late, tenantId: 'beta' }));
        lateRegistered = true;
      } else {
        const accountId = pick([out[0]!.data['accountId'], late]);
        out.push(recorded(pick(['AccountSuspended.v1', 'AccountReactivated.v1', 'AccountRevoked.v1']), { accountId, tenantId: 'acme' }));
      }
    }
    return out;
  }

  it('a batch of any size leaves the read models as applying its events one at a time does, redeliveries included', async () => {
    const kept: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
      const next = seededRandom(seed);
      // Odd seeds erase; even ones do not, so a redelivery must change nothing at all there.
      const erasures = seed % 2 === 1;
      const events = history(next, 120, erasures);
      // Delivered: the history, then a redelivered stretch of it (as after a retried batch).
      const from = Math.floor(next() * events.length);
      const redelivered = events.slice(from, from + 1 + Math.floor(next() * 40));
      const delivered = [...events, ...redelivered];
      await ds.transaction((m) => consentProjection.reset(m));
      for (const e of events) await ds.transaction((m) => consentProjection.apply([e], m));
      const once = erasures ? null : await everything();
      for (const e of redelivered) await ds.transaction((m) => consentProjection.apply([e], m));
      const oneByOne = await everything();
      if (once) expect({ seed, tables: oneByOne }).toEqual({ seed, tables: once });
      await ds.transaction((m) => consentProjection.reset(m));
      for (let i = 0; i < delivered.length;) {
        const size = 1 + Math.floor(next() * 60);
        const batch = delivered.slice(i, i + size);
        await ds.transaction((m) => consentProjection.apply(batch, m));
        i += size;
      }
      expect({ seed, tables: await everything() }).toEqual({ seed, tables: oneByOne });
      kept.push((oneByOne[1] as unknown[]).length);
    }
    // Not vacuous: most histories leave consents behind (a seed may erase every subject).
    expect(kept.filter((n) => n > 0).length).toBeGreaterThan(8);
  });
});
