import type { DataSource, EntityManager } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import type { GlobalPosition, RecordedEvent } from '@attest/event-store';
import { uuidv7 } from '@attest/kernel';
import { createTestDatabase, seededRandom, type TestDatabase } from '@attest/testing';
import { requestsMigrations } from './migrations';
import { requestsProjection } from './requests.projection';

describe('requests projection (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase('requests_projection', { migrations: [...platformMigrations, ...requestsMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  beforeEach(async () => {
    await ds.transaction((m) => requestsProjection.reset(m));
  });

  const recorded = (type: string, data: object, position?: number): RecordedEvent => {
    seq += 1;
    const at = position ?? seq;
    return {
      id: uuidv7(),
      type,
      data: { tenantId: 'acme', ...data },
      metadata: {
        tenantId: 'acme',
        actor: 'user:a',
        correlationId: 'c',
        causationId: null,
        commandId: 'c',
        occurredAt: new Date(Date.UTC(2026, 10, 22, 0, 0, at)).toISOString(),
      },
      streamId: 's',
      streamPosition: at,
      globalPosition: String(at).padStart(12, '0') as GlobalPosition,
      recordedAt: new Date(),
    };
  };

  const received = (requestId: string, position?: number): RecordedEvent =>
    recorded(
      'DataSubjectRequestReceived.v1',
      {
        requestId,
        customerId: '0190c3e0-0000-7000-8000-000000000001',
        requestType: 'access',
        channel: 'web',
        requester: { relation: 'self', contact: { email: 'x@example.org' } },
        scope: { fields: ['email'], purposes: [] },
        receivedAt: '2026-11-22T08:00:00.123456Z',
        policy: { days: 15 },
        dueOn: '2026-12-07',
        maxExtendedDueOn: '2026-12-22',
        extensionNoticeBy: '2026-12-07',
        receivedBy: 'user:a',
      },
      position,
    );

  /** Every column of every row, as the read model's readers see them. */
  const everything = async (): Promise<unknown[]> =>
    ds.query(
      `SELECT request_id, tenant_id, customer_id, request_type, channel, relation, scope, status, verification_method, handler, escalations,
              received_at, due_on::text, max_extended_due_on::text, extension_notice_by::text, extension, outcome, rejection, closed_at, last_position
         FROM requests.requests_v1 ORDER BY request_id`,
    );

  it('keeps every event’s change: a request through verification, assignment, escalations, an extension and completion', async () => {
    const id = uuidv7();
    const events = [
      received(id),
      recorded('RequesterVerificationCodeSent.v1', { requestId: id, challengeId: uuidv7(), sentAt: '2026-11-22T08:01:00Z', expiresAt: '2026-11-22T08:16:00Z' }),
      recorded('RequesterVerificationFailed.v1', { requestId: id, challengeId: uuidv7(), failedAt: '2026-11-22T08:02:00Z' }),
      recorded('RequesterIdentityVerified.v1', {
        requestId: id,
        method: 'one-time-code',
        note: null,
        verifiedAt: '2026-11-22T08:03:00Z',
        verifiedBy: 'user:a',
      }),
      recorded('DataSubjectRequestAssigned.v1', { requestId: id, handler: 'user:h', assignedBy: 'user:a', assignedAt: '2026-11-22T08:04:00Z' }),
      recorded('DataSubjectRequestEscalated.v1', { requestId: id, reason: 'late', escalatedBy: 'system:jobs', escalatedAt: '2026-11-23T00:00:00Z' }),
      recorded('DataSubjectRequestCommented.v1', {
        requestId: id,
        commentId: uuidv7(),
        text: 'called back',
        commentedBy: 'user:h',
        commentedAt: '2026-11-23T01:00:00Z',
      }),
      recorded('DataSubjectRequestEscalated.v1', { requestId: id, reason: 'later', escalatedBy: 'system:jobs', escalatedAt: '2026-11-24T00:00:00Z' }),
      recorded('DataSubjectRequestExtended.v1', {
        requestId: id,
        reason: 'complex',
        dueOn: '2026-12-20',
        requesterToldAt: '2026-11-24T09:00:00Z',
        extendedBy: 'user:h',
      }),
      recorded('DataSubjectRequestStarted.v1', { requestId: id, startedBy: 'user:h', startedAt: '2026-11-25T00:00:00Z' }),
      recorded('DataSubjectRequestCompleted.v1', { requestId: id, outcome: { exported: true }, completedBy: 'user:h', completedAt: '2026-11-26T10:30:00.5Z' }),
    ];
    await ds.transaction((m) => requestsProjection.apply(events, m));
    const last = events.at(-1)?.globalPosition;
    // The comment is not in this read model: the last position is the completion's, whatever came between.
    expect(await everything()).toEqual([
      {
        request_id: id,
        tenant_id: 'acme',
        customer_id: '0190c3e0-0000-7000-8000-000000000001',
        request_type: 'access',
        channel: 'web',
        relation: 'self',
        scope: { fields: ['email'], purposes: [] },
        status: 'completed',
        verification_method: 'one-time-code',
        handler: 'user:h',
        escalations: [
          { reason: 'late', at: '2026-11-23T00:00:00Z', by: 'system:jobs' },
          { reason: 'later', at: '2026-11-24T00:00:00Z', by: 'system:jobs' },
        ],
        received_at: new Date('2026-11-22T08:00:00.123Z'),
        due_on: '2026-12-20',
        max_extended_due_on: '2026-12-22',
        extension_notice_by: '2026-12-07',
        extension: { reason: 'complex', requesterToldAt: '2026-11-24T09:00:00Z' },
        outcome: { exported: true },
        rejection: null,
        closed_at: new Date('2026-11-26T10:30:00.5Z'),
        last_position: last,
      },
    ]);
    // Microseconds survive the row's trip through the batch (read as JSON, written back).
    await ds.transaction((m) => requestsProjection.apply([recorded('DataSubjectRequestAssigned.v1', { requestId: id, handler: 'user:k' })], m));
    const [micro] = await ds.query<{ at: string }[]>(`SELECT to_char(received_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS at FROM requests.requests_v1`);
    expect(micro?.at).toBe('08:00:00.123456');
  });

  it('a rejection keeps its reasons and the way to complain; events of a request with no row change nothing', async () => {
    const id = uuidv7();
    const orphan = uuidv7();
    await ds.transaction((m) =>
      requestsProjection.apply(
        [
          recorded('DataSubjectRequestStarted.v1', { requestId: orphan, startedBy: 'user:h', startedAt: '2026-11-25T00:00:00Z' }),
          received(id),
          recorded('DataSubjectRequestRejected.v1', {
            requestId: id,
            reasons: ['manifestly-unfounded'],
            complaint: 'write to the regulator',
            rejectedBy: 'user:h',
            rejectedAt: '2026-11-23T00:00:00Z',
          }),
        ],
        m,
      ),
    );
    const rows = await ds.query<{ request_id: string; status: string; rejection: unknown; closed_at: Date }[]>(
      'SELECT request_id, status, rejection, closed_at FROM requests.requests_v1',
    );
    expect(rows).toEqual([
      {
        request_id: id,
        status: 'rejected',
        rejection: { reasons: ['manifestly-unfounded'], complaint: 'write to the regulator' },
        closed_at: new Date('2026-11-23T00:00:00Z'),
      },
    ]);
  });

  /** A seeded history of several requests: receipts, then any of the row's events, in any order. */
  function history(next: () => number, length: number): RecordedEvent[] {
    const ids = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const out: RecordedEvent[] = [];
    const at = (): string => new Date(Date.UTC(2026, 10, 22, 0, 0, seq)).toISOString();
    for (let i = 0; i < length; i++) {
      const requestId = pick(ids);
      const r = next();
      if (r < 0.15) out.push(received(requestId));
      else if (r < 0.25) out.push(recorded('RequesterVerificationCodeSent.v1', { requestId, challengeId: uuidv7(), sentAt: at(), expiresAt: at() }));
      else if (r < 0.3) out.push(recorded('RequesterVerificationFailed.v1', { requestId, challengeId: uuidv7(), failedAt: at() }));
      else if (r < 0.4) out.push(recorded('RequesterIdentityVerified.v1', { requestId, method: pick(['one-time-code', 'handler-check']), note: null }));
      else if (r < 0.5) out.push(recorded('DataSubjectRequestAssigned.v1', { requestId, handler: pick(['user:h', 'user:k']) }));
      else if (r < 0.6)
        out.push(recorded('DataSubjectRequestEscalated.v1', { requestId, reason: pick(['late', 'stuck']), escalatedBy: 'system:jobs', escalatedAt: at() }));
      else if (r < 0.67)
        out.push(recorded('DataSubjectRequestExtended.v1', { requestId, reason: 'r', dueOn: pick(['2026-12-20', '2026-12-21']), requesterToldAt: at() }));
      else if (r < 0.75)
        out.push(recorded('DataSubjectRequestCommented.v1', { requestId, commentId: uuidv7(), text: 't', commentedBy: 'user:h', commentedAt: at() }));
      else if (r < 0.85) out.push(recorded('DataSubjectRequestStarted.v1', { requestId, startedBy: 'user:h', startedAt: at() }));
      else if (r < 0.93) out.push(recorded('DataSubjectRequestCompleted.v1', { requestId, outcome: { n: Math.floor(next() * 9) }, completedAt: at() }));
      else out.push(recorded('DataSubjectRequestRejected.v1', { requestId, reasons: [pick(['a', 'b'])], complaint: 'c', rejectedAt: at() }));
    }
    return out;
  }

  it('a batch of any size leaves the read model as applying its events one at a time does, redeliveries included', async () => {
    const changed: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const next = seededRandom(seed);
      const events = history(next, 120);
      const from = Math.floor(next() * events.length);
      const redelivered = events.slice(from, from + 1 + Math.floor(next() * 40));
      await ds.transaction((m) => requestsProjection.reset(m));
      for (const e of events) await ds.transaction((m) => requestsProjection.apply([e], m));
      const once = await everything();
      // A redelivery, one at a time or in any batch, changes nothing.
      for (const e of redelivered) await ds.transaction((m) => requestsProjection.apply([e], m));
      expect({ seed, tables: await everything() }).toEqual({ seed, tables: once });
      await ds.transaction((m) => requestsProjection.apply(redelivered, m));
      expect({ seed, tables: await everything() }).toEqual({ seed, tables: once });
      await ds.transaction((m) => requestsProjection.reset(m));
      const delivered = [...events, ...redelivered];
      for (let i = 0; i < delivered.length;) {
        const size = 1 + Math.floor(next() * 60);
        await ds.transaction((m) => requestsProjection.apply(delivered.slice(i, i + size), m));
        i += size;
      }
      expect({ seed, tables: await everything() }).toEqual({ seed, tables: once });
      changed.push((once as { status: string }[]).filter((r) => r.status !== 'received').length);
    }
    // Not vacuous: the histories leave requests moved past their receipt.
    expect(changed.filter((n) => n > 0).length).toBeGreaterThan(4);
  });

  it('holds the rows of a batch locked until it commits', async () => {
    const id = uuidv7();
    await ds.transaction((m) => requestsProjection.apply([received(id)], m));
    let during: string | null = null;
    await ds.transaction(async (m) => {
      await requestsProjection.apply([recorded('DataSubjectRequestAssigned.v1', { requestId: id, handler: 'user:h' })], m);
      during = await ds
        .query(`SELECT 1 FROM requests.requests_v1 WHERE request_id = $1 FOR UPDATE NOWAIT`, [id])
        .then(() => 'free')
        .catch((e: unknown) => (e as { code?: string }).code ?? 'error');
    });
    expect(during).toBe('55P03');
  });

  it('two transactions inserting the same request at once: the row further along the log stays, in either order', async () => {
    for (const furtherFirst of [true, false]) {
      await ds.transaction((m) => requestsProjection.reset(m));
      const id = uuidv7();
      const receipt = received(id);
      const started = recorded('DataSubjectRequestStarted.v1', { requestId: id, startedBy: 'user:h' });
      const further = [receipt, started];
      const behind = [receipt];
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = ds.transaction(async (m: EntityManager) => {
        await requestsProjection.apply(furtherFirst ? further : behind, m);
        await held;
      });
      // The second reads no row (the first's is not committed), then waits on the first's insert.
      await new Promise((r) => setTimeout(r, 50));
      const second = ds.transaction((m) => requestsProjection.apply(furtherFirst ? behind : further, m));
      await new Promise((r) => setTimeout(r, 100));
      release();
      await Promise.all([first, second]);
      const rows = await ds.query<{ status: string; last_position: string }[]>('SELECT status, last_position FROM requests.requests_v1');
      expect({ furtherFirst, rows }).toEqual({ furtherFirst, rows: [{ status: 'in-progress', last_position: started.globalPosition }] });
    }
  });
});
