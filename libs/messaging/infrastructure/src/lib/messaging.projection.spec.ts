import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import type { GlobalPosition, RecordedEvent } from '@attest/event-store';
import { uuidv7 } from '@attest/kernel';
import { createTestDatabase, seededRandom, type TestDatabase } from '@attest/testing';
import { messagingMigrations } from './migrations';
import { messagingProjection } from './messaging.projection';

describe('messaging projection: waiting messages cancelled and erased (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let seq = 0;
  const campaign = uuidv7();
  const customers = [uuidv7(), uuidv7(), uuidv7()];
  const base = Date.UTC(2026, 10, 22);
  const minute = (n: number): string => new Date(base + n * 60_000).toISOString();

  beforeAll(async () => {
    db = await createTestDatabase('messaging_projection', { migrations: [...platformMigrations, ...messagingMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const recorded = (type: string, data: object, at: number): RecordedEvent => {
    seq += 1;
    return {
      id: uuidv7(),
      type,
      data: { tenantId: 'acme', ...data },
      metadata: { tenantId: 'acme', actor: 'user:a', correlationId: 'c', causationId: null, commandId: 'c', occurredAt: minute(at) },
      streamId: 's',
      streamPosition: seq,
      globalPosition: String(seq).padStart(12, '0') as GlobalPosition,
      recordedAt: new Date(),
    };
  };

  /** Messages of three customers and two purposes, created minute by minute, in every state a projection meets. */
  async function seedMessages(next: () => number, ids: readonly string[]): Promise<void> {
    await ds.query('DELETE FROM messaging.messages');
    // A campaign gates each recipient once: one campaign message per customer at most.
    const inCampaign = new Set<string>();
    const rows = ids.map((messageId, i) => {
      const customerId = customers[Math.floor(next() * customers.length)] ?? '';
      const joins = !inCampaign.has(customerId) && next() < 0.7;
      if (joins) inCampaign.add(customerId);
      return {
        message_id: messageId,
        campaign_id: joins ? campaign : null,
        purpose_key: next() < 0.5 ? 'news' : 'offers',
        customer_id: customerId,
        state: ['queued', 'queued', 'held', 'sent', 'blocked'][Math.floor(next() * 5)],
        content: { sealed: i },
        phone_token: `token-${String(i)}`,
        created_at: minute(Math.floor(next() * 60)),
      };
    });
    await ds.query(
      `INSERT INTO messaging.messages (message_id, tenant_id, campaign_id, binding_id, template_id, template_name, language, category, purpose_key, customer_id,
         state, content, phone_token, created_at, updated_at)
       SELECT r.message_id, 'acme', r.campaign_id, $2::uuid, 't', 't', 'en', 'marketing', r.purpose_key, r.customer_id, r.state, r.content, r.phone_token, r.created_at, r.created_at
         FROM jsonb_to_recordset($1::jsonb) AS r(message_id uuid, campaign_id uuid, purpose_key text, customer_id uuid, state text, content jsonb, phone_token text, created_at timestamptz)`,
      [JSON.stringify(rows), uuidv7()],
    );
  }

  /** Every message as the projection leaves it; the time of a change a campaign made is `now()`, so only an event's own time is compared. */
  const messages = async (): Promise<unknown[]> =>
    ds.query(
      `SELECT message_id, state, reasons, content, phone_token,
              CASE WHEN reasons && ARRAY['CONSENT_WITHDRAWN', 'CUSTOMER_RESTRICTED'] THEN updated_at END AS cancelled_at
         FROM messaging.messages ORDER BY message_id`,
    );

  /** Withdrawals (on whatsapp and elsewhere), restrictions and erasures at random minutes, between a campaign's pauses and resumptions. */
  function history(next: () => number, length: number): RecordedEvent[] {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const out: RecordedEvent[] = [];
    for (let i = 0; i < length; i++) {
      const customerId = pick(customers);
      const at = Math.floor(next() * 70);
      const r = next();
      if (r < 0.4)
        out.push(recorded('ConsentWithdrawn.v1', { customerId, purposeKey: pick(['news', 'offers']), channel: pick(['whatsapp', 'whatsapp', 'email']) }, at));
      else if (r < 0.7) out.push(recorded('CustomerProcessingRestricted.v1', { customerId, reason: 'r' }, at));
      else if (r < 0.8) out.push(recorded('CustomerErased.v1', { customerId, requestId: null }, at));
      else out.push(recorded(pick(['WhatsAppCampaignPaused.v1', 'WhatsAppCampaignResumed.v1', 'WhatsAppCampaignCancelled.v1']), { campaignId: campaign }, at));
    }
    return out;
  }

  it('the first withdrawal or restriction to reach a waiting message cancels it, with its reason and time, whatever the batch', async () => {
    const outcomes: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const next = seededRandom(seed);
      const events = history(next, 30);
      const ids = Array.from({ length: 40 }, () => uuidv7());
      await seedMessages(seededRandom(100 + seed), ids);
      for (const e of events) await ds.transaction((m) => messagingProjection.apply([e], m));
      const oneByOne = await messages();
      await seedMessages(seededRandom(100 + seed), ids);
      for (let i = 0; i < events.length;) {
        const size = 1 + Math.floor(next() * 12);
        await ds.transaction((m) => messagingProjection.apply(events.slice(i, i + size), m));
        i += size;
      }
      expect({ seed, messages: await messages() }).toEqual({ seed, messages: oneByOne });
      outcomes.push((oneByOne as { cancelled_at: unknown }[]).filter((r) => r.cancelled_at !== null).length);
    }
    // Not vacuous: the histories cancel messages.
    expect(outcomes.filter((n) => n > 0).length).toBeGreaterThan(4);
  });

  it('a restriction then a withdrawal: the restriction’s reason and time; later messages and other states are left alone', async () => {
    const [a, b] = customers as [string, string];
    await ds.query('DELETE FROM messaging.messages');
    const insert = async (customerId: string, purposeKey: string, state: string, created: number): Promise<string> => {
      const id = uuidv7();
      await ds.query(
        `INSERT INTO messaging.messages (message_id, tenant_id, binding_id, template_id, template_name, language, category, purpose_key, customer_id,
           state, content, phone_token, created_at, updated_at)
         VALUES ($1, 'acme', $2, 't', 't', 'en', 'marketing', $3, $4, $5, '{"sealed":1}', 'tok', $6, $6)`,
        [id, uuidv7(), purposeKey, customerId, state, minute(created)],
      );
      return id;
    };
    const early = await insert(a, 'news', 'queued', 1);
    const late = await insert(a, 'news', 'queued', 20);
    const sent = await insert(a, 'news', 'sent', 1);
    const other = await insert(b, 'news', 'held', 1);
    await ds.transaction((m) =>
      messagingProjection.apply(
        [
          recorded('CustomerProcessingRestricted.v1', { customerId: a, reason: 'r' }, 5),
          recorded('ConsentWithdrawn.v1', { customerId: a, purposeKey: 'news', channel: 'whatsapp' }, 30),
          recorded('ConsentWithdrawn.v1', { customerId: b, purposeKey: 'news', channel: 'email' }, 30),
          recorded('CustomerErased.v1', { customerId: b, requestId: null }, 31),
        ],
        m,
      ),
    );
    const rows = await ds.query<{ message_id: string; state: string; reasons: string[]; updated_at: Date; content: unknown }[]>(
      'SELECT message_id, state, reasons, updated_at, content FROM messaging.messages',
    );
    const byId = new Map(rows.map((r) => [r.message_id, r]));
    expect(byId.get(early)).toMatchObject({ state: 'cancelled', reasons: ['CUSTOMER_RESTRICTED'], updated_at: new Date(minute(5)) });
    expect(byId.get(late)).toMatchObject({ state: 'cancelled', reasons: ['CONSENT_WITHDRAWN'], updated_at: new Date(minute(30)) });
    expect(byId.get(sent)).toMatchObject({ state: 'sent', reasons: [] });
    // An e-mail withdrawal leaves whatsapp messages alone; the erasure takes their content.
    expect(byId.get(other)).toMatchObject({ state: 'held', reasons: [], content: null });
  });
});
