import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { Coalescer, type Clock } from '@attest/kernel';
import type { MessagingRecipients, NumberConnection, WhatsAppIntake } from '@attest/messaging-application';
import { isStopRequest, SEND_ERRORS, verdictOn, type DeliveryState } from '@attest/messaging-domain';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';
import type { ProcessingJournal, ProcessingEntry } from '@attest/security';
import { answerHandshake, parseWebhook, signatureMatches, type WebhookNotification } from './cloud-api/webhook';
import { addStats, type PostgresMessagingSettings } from './message-log';
import type { PostgresMessagingNumbers } from './numbers';
import type { StopHandler } from './stops';

type StatusNotification = Extract<WebhookNotification, { kind: 'status' }>;

/** How long the intake keeps a number's opened settings. */
export const CONNECTION_TTL_MS = 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The order of delivery states (`advance` in the domain); a stored state not yet confirmed ranks 0. */
const STATUS_RANK = { sent: 1, delivered: 2, read: 3, failed: 4 } as const;

/**
 * `advance(current, incoming)` in SQL, for one message: the next state, or NULL when the status
 * changes nothing (a repeat, an older status, anything after `failed`, `failed` after delivery).
 * `rank` is the stored state's rank (NULL for blocked, held or cancelled messages).
 */
export const statusTransitionSql = (rank: string, incoming: string, incomingRank: string): string => `CASE
    WHEN ${rank} IS NULL OR ${rank} = 4 THEN NULL
    WHEN ${incoming} = 'failed' THEN CASE WHEN ${rank} >= 2 THEN NULL ELSE 'failed' END
    WHEN ${incomingRank} > ${rank} THEN ${incoming}
    ELSE NULL END`;

export const STATE_RANK_SQL = `CASE state WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 WHEN 'failed' THEN 4
    WHEN 'queued' THEN 0 WHEN 'sending' THEN 0 WHEN 'accepted' THEN 0 WHEN 'in-doubt' THEN 0 ELSE NULL END`;

/**
 * A round of statuses (no two for one message) applied in one statement: the messages locked, the
 * transition of `advance` applied to each, the rows changed returned with their input's position.
 */
const STATUS_SQL = `
  WITH input AS (
    SELECT * FROM unnest($2::text[], $3::uuid[], $4::text[], $5::int[], $6::int[], $7::timestamptz[], $8::int[])
      AS i(wamid, reference, status, incoming, code, at, ord)),
  cur AS (
    SELECT m.message_id, m.tenant_id, m.campaign_id, m.template_id, m.customer_id, m.purpose_key, m.legal_basis, m.decision_id, m.consent_ids, m.state,
      ${STATE_RANK_SQL.replace(/CASE state/, 'CASE m.state')} AS rank, i.wamid AS in_wamid, i.status, i.incoming, i.code, i.at, i.ord
    FROM input i JOIN messaging.messages m ON m.binding_id = $1 AND (m.wamid = i.wamid OR m.message_id = i.reference)
    FOR UPDATE OF m),
  nxt AS (SELECT cur.*, ${statusTransitionSql('cur.rank', 'cur.status', 'cur.incoming')} AS next FROM cur),
  upd AS (
    UPDATE messaging.messages m SET state = nxt.next, wamid = coalesce(m.wamid, nxt.in_wamid), error_code = coalesce(nxt.code, m.error_code), updated_at = $9,
      sent_at = CASE WHEN nxt.next IN ('sent', 'delivered', 'read') THEN coalesce(m.sent_at, nxt.at) ELSE m.sent_at END,
      delivered_at = CASE WHEN nxt.next IN ('delivered', 'read') THEN coalesce(m.delivered_at, nxt.at) ELSE m.delivered_at END,
      read_at = CASE WHEN nxt.next = 'read' THEN coalesce(m.read_at, nxt.at) ELSE m.read_at END,
      failed_at = CASE WHEN nxt.next = 'failed' THEN nxt.at ELSE m.failed_at END
    FROM nxt WHERE m.message_id = nxt.message_id AND nxt.next IS NOT NULL
    RETURNING nxt.*)
  SELECT message_id, tenant_id, campaign_id, template_id, customer_id, purpose_key, legal_basis, decision_id, consent_ids, state, rank, next, ord FROM upd`;

/** Meta writes numbers in full international form without the `+`; customers' numbers are kept with it. */
const international = (number: string): string => (number.startsWith('+') ? number : `+${number}`);

/** One status to apply: the statement's parameters, the day it counts on, its error code. */
interface StatusItem {
  readonly bindingId: string;
  readonly wamid: string;
  /** Attest's message id, echoed by Meta; null when the status did not carry one. */
  readonly reference: string | null;
  readonly status: string;
  readonly incoming: number;
  readonly code: number | null;
  readonly at: Date;
}

/** A status applied: the message, the rank of its state before, and its state now. */
type Applied = Row & { readonly rank: number; readonly next: DeliveryState; readonly ord: number };

/** The delivery states a status can pass through, counted in the statistics. */
const PASSED = { sent: 1, delivered: 2, read: 3 } as const;

/** What the intake calls when Meta changes a template's status (the application's template handling). */
export type TemplateStatusSink = (bindingId: string, name: string, language: string, status: string, reason: string | null) => Promise<boolean>;

interface Row {
  message_id: string;
  tenant_id: string;
  campaign_id: string | null;
  template_id: string;
  customer_id: string;
  purpose_key: string;
  legal_basis: string | null;
  decision_id: string | null;
  consent_ids: string[];
  state: string;
}

/**
 * The webhook intake of bound numbers (ADR 0015, 9). The signature is checked over the raw
 * bytes with the number's app secret before anything is parsed. A status is applied at most
 * once and only forward (sent < delivered < read; failed is final and never after delivery):
 * a repeat or a late older status changes nothing, so (wamid, status) is idempotent by
 * construction. Each applied status is counted in the statistics and recorded as processing.
 */
export class CloudApiIntake implements WhatsAppIntake {
  /**
   * Numbers' settings with their secrets opened, kept a few seconds: Meta sends bursts of
   * webhooks, and each would otherwise read and open them again. A changed secret is used
   * everywhere within CONNECTION_TTL_MS.
   */
  private readonly connections = new Map<string, { readonly connection: NumberConnection; readonly at: number }>();

  /**
   * Statuses applied in one transaction per batch of concurrent webhooks (group commit): every
   * status of a campaign's day counts into the same statistics row, whose lock would otherwise be
   * held through one commit per status. The transition is `advance`'s (`statusTransitionSql` is
   * checked against it over every pair). A webhook is answered only once its batch is committed.
   */
  private readonly statuses = new Coalescer<StatusItem, Applied | null>((batch) => this.applyBatch(batch), { maxInFlight: 2 });

  /**
   * One transaction for the batch, one statement per round of it (prepared once per connection:
   * its planning cost more than its execution); the states passed are counted in memory and added to the daily
   * statistics once per batch (a row updated once per status would be rewritten thousands of times).
   */
  private async applyBatch(batch: readonly StatusItem[]): Promise<(Applied | null)[]> {
    const out: (Applied | null)[] = batch.map(() => null);
    // Rounds in which no message appears twice (known by its wamid or by Attest's id): a later status
    // of the same message is applied after the earlier one, in a later round of the same transaction.
    const rounds: number[][] = [];
    const seen: Set<string>[] = [];
    batch.forEach((item, i) => {
      const keys = [`w:${item.wamid}`, ...(item.reference !== null ? [`r:${item.reference}`] : [])];
      let r = 0;
      while (seen[r]?.size && keys.some((k) => seen[r]?.has(k))) r += 1;
      (rounds[r] ??= []).push(i);
      const set = (seen[r] ??= new Set<string>());
      for (const k of keys) set.add(k);
    });
    const runner = this.options.owner.createQueryRunner();
    const client = (await runner.connect()) as pg.PoolClient;
    try {
      await client.query('BEGIN');
      const now = this.options.clock.now();
      const counts = new Map<string, { key: Parameters<typeof addStats>[1]; counts: Map<string, number> }>();
      for (const round of rounds) {
        const byNumber = new Map<string, number[]>();
        for (const i of round) {
          const bindingId = batch[i]?.bindingId ?? '';
          byNumber.set(bindingId, [...(byNumber.get(bindingId) ?? []), i]);
        }
        for (const [bindingId, indexes] of byNumber) {
          const items = indexes.map((i) => batch[i] as StatusItem);
          const { rows } = await client.query<Applied>({
            name: 'attest_whatsapp_statuses',
            text: STATUS_SQL,
            values: [
              bindingId,
              items.map((s) => s.wamid),
              items.map((s) => s.reference),
              items.map((s) => s.status),
              items.map((s) => s.incoming),
              items.map((s) => s.code),
              items.map((s) => s.at),
              indexes,
              now,
            ],
          });
          for (const row of rows) {
            out[row.ord] = row;
            const item = batch[row.ord] as StatusItem;
            const day = item.at.toISOString().slice(0, 10);
            const id = `${row.tenant_id}|${day}|${row.campaign_id ?? ''}|${row.template_id}`;
            const entry = counts.get(id) ?? {
              key: { tenantId: row.tenant_id, day, campaignId: row.campaign_id, templateId: row.template_id },
              counts: new Map<string, number>(),
            };
            counts.set(id, entry);
            const add = (k: string): void => {
              entry.counts.set(k, (entry.counts.get(k) ?? 0) + 1);
            };
            // Every state passed is counted once: a read arriving first also counts sent and delivered.
            if (row.next === 'failed') add(`failed|${item.code === null ? '' : String(item.code)}`);
            else
              for (const [measure, rank] of Object.entries(PASSED))
                if (rank > row.rank && rank <= STATUS_RANK[row.next as keyof typeof STATUS_RANK]) add(`${measure}|`);
          }
        }
      }
      for (const { key, counts: c } of counts.values()) await addStats(runner.manager, key, c);
      // Recorded before the commit, under ids of their own: a commit that fails leaves records the retried
      // webhook records again as the same entries, never a status applied without its record.
      await this.options.journal.record(out.flatMap((row, i) => (row ? [this.entryOf(row, batch[i] as StatusItem)] : [])));
      await client.query('COMMIT');
      return out;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  constructor(
    private readonly options: {
      readonly owner: DataSource;
      readonly numbers: PostgresMessagingNumbers;
      readonly settings: PostgresMessagingSettings;
      readonly privacy: ReadModelPrivacy;
      readonly recipients: MessagingRecipients;
      readonly stops: StopHandler;
      readonly journal: ProcessingJournal;
      readonly templates: TemplateStatusSink;
      readonly clock: Clock;
    },
  ) {}

  private async connection(bindingId: string): Promise<NumberConnection | null> {
    const kept = this.connections.get(bindingId);
    if (kept && Date.now() - kept.at < CONNECTION_TTL_MS) return kept.connection;
    const connection = await this.options.numbers.connection(bindingId);
    if (this.connections.size > 10_000) this.connections.clear();
    // An unknown number is not kept: configured a moment later, it is found at once.
    if (connection) this.connections.set(bindingId, { connection, at: Date.now() });
    else this.connections.delete(bindingId);
    return connection;
  }

  async handshake(bindingId: string, query: Readonly<Record<string, unknown>>): Promise<{ readonly status: 200 | 403 | 404; readonly body: string }> {
    const connection = await this.connection(bindingId);
    if (!connection) return { status: 404, body: 'unknown number' };
    return answerHandshake(query, connection.verifyToken);
  }

  async receive(
    bindingId: string,
    rawBody: Buffer,
    signature: string | undefined,
  ): Promise<{ readonly outcome: 'applied' | 'refused' | 'unknown-number' | 'retry-later'; readonly applied: number; readonly skipped: number }> {
    const connection = await this.connection(bindingId);
    if (!connection) return { outcome: 'unknown-number', applied: 0, skipped: 0 };
    if (!signatureMatches(rawBody, signature, connection.appSecret)) return { outcome: 'refused', applied: 0, skipped: 0 };
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return { outcome: 'applied', applied: 0, skipped: 1 };
    }
    const parsed = parseWebhook(body);
    if (!parsed) return { outcome: 'applied', applied: 0, skipped: 1 };
    let applied = 0;
    let skipped = parsed.skipped;
    let early = 0;
    for (const n of parsed.notifications) {
      const mine = n.kind === 'template-status' ? n.businessAccountId === connection.businessAccountId : n.phoneNumberId === connection.phoneNumberId;
      if (!mine) {
        skipped += 1;
        continue;
      }
      const done = await this.apply(connection.bindingId, connection.tenantId, n);
      if (done === 'early') early += 1;
      else if (done) applied += 1;
    }
    // Everything else is applied (and is applied once when the webhook comes again); the early status waits for its send.
    return { outcome: early > 0 ? 'retry-later' : 'applied', applied, skipped };
  }

  private async apply(bindingId: string, tenantId: string, n: WebhookNotification): Promise<boolean | 'early'> {
    switch (n.kind) {
      case 'status':
        return this.applyStatus(bindingId, n);
      case 'inbound': {
        const token = (await this.options.privacy.tokens(tenantId, 'phone', international(n.from)))[0] ?? null;
        // The 24-hour window opens with the person's message (free-form replies are allowed until then).
        if (token !== null) {
          await this.options.owner.query(
            `INSERT INTO messaging.windows (tenant_id, phone_token, last_inbound_at) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id, phone_token) DO UPDATE SET last_inbound_at = greatest(messaging.windows.last_inbound_at, EXCLUDED.last_inbound_at)`,
            [tenantId, token, n.at],
          );
        }
        const keywords = await this.options.settings.stopKeywords(tenantId);
        const stop = (n.text !== null && isStopRequest(n.text, keywords)) || (n.button !== null && isStopRequest(n.button, keywords));
        if (!stop) return true;
        const customerId = await this.options.recipients.byPhone(tenantId, international(n.from));
        if (customerId === null) return false;
        await this.options.stops.stop(tenantId, customerId, n.text !== null ? 'whatsapp:stop-keyword' : 'whatsapp:stop-button');
        return true;
      }
      case 'user-preference': {
        if (n.category !== 'marketing_messages' || n.value !== 'stop') return false;
        const customerId = await this.options.recipients.byPhone(tenantId, international(n.waId));
        if (customerId === null) return false;
        await this.options.stops.stop(tenantId, customerId, 'whatsapp:user-preference');
        return true;
      }
      case 'template-status':
        return this.options.templates(bindingId, n.name, n.language, n.event, n.reason);
      default: {
        const never: never = n;
        return never;
      }
    }
  }

  private async applyStatus(bindingId: string, n: StatusNotification): Promise<boolean | 'early'> {
    // A status Meta may add later changes nothing (as `advance` says).
    if (!Object.hasOwn(STATUS_RANK, n.status)) return false;
    const incoming = STATUS_RANK[n.status as keyof typeof STATUS_RANK];
    const reference = n.reference !== null && UUID.test(n.reference) ? n.reference : null;
    const code = n.status === 'failed' ? (n.errors[0]?.code ?? null) : null;
    if (code === SEND_ERRORS.marketingLimit) return this.marketingLimited(bindingId, n, reference);
    const row = await this.statuses.submit({ bindingId, wamid: n.wamid, reference, status: n.status, incoming, code, at: n.at });
    // 131050 arrives as a failed status: the person stopped marketing (K2). Acted on even when the status
    // itself is a repeat: a stop interrupted before Meta had its answer is carried out on the retry.
    if (code === 131050) {
      const customer = row ?? (await this.messageOf(bindingId, n.wamid, reference));
      if (customer) await this.options.stops.stop(customer.tenant_id, customer.customer_id, 'whatsapp:error-131050');
    }
    return row !== null;
  }

  /**
   * 131049 (Meta's per-person marketing limit) as a `failed` status: the message was not delivered, so
   * it is queued again for the send policy's time (a day) — unless its attempts are spent, then it
   * fails. Only the attempt that failed is retried: the row must still carry that attempt's wamid
   * (or, in doubt, none), so a repeat of an old failure arriving after the resend changes nothing.
   * One that arrives while its message's send is still being recorded (`sending`: no wamid to
   * compare yet) is `early`: the webhook is answered 503 and Meta delivers it again, by when the
   * row carries the attempt's wamid (or, if this process stopped, is in doubt).
   */
  private async marketingLimited(bindingId: string, n: StatusNotification, reference: string | null): Promise<boolean | 'early'> {
    const [row] = await this.options.owner.query<(Row & { attempts: number })[]>(
      `SELECT message_id, tenant_id, campaign_id, template_id, customer_id, purpose_key, legal_basis, decision_id, consent_ids, state, attempts
       FROM messaging.messages WHERE binding_id = $1
         AND ((wamid = $2 AND state IN ('accepted', 'sent')) OR (message_id = $3::uuid AND wamid IS NULL AND state IN ('in-doubt', 'sending')))`,
      [bindingId, n.wamid, reference],
    );
    if (!row) return false;
    if (row.state === 'sending') return 'early';
    const verdict = verdictOn(SEND_ERRORS.marketingLimit, row.attempts, n.at);
    if (verdict.kind === 'final') {
      const failed = await this.statuses.submit({
        bindingId,
        wamid: n.wamid,
        reference,
        status: 'failed',
        incoming: STATUS_RANK.failed,
        code: SEND_ERRORS.marketingLimit,
        at: n.at,
      });
      return failed !== null;
    }
    const requeued = await this.options.owner.query<{ message_id: string }[]>(
      `WITH requeued AS (UPDATE messaging.messages SET state = 'queued', wamid = NULL, next_attempt_at = $3, error_code = $4, updated_at = $5
         WHERE message_id = $1 AND state = $2 RETURNING message_id) SELECT message_id FROM requeued`,
      [row.message_id, row.state, verdict.at, SEND_ERRORS.marketingLimit, this.options.clock.now()],
    );
    if (requeued.length === 0) return false;
    await this.options.journal.record([
      {
        ...this.entryOf(
          { ...row, rank: 0, next: 'failed', ord: 0 },
          { bindingId, wamid: n.wamid, reference, status: 'failed', incoming: 4, code: SEND_ERRORS.marketingLimit, at: n.at },
        ),
        reasons: [`WHATSAPP.ERROR_${String(SEND_ERRORS.marketingLimit)}`, 'WHATSAPP.RETRY_SCHEDULED'],
        sourceId: `whatsapp-status:${row.message_id}:failed-${String(SEND_ERRORS.marketingLimit)}:${String(row.attempts)}`,
      },
    ]);
    return true;
  }

  private async messageOf(bindingId: string, wamid: string, reference: string | null): Promise<{ tenant_id: string; customer_id: string } | null> {
    const [found] = await this.options.owner.query<{ tenant_id: string; customer_id: string }[]>(
      `SELECT tenant_id, customer_id FROM messaging.messages WHERE binding_id = $1 AND (wamid = $2 OR message_id = $3::uuid) LIMIT 1`,
      [bindingId, wamid, reference],
    );
    return found ?? null;
  }

  /** A status change is processing (P7): recorded with the decision it rests on, once per state reached. */
  private entryOf(row: Applied, item: StatusItem): ProcessingEntry {
    return {
      tenantId: row.tenant_id,
      kind: 'transfer',
      actor: 'system:whatsapp-webhook',
      subjectId: row.customer_id,
      purpose: row.purpose_key,
      channel: 'whatsapp',
      dataCategories: ['contact'],
      outcome: row.next,
      reasons: item.code !== null ? [`WHATSAPP.ERROR_${String(item.code)}`] : [],
      legalBasis: row.legal_basis,
      correlationId: row.decision_id ?? row.message_id,
      commandId: row.message_id,
      at: item.at,
      consentIds: row.consent_ids,
      method: 'whatsapp-cloud-api',
      // A message reaches each state once: recorded again after a crash, it is recorded once.
      sourceId: `whatsapp-status:${row.message_id}:${row.next}`,
    };
  }
}
