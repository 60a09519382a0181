import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import type { GlobalPosition, RecordedEvent } from '@attest/event-store';
import { uuidv7, type JsonValue } from '@attest/kernel';
import { keyVaultMigrations, parseMasterKey, PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { createTestDatabase, seededRandom, type TestDatabase } from '@attest/testing';
import { customersProjection } from './customers.projection';
import { customersMigrations } from './migrations';

describe('customers projection (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let vault: PostgresKeyVault;
  let privacy: ReadModelPrivacy;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase('customers_projection', { migrations: [...platformMigrations, ...keyVaultMigrations, ...customersMigrations] });
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

  const recorded = (type: string, data: object): RecordedEvent => {
    seq += 1;
    return {
      id: uuidv7(),
      type,
      data: data as RecordedEvent['data'],
      metadata: {
        tenantId: 'acme',
        actor: 'user:a',
        correlationId: 'c',
        causationId: null,
        commandId: 'c',
        occurredAt: new Date(Date.UTC(2026, 10, 22, 0, 0, seq)).toISOString(),
      },
      streamId: 's',
      streamPosition: seq,
      globalPosition: String(seq).padStart(12, '0') as GlobalPosition,
      recordedAt: new Date(),
    };
  };

  /** Every table the projection writes, personal fields opened (their ciphertexts differ run to run: a fresh IV each). */
  const everything = async (): Promise<unknown[]> => {
    const customers = await ds.query<{ customer_id: string; fields: Record<string, JsonValue> }[]>(
      'SELECT customer_id, tenant_id, fields, tags, under14, restricted, consents, created_at, updated_at, last_position FROM customers.customers_v1 ORDER BY customer_id',
    );
    const opened = [];
    for (const c of customers) {
      const fields: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(c.fields).sort(([a], [b]) => a.localeCompare(b))) {
        fields[name] = await privacy.open(c.customer_id, { table: 'customers.customers_v1', column: `fields.${name}`, row: c.customer_id }, value);
      }
      opened.push({ ...c, fields });
    }
    const followUps = await ds.query<{ follow_up_id: string; customer_id: string; note: JsonValue }[]>(
      'SELECT follow_up_id, tenant_id, customer_id, channel, note, due_on::text, recorded_by, recorded_at FROM customers.follow_ups_v1 ORDER BY follow_up_id',
    );
    const notes = [];
    for (const f of followUps) {
      notes.push({ ...f, note: await privacy.open(f.customer_id, { table: 'customers.follow_ups_v1', column: 'note', row: f.follow_up_id }, f.note) });
    }
    return [opened, notes, await ds.query<unknown[]>('SELECT * FROM privacy.lookup_tokens ORDER BY tenant_id, kind, token, subject_id')];
  };

  /** Random histories of four customers: profile changes, tags, follow-ups, restrictions, consents, at most one erasure each (nothing after it). */
  function history(next: () => number, length: number, erasures: boolean): RecordedEvent[] {
    const customers = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const created = new Set<string>();
    const erased = new Set<string>();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const out: RecordedEvent[] = [];
    while (out.length < length && erased.size < customers.length) {
      const customerId = pick(customers);
      // Now and then an event after the subject's erasure: a log the deciders do not write, applied all the same.
      if (erased.has(customerId) && next() < 0.9) continue;
      const ids = { customerId, tenantId: 'acme' };
      if (!created.has(customerId)) {
        created.add(customerId);
        out.push(
          recorded('CustomerCreated.v1', {
            ...ids,
            profile: { name: pick(['Li Wei', 'Ana Ruiz']), email: `${customerId.slice(-6)}@example.org`, phone: null },
            tags: pick([['b', 'a'], [], ['vip']]),
            under14: false,
            createdBy: 'user:a',
          }),
        );
        continue;
      }
      const r = next();
      if (r < 0.2) {
        const changes = pick([
          { name: 'Zhang San' },
          { email: `new-${String(out.length)}@example.org` },
          { phone: '+8613800000000', address: 'Road 1' },
          { phone: null },
        ]);
        out.push(recorded('CustomerUpdated.v1', { ...ids, changes, under14: next() < 0.3, updatedBy: 'user:a' }));
      } else if (r < 0.35) {
        out.push(recorded('CustomerTagged.v1', { ...ids, added: pick([['x'], ['vip', 'a']]), removed: pick([[], ['a'], ['vip']]), taggedBy: 'user:a' }));
      } else if (r < 0.5) {
        out.push(
          recorded('FollowUpRecorded.v1', {
            ...ids,
            followUpId: uuidv7(),
            channel: 'phone',
            note: `note ${String(out.length)}`,
            dueOn: pick([null, '2027-01-05']),
            recordedBy: 'user:a',
          }),
        );
      } else if (r < 0.6) {
        out.push(
          recorded(pick(['CustomerProcessingRestricted.v1', 'CustomerRestrictionLifted.v1']), {
            ...ids,
            reason: 'r',
            restrictedBy: 'user:a',
            liftedBy: 'user:a',
          }),
        );
      } else if (r < 0.985 || !erasures) {
        out.push(
          recorded(pick(['ConsentGranted.v2', 'ConsentWithdrawn.v1']), {
            ...ids,
            purposeKey: pick(['news', 'offers']),
            channel: pick(['email', 'sms']),
            scope: pick(['general', 'general', 'sensitive']),
            consentId: uuidv7(),
            receiptId: uuidv7(),
          }),
        );
      } else {
        out.push(recorded('CustomerErased.v1', { ...ids, requestId: null, erasedBy: 'user:a' }));
        erased.add(customerId);
      }
    }
    return out;
  }

  it('a batch of any size leaves the read model and its lookup entries as applying its events one at a time does, redeliveries included', async () => {
    const projection = customersProjection(privacy);
    const applied: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const next = seededRandom(seed);
      // Odd seeds erase; even ones do not, so a redelivery must change nothing at all there.
      const erasures = seed % 2 === 1;
      const events = history(next, 100, erasures);
      const from = Math.floor(next() * events.length);
      const redelivered = events.slice(from, from + 1 + Math.floor(next() * 30));
      const delivered = [...events, ...redelivered];
      await ds.transaction((m) => projection.reset(m));
      await ds.query('DELETE FROM privacy.lookup_tokens');
      for (const e of events) await ds.transaction((m) => projection.apply([e], m));
      const once = erasures ? null : await everything();
      for (const e of redelivered) await ds.transaction((m) => projection.apply([e], m));
      const oneByOne = await everything();
      if (once) expect({ seed, tables: oneByOne }).toEqual({ seed, tables: once });
      await ds.transaction((m) => projection.reset(m));
      await ds.query('DELETE FROM privacy.lookup_tokens');
      for (let i = 0; i < delivered.length;) {
        const size = 1 + Math.floor(next() * 50);
        const batch = delivered.slice(i, i + size);
        await ds.transaction((m) => projection.apply(batch, m));
        i += size;
      }
      expect({ seed, tables: await everything() }).toEqual({ seed, tables: oneByOne });
      applied.push((oneByOne[0] as unknown[]).length);
    }
    // Not vacuous: most seeds leave customers (with fields, tags and consents) behind.
    expect(applied.filter((n) => n > 0).length).toBeGreaterThan(4);
  });

  it('holds each customer of a batch locked until it commits, a customer with no row yet too', async () => {
    const projection = customersProjection(privacy);
    const customerId = uuidv7();
    const held = async (): Promise<boolean> => {
      const [row] = await ds.query<{ got: boolean }[]>(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS got`, [`customers-row:${customerId}`]);
      return !row?.got;
    };
    let during: boolean | null = null;
    await ds.transaction(async (m) => {
      await projection.apply([recorded('CustomerTagged.v1', { customerId, tenantId: 'acme', added: ['x'], removed: [], taggedBy: 'u' })], m);
      during = await held();
    });
    expect(during).toBe(true);
    expect(await held()).toBe(false);
    // A batch of consent changes alone takes its own path; the same lock.
    let duringConsent: boolean | null = null;
    await ds.transaction(async (m) => {
      await projection.apply([recorded('ConsentWithdrawn.v1', { customerId, tenantId: 'acme', purposeKey: 'news', channel: 'email', scope: 'general' })], m);
      duringConsent = await held();
    });
    expect(duringConsent).toBe(true);
    expect(await held()).toBe(false);
  });

  it('a tagged customer’s tags are sorted and distinct; a created one keeps the order given', async () => {
    const projection = customersProjection(privacy);
    await ds.transaction((m) => projection.reset(m));
    const a = uuidv7();
    const b = uuidv7();
    const events = [
      recorded('CustomerCreated.v1', { customerId: a, tenantId: 'acme', profile: { name: 'Li Wei' }, tags: ['b', 'a'], under14: false, createdBy: 'u' }),
      recorded('CustomerCreated.v1', { customerId: b, tenantId: 'acme', profile: { name: 'Li Wei' }, tags: ['b', 'a'], under14: false, createdBy: 'u' }),
      recorded('CustomerTagged.v1', { customerId: b, tenantId: 'acme', added: ['c', 'a'], removed: ['b'], taggedBy: 'u' }),
    ];
    await ds.transaction((m) => projection.apply(events, m));
    const rows = await ds.query<{ customer_id: string; tags: string[] }[]>('SELECT customer_id, tags FROM customers.customers_v1');
    expect(Object.fromEntries(rows.map((r) => [r.customer_id, r.tags]))).toEqual({ [a]: ['b', 'a'], [b]: ['a', 'c'] });
  });
});
