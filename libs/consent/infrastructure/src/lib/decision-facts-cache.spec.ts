import type { DataSource } from 'typeorm';
import { consentDecider, consentStreamId, decide, purposesDecider, purposesStreamId, type ConsentCommand, type PurposeTerms } from '@attest/consent-domain';
import type { Consistency, DecisionFactsAnswer } from '@attest/consent-application';
import { createDataSource, platformMigrations } from '@attest/database';
import { ANY, handleWithDecider, type EventMetadata, type GlobalPosition } from '@attest/event-store';
import { eventStoreMigrations, PostgresEventStore } from '@attest/event-store-postgres';
import { DomainError, uuidv7 } from '@attest/kernel';
import { checkpoints, InlineProjector, projectionMigrations } from '@attest/projections';
import { createTestDatabase, seededRandom, type TestDatabase } from '@attest/testing';
import { consentProjection } from './consent.projection';
import { PostgresConsentReadModel } from './consent.read-model';
import { DecisionFactsCache } from './decision-facts-cache';
import { consentMigrations } from './migrations';

const terms = (notice: string): PurposeTerms => ({
  name: 'Newsletter',
  description: 'news',
  legalBasis: 'consent',
  method: 'bulk-email',
  dataCategories: ['contact'],
  channels: ['email', 'sms'],
  retentionDays: 365,
  noticeVersion: notice,
});

describe('decision facts in memory (ADR 0016, real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let store: PostgresEventStore;
  let reader: PostgresConsentReadModel;
  let projector: InlineProjector;

  beforeAll(async () => {
    db = await createTestDatabase('decision_facts_cache', {
      migrations: [...eventStoreMigrations, ...projectionMigrations, ...platformMigrations, ...consentMigrations],
    });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    // The key vault's erasure fence, which decision facts read (the vault's own schema, reduced to that table).
    await ds.query(`CREATE SCHEMA IF NOT EXISTS key_vault; CREATE TABLE key_vault.erased_subjects (subject_id text PRIMARY KEY)`);
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 20 });
    await store.listen();
    reader = new PostgresConsentReadModel(ds, ds);
    projector = new InlineProjector(ds, store, [consentProjection]);
  });

  afterAll(async () => {
    await store.close();
    await ds.destroy();
    await db.drop();
  });

  /** As the API wires it: the consent worker's checkpoint, and a generation that a rebuild changes. */
  const origin = async (): Promise<{ position: GlobalPosition | null; generation: string }> => {
    const c = await ds.transaction((m) => checkpoints.ensure(m, consentProjection));
    return { position: c.position, generation: `${String(c.version)}:${c.rebuiltAt?.toISOString() ?? 'never'}` };
  };

  const metadata = (tenantId: string): EventMetadata => ({
    tenantId,
    actor: 'system:test',
    correlationId: uuidv7(),
    causationId: null,
    commandId: uuidv7(),
    occurredAt: new Date().toISOString(),
  });

  /** A world of one tenant: a purpose register and customers, written as commands write them (optionally without the inline projection). */
  function world(tenantId: string) {
    return {
      async purpose(purposeKey: string, notice: string, kind: 'DefinePurpose' | 'RevisePurpose', project = true): Promise<GlobalPosition | null> {
        const r = await handleWithDecider(
          store,
          purposesDecider,
          purposesStreamId(tenantId),
          { kind, tenantId, actor: 'system:test', purposeKey, terms: terms(notice) },
          metadata(tenantId),
        );
        if (project) await projector.projectStream(purposesStreamId(tenantId));
        return r.position;
      },
      async customer(customerId: string, type: string, extra: object = {}, project = true): Promise<GlobalPosition> {
        const r = await store.appendToStream(
          `customer-${customerId}`,
          [{ id: uuidv7(), type, data: { tenantId, customerId, ...extra }, metadata: metadata(tenantId) }],
          {
            expectedRevision: ANY,
          },
        );
        if (project) await projector.projectStream(`customer-${customerId}`);
        return r.position;
      },
      async consent(
        customerId: string,
        purposeKey: string,
        channel: 'email' | 'sms',
        action: 'grant' | 'withdraw',
        project = true,
      ): Promise<GlobalPosition | null> {
        const { purpose } = await reader.decisionFacts(tenantId, [customerId], purposeKey);
        const base = { tenantId, customerId, receiptId: uuidv7(), purposeKey, channel, scope: 'general' as const, thirdParty: null };
        const command: ConsentCommand =
          action === 'grant'
            ? {
                ...base,
                kind: 'GrantConsent',
                consentId: uuidv7(),
                purpose,
                subjectUnder14: false,
                crossBorder: null,
                guardian: null,
                evidence: {
                  noticeVersion: purpose?.noticeVersion ?? 'n-1',
                  method: 'checkbox',
                  source: 'test',
                  collector: 'system:test',
                  collectedAt: new Date().toISOString(),
                },
              }
            : { ...base, kind: 'WithdrawConsent', country: null, method: 'link', source: 'test' };
        try {
          const r = await handleWithDecider(store, consentDecider, consentStreamId(customerId), command, metadata(tenantId));
          if (project) await projector.projectStream(consentStreamId(customerId));
          return r.position;
        } catch (error) {
          // The decider refused (a withdrawal of nothing, a grant already in force): nothing was written.
          if (error instanceof DomainError) return null;
          throw error;
        }
      },
    };
  }

  const answers = (a: DecisionFactsAnswer, ids: readonly string[], purposeKey: string, channel: 'email' | 'sms'): unknown[] =>
    ids.map((id) => {
      const s = a.subjects.get(id) ?? { exists: false, erased: false, restricted: false, under14: false, consents: new Map(), withdrawn: new Set<string>() };
      return decide(
        { purposeKey, channel, dataCategories: ['contact'] },
        { purpose: a.purpose, tenantActive: a.tenantActive, subject: s, consents: s.consents, withdrawn: s.withdrawn },
      );
    });

  it('changes no answer: random changes, some not yet projected, against the database path, with room for two subjects only', async () => {
    for (const seed of [1, 2, 3]) {
      const next = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
      const tenantId = `t-${uuidv7().slice(-10)}`;
      const w = world(tenantId);
      const cache = new DecisionFactsCache({
        origin,
        store,
        reader,
        applier: new InlineProjector(ds, store, [consentProjection]),
        maxSubjects: 2,
        waitMs: 5_000,
      });
      cache.start();
      try {
        await w.purpose('p1', 'n-1', 'DefinePurpose');
        await w.purpose('p2', 'n-1', 'DefinePurpose');
        const subjects = Array.from({ length: 5 }, () => uuidv7());
        // The last one is never created: decisions deny it as unknown until the end.
        for (const id of subjects.slice(0, 4)) await w.customer(id, 'CustomerCreated.v1', { under14: false });
        const erased = new Set<string>();
        let token: GlobalPosition | null = null;
        let notices = 1;
        for (let step = 0; step < 60; step++) {
          const id = pick(subjects.slice(0, 4));
          const purposeKey = pick(['p1', 'p2']);
          const project = next() < 0.7; // else the command's process stopped before its inline projection
          const roll = next();
          let position: GlobalPosition | null = null;
          if (erased.has(id)) position = null;
          else if (roll < 0.4) position = await w.consent(id, purposeKey, pick(['email', 'sms']), 'grant', project);
          else if (roll < 0.65) position = await w.consent(id, purposeKey, pick(['email', 'sms']), 'withdraw', project);
          else if (roll < 0.75) position = await w.customer(id, 'CustomerProcessingRestricted.v1', { reason: 'objection' }, project);
          else if (roll < 0.85) position = await w.customer(id, 'CustomerRestrictionLifted.v1', {}, project);
          else if (roll < 0.93) position = await w.purpose(purposeKey, `n-${String(++notices)}`, 'RevisePurpose', project);
          else if (erased.size < 2) {
            position = await w.customer(id, 'CustomerErased.v1', { requestId: null, erasedBy: 'system:test' }, project);
            // Then the key vault's fence, as closeErasedCustomer writes it.
            await ds.query(`INSERT INTO key_vault.erased_subjects (subject_id) VALUES ($1)`, [id]);
            erased.add(id);
          }
          token = position ?? token;
          if (!token) continue;
          const asked = subjects.filter(() => next() < 0.6);
          const channel = pick(['email', 'sms'] as const);
          const consistency: Consistency = next() < 0.8 ? { kind: 'atLeastAsFresh', token } : { kind: 'default' };
          const fromMemory = await cache.facts(tenantId, asked, purposeKey, consistency);
          if (consistency.kind === 'default') continue; // no freshness asked: may be a moment behind
          expect(fromMemory.asOf && fromMemory.asOf >= token).toBe(true);
          // The database path, once every stream of the world is projected.
          await projector.projectStreams([purposesStreamId(tenantId), ...subjects.flatMap((s) => [consentStreamId(s), `customer-${s}`])]);
          const fromDatabase = await reader.decisionFacts(tenantId, asked, purposeKey);
          expect({ seed, step, answers: answers(fromMemory, asked, purposeKey, channel) }).toEqual({
            seed,
            step,
            answers: answers({ ...fromDatabase, asOf: null }, asked, purposeKey, channel),
          });
        }
        expect(cache.stats().subjects).toBeLessThanOrEqual(2);
        expect(cache.stats().hits).toBeGreaterThan(0);
      } finally {
        await cache.stop();
      }
    }
  }, 120_000);

  it('follows the log without notifications (a dropped NOTIFY is only late), and reads the database when the token is not reached in time', async () => {
    const tenantId = `t-${uuidv7().slice(-10)}`;
    const w = world(tenantId);
    // A store that never LISTENs: every notification is missed, polling alone catches up.
    const deaf = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 100 });
    const cache = new DecisionFactsCache({
      origin,
      store: deaf,
      reader,
      applier: new InlineProjector(ds, deaf, [consentProjection]),
      maxSubjects: 100,
      waitMs: 5_000,
    });
    cache.start();
    try {
      await w.purpose('p1', 'n-1', 'DefinePurpose');
      const id = uuidv7();
      await w.customer(id, 'CustomerCreated.v1', { under14: false });
      const granted = await w.consent(id, 'p1', 'email', 'grant');
      if (!granted) throw new Error('not granted');
      const allowed = await cache.facts(tenantId, [id], 'p1', { kind: 'atLeastAsFresh', token: granted });
      expect(answers(allowed, [id], 'p1', 'email')).toEqual([expect.objectContaining({ allow: true })]);
      // Written and projected elsewhere (another process): memory still holds the grant until the log says otherwise.
      const withdrawn = await w.consent(id, 'p1', 'email', 'withdraw');
      if (!withdrawn) throw new Error('not withdrawn');
      const denied = await cache.facts(tenantId, [id], 'p1', { kind: 'atLeastAsFresh', token: withdrawn });
      expect(answers(denied, [id], 'p1', 'email')).toEqual([expect.objectContaining({ allow: false, reasons: ['CONSENT_WITHDRAWN'] })]);
      expect(cache.stats()).toMatchObject({ waitTimeouts: 0, fullReads: 0 });
    } finally {
      await cache.stop();
      await deaf.close();
    }
    // A process that cannot reach the token in time answers from the database (what the write's command projected).
    const stuck = new DecisionFactsCache({ origin, store, reader, applier: projector, maxSubjects: 100, waitMs: 50 });
    const id = uuidv7();
    await w.customer(id, 'CustomerCreated.v1', { under14: false });
    const granted = await w.consent(id, 'p1', 'email', 'grant');
    if (!granted) throw new Error('not granted');
    const answer = await stuck.facts(tenantId, [id], 'p1', { kind: 'atLeastAsFresh', token: granted }); // never started: follows nothing
    expect(answers(answer, [id], 'p1', 'email')).toEqual([expect.objectContaining({ allow: true })]);
    // The database holds the token's write (projected before its command answered), but a process that follows nothing claims no position.
    expect(answer.asOf).toBeNull();
    expect(stuck.stats()).toMatchObject({ fullReads: 1 });
  });

  it('starts from the read model’s checkpoint: changes no process projected are applied before memory answers; a rebuild empties memory', async () => {
    const tenantId = `t-${uuidv7().slice(-10)}`;
    const w = world(tenantId);
    await w.purpose('p1', 'n-1', 'DefinePurpose');
    const id = uuidv7();
    await w.customer(id, 'CustomerCreated.v1', { under14: false });
    await w.consent(id, 'p1', 'email', 'grant');
    // A withdrawal whose command stopped before its inline projection, and no worker ran: the read model still says granted.
    const withdrawn = await w.consent(id, 'p1', 'email', 'withdraw', false);
    if (!withdrawn) throw new Error('not withdrawn');
    expect(answers({ ...(await reader.decisionFacts(tenantId, [id], 'p1')), asOf: null }, [id], 'p1', 'email')).toEqual([
      expect.objectContaining({ allow: true }),
    ]);
    const cache = new DecisionFactsCache({ origin, originCheckMs: 50, store, reader, applier: projector, maxSubjects: 100, waitMs: 5_000 });
    cache.start();
    try {
      const denied = await cache.facts(tenantId, [id], 'p1', { kind: 'atLeastAsFresh', token: withdrawn });
      expect(answers(denied, [id], 'p1', 'email')).toEqual([expect.objectContaining({ allow: false, reasons: ['CONSENT_WITHDRAWN'] })]);
      expect(cache.stats()).toMatchObject({ fullReads: 0 });
      // The read model is rebuilt (emptied, its checkpoint rewound): memory is emptied and following starts again from the
      // new checkpoint, applying the read model to the whole log before it answers from memory.
      await ds.transaction((m) => checkpoints.reset(m, consentProjection));
      for (let waited = 0; cache.stats().position !== null && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(cache.stats().subjects).toBe(0);
      const again = await cache.facts(tenantId, [id], 'p1', { kind: 'atLeastAsFresh', token: withdrawn });
      expect(answers(again, [id], 'p1', 'email')).toEqual([expect.objectContaining({ allow: false, reasons: ['CONSENT_WITHDRAWN'] })]);
      expect(answers({ ...(await reader.decisionFacts(tenantId, [id], 'p1')), asOf: null }, [id], 'p1', 'email')).toEqual([
        expect.objectContaining({ allow: false }),
      ]);
    } finally {
      await cache.stop();
    }
  });

  it('drops what a command of this process changed at once, refuses a token of another store, and denies an erasure from the moment it is applied', async () => {
    const tenantId = `t-${uuidv7().slice(-10)}`;
    const w = world(tenantId);
    const cache = new DecisionFactsCache({ origin, store, reader, applier: projector, maxSubjects: 100, waitMs: 2_000 });
    cache.start();
    try {
      await w.purpose('p1', 'n-1', 'DefinePurpose');
      const id = uuidv7();
      await w.customer(id, 'CustomerCreated.v1', { under14: false });
      const granted = await w.consent(id, 'p1', 'email', 'grant');
      if (!granted) throw new Error('not granted');
      await cache.facts(tenantId, [id], 'p1', { kind: 'atLeastAsFresh', token: granted });
      await w.consent(id, 'p1', 'email', 'withdraw');
      cache.changed([consentStreamId(id)]);
      const now = await cache.facts(tenantId, [id], 'p1', { kind: 'default' });
      expect(answers(now, [id], 'p1', 'email')).toEqual([expect.objectContaining({ allow: false })]);
      for (const token of ['kdb:0000000000000001.0000000000000001', 'pg:1', 'pg:00000001.0000000000000a3c', `${granted}0`]) {
        await expect(cache.facts(tenantId, [id], 'p1', { kind: 'atLeastAsFresh', token })).rejects.toMatchObject({ code: 'DECISION.INVALID_TOKEN' });
      }
      // Erased (no fence written yet): denied as erased as soon as the event is applied here.
      const gone = await w.customer(id, 'CustomerErased.v1', { requestId: null, erasedBy: 'system:test' });
      const after = await cache.facts(tenantId, [id], 'p1', { kind: 'atLeastAsFresh', token: gone });
      expect(answers(after, [id], 'p1', 'email')).toEqual([
        expect.objectContaining({ allow: false, reasons: expect.arrayContaining(['SUBJECT_ERASED']) as unknown }),
      ]);
    } finally {
      await cache.stop();
    }
  });
});
