import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AccountEvent, OrganizationEvent } from '@attest/accounts-domain';
import { createDataSource, platformMigrations } from '@attest/database';
import type { GlobalPosition, RecordedEvent } from '@attest/event-store';
import { uuidv7, type JsonValue } from '@attest/kernel';
import { ERASED } from '@attest/privacy';
import { keyVaultMigrations, parseMasterKey, PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { createTestDatabase, seededRandom, type TestDatabase } from '@attest/testing';
import { accountsProjection } from './accounts.projection';
import { accountsMigrations } from './migrations';

describe('accounts projection (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vault: PostgresKeyVault;
  let privacy: ReadModelPrivacy;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase('accounts_projection', { migrations: [...platformMigrations, ...keyVaultMigrations, ...accountsMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
    vault = new PostgresKeyVault({ connectionString: db.url, masterKey: parseMasterKey(randomBytes(32).toString('base64')) });
    await vault.verifyMasterKey();
    privacy = new ReadModelPrivacy(vault);
  });

  afterAll(async () => {
    await vault.close();
    await ds.destroy();
    await db.drop();
  });

  const recorded = (event: AccountEvent | OrganizationEvent): RecordedEvent => {
    seq += 1;
    return {
      id: uuidv7(),
      type: event.type,
      data: event.data,
      metadata: {
        tenantId: event.data.tenantId,
        actor: 'user:admin',
        correlationId: 'c',
        causationId: 'c',
        commandId: 'c',
        occurredAt: new Date(Date.UTC(2026, 10, 22, 0, seq)).toISOString(),
      },
      streamId: 'account-x',
      streamPosition: seq,
      globalPosition: String(seq).padStart(12, '0') as GlobalPosition,
      recordedAt: new Date(),
    };
  };

  const snapshot = async (): Promise<unknown[]> => [
    // rows as the database returns them
    await ds.query<unknown[]>(
      'SELECT account_id, status, verification, holds, cancellation_requested, agreement, last_position FROM accounts.accounts_v1 ORDER BY account_id',
    ),
    await ds.query<unknown[]>('SELECT account_id, position, event, status, reason FROM accounts.status_history_v1 ORDER BY account_id, position'),
    await ds.query<unknown[]>('SELECT department_id, name, parent_id FROM accounts.departments_v1 ORDER BY department_id'),
    await ds.query<unknown[]>('SELECT request_id, due_on::text, completed_on::text FROM accounts.function_deletions_v1 ORDER BY request_id'),
  ];

  it('N2: delivering every event twice changes nothing, and a rebuild gives the same read model', async () => {
    const accountId = uuidv7();
    const tenantId = 'acme';
    const ids = { accountId, tenantId };
    const d1 = uuidv7();
    const events = [
      recorded({
        type: 'EnterpriseRegistered.v1',
        data: {
          ...ids,
          legalName: 'Acme',
          registrationNumber: 'RN1',
          contact: { name: 'Li Wei', email: 'li@example.com', phone: null },
          evidence: { documentRef: 'd', sha256: 'a'.repeat(64) },
        },
      }),
      recorded({ type: 'EnterpriseVerified.v1', data: { ...ids, verifiedBy: 'apiKey:op' } }),
      recorded({ type: 'HoldPlaced.v1', data: { ...ids, holdId: 'h1', kind: 'dispute', reference: 'c-1', placedBy: 'apiKey:op' } }),
      recorded({ type: 'HoldReleased.v1', data: { ...ids, holdId: 'h1', kind: 'dispute', releasedBy: 'apiKey:op' } }),
      recorded({ type: 'AccountRestricted.v1', data: { ...ids, reason: 'violation', note: 'x', decidedBy: 'apiKey:op', lastActivityAt: null } }),
      recorded({ type: 'AccountReactivated.v1', data: { ...ids, reason: 'resolved', note: null, decidedBy: 'user:u', method: 'one-time-code' } }),
      recorded({
        type: 'FunctionDataDeletionRequested.v1',
        data: { ...ids, requestId: d1, function: 'calls', requestedOn: '2026-11-22', dueOn: '2026-12-11', requestedBy: 'user:a' },
      }),
      recorded({ type: 'FunctionDataDeletionCompleted.v1', data: { ...ids, requestId: d1, completedOn: '2026-11-30', completedBy: 'apiKey:op' } }),
      recorded({ type: 'DepartmentCreated.v1', data: { tenantId, departmentId: uuidv7(), name: 'Sales', parentId: null, createdBy: 'user:a' } }),
      recorded({ type: 'CancellationRequested.v1', data: { ...ids, requestedBy: 'user:a' } }),
    ];
    const projection = accountsProjection(privacy);
    for (const e of events) await ds.transaction((m) => projection.apply([e], m));
    const once = await snapshot();
    await ds.transaction((m) => projection.apply(events, m));
    expect(await snapshot()).toEqual(once);
    expect(once[0]).toEqual([expect.objectContaining({ status: 'active', verification: 'verified', holds: [], cancellation_requested: true })]);
    expect((once[1] as { event: string }[]).map((h) => h.event)).toEqual([
      'EnterpriseRegistered.v1',
      'EnterpriseVerified.v1',
      'AccountRestricted.v1',
      'AccountReactivated.v1',
    ]);

    await ds.transaction((m) => projection.reset(m));
    await ds.transaction((m) => projection.apply(events, m));
    expect(await snapshot()).toEqual(once);
  });

  /** Every table the projection writes, personal fields opened (their ciphertexts differ run to run: a fresh IV each). */
  const everything = async (): Promise<unknown[]> => {
    const accounts = await ds.query<Record<string, JsonValue>[]>(
      `SELECT account_id, tenant_id, kind, status, verification, legal_name, department_id, name, email, phone, birth_date, minor, holds,
              cancellation_requested, unbinding_requested, invitation_expires_at, agreement, created_at, updated_at, last_position, licence_evidence
         FROM accounts.accounts_v1 ORDER BY account_id`,
    );
    const opened = [];
    for (const a of accounts) {
      const id = a['account_id'] as string;
      const open = async (column: string): Promise<unknown> =>
        a[column] === null ? null : privacy.open(id, { table: 'accounts.accounts_v1', column, row: id }, a[column] ?? null);
      opened.push({ ...a, name: await open('name'), email: await open('email'), phone: await open('phone'), birth_date: await open('birth_date') });
    }
    return [
      opened,
      await ds.query<unknown[]>('SELECT * FROM accounts.status_history_v1 ORDER BY account_id, position'),
      await ds.query<unknown[]>('SELECT * FROM accounts.departments_v1 ORDER BY tenant_id, department_id'),
      await ds.query<unknown[]>('SELECT * FROM accounts.channel_bindings_v1 ORDER BY binding_id'),
      await ds.query<unknown[]>('SELECT * FROM accounts.organization_settings_v1 ORDER BY tenant_id'),
      await ds.query<unknown[]>('SELECT * FROM accounts.function_deletions_v1 ORDER BY request_id'),
      await ds.query<unknown[]>('SELECT * FROM privacy.lookup_tokens ORDER BY tenant_id, kind, token, subject_id'),
    ];
  };

  /** A seeded history of four accounts (registrations, invitations and every later event, in any order) and their organization. */
  function history(next: () => number, length: number): RecordedEvent[] {
    const accounts = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const departments = [uuidv7(), uuidv7()];
    const bindings = [uuidv7(), uuidv7()];
    const deletions = [uuidv7(), uuidv7()];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const contact = (): { name: string | null; email: string | null; phone: string | null } => ({
      name: pick(['Li Wei', 'Zhang San', null]),
      email: pick(['a@example.org', 'b@example.org', null]),
      phone: pick(['+8613800000000', null]),
    });
    const by = { decidedBy: 'user:a', verifiedBy: 'user:a', rejectedBy: 'user:a', reportedBy: 'user:a', attemptedBy: 'user:b', requestedBy: 'user:c' };
    const out: RecordedEvent[] = [];
    for (let i = 0; i < length; i++) {
      const ids = { accountId: pick(accounts), tenantId: pick(['acme', 'acme', 'beta']) };
      const r = next();
      const day = `2027-0${String(1 + Math.floor(next() * 9))}-01`;
      const data: [string, object] =
        r < 0.06
          ? [
              'EnterpriseRegistered.v1',
              { ...ids, legalName: pick(['Acme', 'Beta']), contact: contact(), evidence: { documentRef: 'd', sha256: 'a'.repeat(64) } },
            ]
          : r < 0.1
            ? ['PersonalUserRegistered.v1', { ...ids, phone: pick(['+8613800000001', null]), birthDate: pick(['2001-02-03', null]) }]
            : r < 0.16
              ? [
                  'EndUserInvited.v1',
                  {
                    ...ids,
                    contact: contact(),
                    minor: pick([null, { birthDate: '2014-05-06' }]),
                    departmentId: pick([null, ...departments]),
                    expiresAt: '2026-12-01T00:00:00.000Z',
                    invitedBy: 'user:a',
                    token: 't',
                  },
                ]
              : r < 0.2
                ? [pick(['InvitationAccepted.v1', 'InvitationDeclined.v1', 'InvitationExpired.v1']), ids]
                : r < 0.3
                  ? [
                      pick(['AccountRestricted.v1', 'AccountSuspended.v1', 'AccountRevoked.v1', 'AccountReactivated.v1', 'AccountCancelled.v1']),
                      { ...ids, reason: pick(['r1', 'r2']), ...by },
                    ]
                  : r < 0.34
                    ? [pick(['AccountReportedStolen.v1', 'OwnerChangeRefused.v1', 'EnterpriseVerified.v1']), { ...ids, ...by }]
                    : r < 0.38
                      ? ['EnterpriseRejected.v1', { ...ids, reasons: [pick(['blurry', 'expired'])], ...by }]
                      : r < 0.42
                        ? ['MemberUnbound.v1', { ...ids, requestedBy: 'user:c', approvedBy: pick([null, 'user:a']) }]
                        : r < 0.5
                          ? ['HoldPlaced.v1', { ...ids, holdId: pick(['h1', 'h2']), kind: 'dispute', reference: pick(['c-1', 'c-2']) }]
                          : r < 0.56
                            ? ['HoldReleased.v1', { ...ids, holdId: pick(['h1', 'h2']) }]
                            : r < 0.64
                              ? [pick(['CancellationRequested.v1', 'CancellationRejected.v1', 'UnbindingRequested.v1', 'UnbindingRejected.v1']), ids]
                              : r < 0.7
                                ? [pick(['AgreementStarted.v1', 'AgreementRenewed.v1']), { ...ids, agreementId: pick(['g1', 'g2']), endsOn: day }]
                                : r < 0.73
                                  ? ['AgreementEnded.v1', { ...ids, agreementId: 'g1', endedOn: day, personalDataDeletionDueOn: day }]
                                  : r < 0.77
                                    ? ['LicenceEvidenceSubmitted.v1', { ...ids, evidence: { documentRef: pick(['e1', 'e2']), sha256: 'b'.repeat(64) } }]
                                    : r < 0.8
                                      ? ['MemberMovedToDepartment.v1', { ...ids, departmentId: pick(departments) }]
                                      : r < 0.84
                                        ? [
                                            'FunctionDataDeletionRequested.v1',
                                            { ...ids, requestId: pick(deletions), function: 'calls', requestedOn: '2026-11-22', dueOn: day },
                                          ]
                                        : r < 0.87
                                          ? ['FunctionDataDeletionCompleted.v1', { ...ids, requestId: pick(deletions), completedOn: day }]
                                          : r < 0.91
                                            ? [
                                                pick(['DepartmentCreated.v1', 'DepartmentRenamed.v1', 'DepartmentRemoved.v1']),
                                                { tenantId: ids.tenantId, departmentId: pick(departments), name: pick(['Sales', 'Ops']), parentId: null },
                                              ]
                                            : r < 0.96
                                              ? [
                                                  pick(['ChannelAccountBound.v1', 'ChannelAccountUnbound.v1']),
                                                  { tenantId: ids.tenantId, bindingId: pick(bindings), channel: 'whatsapp', boundBy: 'user:a' },
                                                ]
                                              : ['UnbindingPolicySet.v1', { tenantId: ids.tenantId, approvalRequired: next() < 0.5 }];
      out.push(recorded({ type: data[0], data: data[1] } as AccountEvent));
    }
    return out;
  }

  it('a batch of any size leaves every table and the lookup entries as applying its events one at a time does, redeliveries included', async () => {
    const projection = accountsProjection(privacy);
    const moved: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const next = seededRandom(seed);
      const events = history(next, 150);
      const from = Math.floor(next() * events.length);
      // Redelivered: account events. The organization's tables keep no position, so a stale event
      // delivered again alone would win there; the runner only ever replays in log order to the head.
      const redelivered = events.slice(from, from + 1 + Math.floor(next() * 40)).filter((e) => 'accountId' in e.data);
      const clear = async (): Promise<void> => {
        await ds.transaction((m) => projection.reset(m));
        await ds.query('DELETE FROM privacy.lookup_tokens');
      };
      await clear();
      for (const e of events) await ds.transaction((m) => projection.apply([e], m));
      const once = await everything();
      for (const e of redelivered) await ds.transaction((m) => projection.apply([e], m));
      expect({ seed, tables: await everything() }).toEqual({ seed, tables: once });
      await ds.transaction((m) => projection.apply(redelivered, m));
      expect({ seed, tables: await everything() }).toEqual({ seed, tables: once });
      await clear();
      const delivered = [...events, ...redelivered];
      for (let i = 0; i < delivered.length;) {
        const size = 1 + Math.floor(next() * 60);
        await ds.transaction((m) => projection.apply(delivered.slice(i, i + size), m));
        i += size;
      }
      expect({ seed, tables: await everything() }).toEqual({ seed, tables: once });
      const [accounts, history_] = once as [{ holds: unknown[] }[], unknown[]];
      moved.push(accounts.length > 0 && history_.length > 4 && accounts.some((a) => a.holds.length > 0) ? 1 : 0);
    }
    // Not vacuous: most histories leave accounts with holds and a status history behind.
    expect(moved.filter((n) => n > 0).length).toBeGreaterThan(3);
  });

  it('stores erased personal fields (a rebuild after crypto-shredding) as nothing, not as a new key', async () => {
    const accountId = uuidv7();
    await vault.erase(accountId, 'test');
    const event = recorded({
      type: 'PersonalUserRegistered.v1',
      data: { accountId, tenantId: 'p-x', phone: ERASED as unknown as string, birthDate: ERASED as unknown as string },
    });
    await ds.transaction((m) => accountsProjection(privacy).apply([event], m));
    const [row] = await ds.query<{ phone: unknown; birth_date: unknown }[]>('SELECT phone, birth_date FROM accounts.accounts_v1 WHERE account_id = $1', [
      accountId,
    ]);
    expect(row).toEqual({ phone: null, birth_date: null });
  });
});
