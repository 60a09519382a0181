import type { DataSource, QueryRunner } from 'typeorm';
import type { Clock, JsonValue } from '@attest/kernel';
import type { ListedTemplate, TemplateCategory } from '@attest/messaging-domain';
import { verdictOn } from '@attest/messaging-domain';
import type { NumberConnection, TemplateCatalog } from '@attest/messaging-application';
import type { Logger } from '@attest/observability';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';
import { isErased } from '@attest/privacy';
import type { ProcessingJournal } from '@attest/security';
import { CloudApiClient, type SendOutcome } from './cloud-api/cloud-api.client';
import type { TemplateMessageRequest } from './cloud-api/wire';
import { addStats, contentColumn, type SealedContent } from './message-log';
import type { PostgresMessagingNumbers } from './numbers';
import type { StopHandler } from './stops';

/** The Cloud API's template list as the messaging domain reads it: body parameters counted from `{{n}}`. */
export class CloudApiTemplateCatalog implements TemplateCatalog {
  constructor(private readonly options: { readonly timeoutMs?: number } = {}) {}

  async list(connection: NumberConnection): Promise<ListedTemplate[]> {
    const items = await new CloudApiClient(connection, this.options).listTemplates();
    const categories: readonly string[] = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];
    return items
      .filter((t) => categories.includes(t.category))
      .map((t) => {
        const body = t.components.find((c) => c.type.toUpperCase() === 'BODY')?.text ?? '';
        const parameters = new Set([...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1])).size;
        return { templateId: t.id, name: t.name, language: t.language, category: t.category as TemplateCategory, status: t.status, parameters };
      });
  }
}

interface Claimed {
  message_id: string;
  tenant_id: string;
  campaign_id: string | null;
  template_id: string;
  template_name: string;
  language: string;
  purpose_key: string;
  customer_id: string;
  legal_basis: string | null;
  decision_id: string | null;
  consent_ids: string[];
  content: JsonValue;
  attempts: number;
}

interface Lease {
  readonly bindingId: string;
  readonly runner: QueryRunner;
  connection: NumberConnection;
  client: CloudApiClient;
  tokens: number;
  lastRefill: number;
  /** 130429: the whole number waits until then. */
  pausedUntil: number;
  busy: boolean;
  /** Sends whose answers are awaited. */
  sending: number;
}

export interface DispatcherOptions {
  readonly owner: DataSource;
  readonly numbers: PostgresMessagingNumbers;
  readonly privacy: ReadModelPrivacy;
  readonly journal: ProcessingJournal;
  readonly stops: StopHandler;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often the dispatcher wakes (ms); the token bucket makes the rate, not this. */
  readonly tickMs?: number;
  /** A send's answer is awaited this long; then the message is in doubt (never resent). */
  readonly sendTimeoutMs?: number;
  /** How often leases of numbers not held yet are tried (ms). */
  readonly leaseEveryMs?: number;
}

const lockKey = (bindingId: string): string => `whatsapp-number:${bindingId}`;
const err = (error: unknown): { name: string; message: string } | undefined =>
  error instanceof Error ? { name: error.name, message: error.message } : undefined;

/**
 * Sends the outbox of bound numbers (ADR 0015, 7–8). A dispatcher holds one Postgres advisory
 * lock per number it serves (on a connection of its own: a process that dies loses its leases
 * with its connection), so one number is served by one process at a time whatever the number
 * of processes; it keeps to the number's rate with a token bucket. A message is marked `sending`
 * before its request leaves; a lease taken over finds the rows its previous holder left
 * `sending` and marks them in doubt — their status webhook settles them, nothing resends them.
 */
export class WhatsAppDispatcher {
  private readonly leases = new Map<string, Lease>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private lastLeaseTry = 0;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {}

  start(): void {
    this.stopped = false;
    this.lastLeaseTry = 0;
    const tick = (): void => {
      this.running = this.tick()
        .catch((error: unknown) => {
          this.options.logger.warn({ err: err(error) }, 'the WhatsApp dispatcher tick failed; retrying');
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.tickMs ?? 50);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all([...this.inFlight]);
    // A session lock outlives a pooled connection's release: unlocked first, so another process may take the number at once.
    for (const lease of this.leases.values()) {
      await lease.runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lockKey(lease.bindingId)]).catch(() => undefined);
      await lease.runner.release().catch(() => undefined);
    }
    this.leases.clear();
  }

  /** The numbers this process serves now. */
  held(): string[] {
    return [...this.leases.keys()];
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    if (now - this.lastLeaseTry >= (this.options.leaseEveryMs ?? 2_000)) {
      this.lastLeaseTry = now;
      await this.acquireLeases();
    }
    for (const lease of this.leases.values()) {
      if (lease.busy) continue;
      this.track(
        this.serve(lease).catch(async (error: unknown) => {
          // The lease's connection failed (a failover, a killed backend): let the number go; the next lease try takes it again.
          this.options.logger.warn({ err: err(error), bindingId: lease.bindingId }, 'a WhatsApp number’s lease failed; taking it again');
          if (this.leases.get(lease.bindingId) === lease) this.leases.delete(lease.bindingId);
          await lease.runner.release().catch(() => undefined);
        }),
      );
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async acquireLeases(): Promise<void> {
    const configured = await this.options.numbers.all();
    // A number whose settings were removed is not served any more: its lease goes.
    for (const [bindingId, lease] of this.leases) {
      if (configured.includes(bindingId) || lease.busy || lease.sending > 0) continue;
      this.leases.delete(bindingId);
      await lease.runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lockKey(bindingId)]).catch(() => undefined);
      await lease.runner.release().catch(() => undefined);
    }
    for (const bindingId of configured) {
      const held = this.leases.get(bindingId);
      if (held) {
        // Marketing queued for a person whose STOP raced the gate is skipped by the claim; here it is cancelled.
        await this.options.owner.query(
          `UPDATE messaging.messages m SET state = 'cancelled', reasons = ARRAY['MESSAGING.SUPPRESSED'], updated_at = now()
           WHERE m.binding_id = $1 AND m.state IN ('queued', 'held') AND m.category = 'MARKETING'
             AND EXISTS (SELECT 1 FROM messaging.suppressions s WHERE s.tenant_id = m.tenant_id AND s.customer_id = m.customer_id)`,
          [bindingId],
        );
        // Settings change (rate, token): read again, keep the lease.
        const connection = await this.options.numbers.connection(bindingId);
        if (connection) {
          held.connection = connection;
          held.client = this.clientFor(connection);
        }
        continue;
      }

      const runner = this.options.owner.createQueryRunner();
      await runner.connect();
      const [row] = (await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [lockKey(bindingId)])) as { locked: boolean }[];
      const connection = row?.locked ? await this.options.numbers.connection(bindingId) : null;
      if (!connection) {
        if (row?.locked) await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lockKey(bindingId)]);
        await runner.release();
        continue;
      }
      // The previous holder's sends whose answers it never recorded: in doubt, settled by their webhooks only.
      const left = (await runner.query(
        `WITH doubted AS (UPDATE messaging.messages SET state = 'in-doubt', updated_at = now() WHERE binding_id = $1 AND state = 'sending' RETURNING message_id)
         SELECT count(*)::int AS n FROM doubted`,
        [bindingId],
      )) as { n: number }[];
      if ((left[0]?.n ?? 0) > 0)
        this.options.logger.warn({ bindingId, inDoubt: left[0]?.n }, 'messages left sending by a stopped dispatcher are in doubt until their status webhooks');
      this.leases.set(bindingId, {
        bindingId,
        runner,
        connection,
        client: this.clientFor(connection),
        tokens: 0,
        lastRefill: Date.now(),
        pausedUntil: 0,
        busy: false,
        sending: 0,
      });
      this.options.logger.info({ bindingId }, 'serving the outbox of a WhatsApp number');
    }
  }

  private clientFor(connection: NumberConnection): CloudApiClient {
    return new CloudApiClient(connection, { timeoutMs: this.options.sendTimeoutMs ?? 10_000 });
  }

  private async serve(lease: Lease): Promise<void> {
    lease.busy = true;
    try {
      const now = Date.now();
      const rate = lease.connection.ratePerSecond;
      // At most a quarter of a second's worth at once: the rate holds over any second.
      // (At least one whole token: a number of 1–3 messages/s must still send.)
      lease.tokens = Math.min(Math.max(1, rate / 4), lease.tokens + ((now - lease.lastRefill) / 1000) * rate);
      lease.lastRefill = now;
      if (now < lease.pausedUntil) return;
      // Answers slower than a second's worth of sends hold the number back rather than pile up.
      const n = Math.min(Math.floor(lease.tokens), Math.max(0, rate - lease.sending));
      if (n < 1) return;
      const claimed = await this.claim(lease, n);
      lease.tokens -= claimed.length;
      for (const row of claimed) {
        lease.sending += 1;
        this.track(
          this.sendOne(lease, row)
            .catch((error: unknown) => {
              this.options.logger.error(
                { err: err(error), messageId: row.message_id },
                'a WhatsApp send could not be recorded; the message stays sending and is put in doubt by the next lease',
              );
            })
            .finally(() => {
              lease.sending -= 1;
            }),
        );
      }
    } finally {
      lease.busy = false;
    }
  }

  private async claim(lease: Lease, n: number): Promise<Claimed[]> {
    return (await lease.runner.query(
      `WITH due AS (
         SELECT message_id FROM messaging.messages m WHERE binding_id = $1 AND state = 'queued' AND next_attempt_at <= now()
           -- A STOP that raced the gate: marketing to a suppressed person never leaves (it is cancelled below).
           AND NOT (category = 'MARKETING' AND EXISTS (SELECT 1 FROM messaging.suppressions s WHERE s.tenant_id = m.tenant_id AND s.customer_id = m.customer_id))
         ORDER BY next_attempt_at, message_id LIMIT $2 FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE messaging.messages m SET state = 'sending', attempts = m.attempts + 1, updated_at = now() FROM due WHERE m.message_id = due.message_id
         RETURNING m.message_id, m.tenant_id, m.campaign_id, m.template_id, m.template_name, m.language, m.purpose_key, m.customer_id, m.legal_basis,
           m.decision_id, m.consent_ids, m.content, m.attempts)
       SELECT * FROM claimed`,
      [lease.bindingId, n],
    )) as Claimed[];
  }

  private async sendOne(lease: Lease, row: Claimed): Promise<void> {
    const content = await this.options.privacy.open(row.customer_id, contentColumn(row.message_id), row.content);
    if (
      typeof content !== 'object' ||
      content === null ||
      Array.isArray(content) ||
      isErased(content) ||
      typeof (content as { phone?: unknown }).phone !== 'string'
    ) {
      // The subject was erased after the message was queued: nothing to send, nothing to send with.
      await this.finish(row, 'cancelled', null, ['SUBJECT.ERASED']);
      return;
    }
    const sealed = content as unknown as SealedContent;
    const request: TemplateMessageRequest = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: sealed.phone.replace(/[^\d]/g, ''),
      type: 'template',
      template: {
        name: row.template_name,
        language: { code: row.language },
        ...(sealed.parameters.length > 0
          ? { components: [{ type: 'body', parameters: sealed.parameters.map((text) => ({ type: 'text' as const, text })) }] }
          : {}),
      },
      biz_opaque_callback_data: row.message_id,
    };
    let outcome: SendOutcome;
    try {
      outcome = await lease.client.send(request);
    } catch {
      outcome = { kind: 'unknown', reason: 'network', httpStatus: null };
    }
    const at = this.options.clock.now();
    switch (outcome.kind) {
      case 'accepted':
        // Recorded first: a process that dies before the update leaves the row in doubt, the record true.
        await this.record(row, 'accepted', at);
        await this.options.owner.query(
          `UPDATE messaging.messages SET wamid = coalesce(wamid, $2), state = CASE WHEN state = 'sending' THEN 'accepted' ELSE state END, updated_at = $3 WHERE message_id = $1`,
          [row.message_id, outcome.wamid, at],
        );
        return;
      case 'unknown':
        // It may have left: recorded as a transfer whose outcome is not known.
        await this.record(row, 'in-doubt', at);
        await this.options.owner.query(`UPDATE messaging.messages SET state = 'in-doubt', updated_at = $2 WHERE message_id = $1 AND state = 'sending'`, [
          row.message_id,
          at,
        ]);
        return;
      case 'refused': {
        const verdict = verdictOn(outcome.code, row.attempts, at);
        if (verdict.kind === 'retry') {
          if (verdict.scope === 'number') lease.pausedUntil = verdict.at.getTime();
          await this.options.owner.query(
            `UPDATE messaging.messages SET state = 'queued', next_attempt_at = $2, error_code = $3, updated_at = $4 WHERE message_id = $1 AND state = 'sending'`,
            [row.message_id, verdict.at, verdict.code, at],
          );
          return;
        }
        await this.finish(row, 'failed', outcome.code, [`WHATSAPP.${verdict.reason.toUpperCase().replace(/-/g, '_')}`]);
        if (verdict.withdraws) await this.options.stops.stop(row.tenant_id, row.customer_id, 'whatsapp:error-131050');
        return;
      }
    }
  }

  private async finish(row: Claimed, state: 'failed' | 'cancelled', code: number | null, reasons: readonly string[]): Promise<void> {
    const at = this.options.clock.now();
    await this.options.owner.transaction(async (m) => {
      const changed = await m.query<{ message_id: string }[]>(
        `WITH changed AS (UPDATE messaging.messages SET state = $2, error_code = $3, reasons = $4, failed_at = CASE WHEN $2 = 'failed' THEN $5::timestamptz ELSE failed_at END, updated_at = $5
         WHERE message_id = $1 AND state = 'sending' RETURNING message_id) SELECT message_id FROM changed`,
        [row.message_id, state, code, reasons, at],
      );
      // Counted only when this process still held the message (a lease taken over has put it in doubt).
      if (state === 'failed' && changed.length === 1) {
        await addStats(
          m,
          { tenantId: row.tenant_id, day: at.toISOString().slice(0, 10), campaignId: row.campaign_id, templateId: row.template_id },
          new Map([[`failed|${String(code ?? '')}`, 1]]),
        );
      }
    });
  }

  private async record(row: Claimed, outcome: string, at: Date): Promise<void> {
    await this.options.journal.record([
      {
        tenantId: row.tenant_id,
        kind: 'transfer',
        actor: 'system:whatsapp-dispatcher',
        subjectId: row.customer_id,
        purpose: row.purpose_key,
        channel: 'whatsapp',
        dataCategories: ['contact'],
        outcome,
        reasons: [],
        legalBasis: row.legal_basis,
        // The send's record names the decision it rests on (its entry's id) and that decision's consents.
        correlationId: row.decision_id ?? row.message_id,
        commandId: row.message_id,
        at,
        consentIds: row.consent_ids,
        method: 'whatsapp-cloud-api',
        sourceId: `whatsapp-send:${row.message_id}:${String(row.attempts)}`,
      },
    ]);
  }
}

/** Where a bound number's outbox stands (`attest whatsapp outbox`; no personal data). */
export interface OutboxOverview {
  readonly tenantId: string;
  readonly bindingId: string;
  readonly ratePerSecond: number;
  readonly queued: number;
  readonly dueNow: number;
  readonly held: number;
  readonly sending: number;
  readonly inDoubt: number;
  readonly oldestQueuedAt: Date | null;
  /** Whether some process holds the number's lease (serves its outbox) now. */
  readonly served: boolean;
}

/** Every configured number's outbox, and whether a dispatcher serves it (its advisory lock is held). */
export async function outboxOverview(owner: DataSource, tenantId: string | null): Promise<OutboxOverview[]> {
  const rows = await owner.query<
    {
      tenant_id: string;
      binding_id: string;
      rate_per_second: number;
      queued: number;
      due_now: number;
      held: number;
      sending: number;
      in_doubt: number;
      oldest: Date | null;
      served: boolean;
    }[]
  >(
    `SELECT n.tenant_id, n.binding_id, n.rate_per_second,
       count(*) FILTER (WHERE m.state = 'queued')::int AS queued,
       count(*) FILTER (WHERE m.state = 'queued' AND m.next_attempt_at <= now())::int AS due_now,
       count(*) FILTER (WHERE m.state = 'held')::int AS held,
       count(*) FILTER (WHERE m.state = 'sending')::int AS sending,
       count(*) FILTER (WHERE m.state = 'in-doubt')::int AS in_doubt,
       min(m.queued_at) FILTER (WHERE m.state = 'queued') AS oldest,
       -- A bigint advisory lock shows in pg_locks as its high and low 32 bits (classid, objid; objsubid 1).
       EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
         AND l.classid = ((k.key >> 32) & x'ffffffff'::bigint)::text::oid AND l.objid = (k.key & x'ffffffff'::bigint)::text::oid) AS served
     FROM messaging.numbers_v1 n
       CROSS JOIN LATERAL (SELECT hashtextextended('whatsapp-number:' || n.binding_id::text, 0) AS key) k
       LEFT JOIN messaging.messages m ON m.binding_id = n.binding_id
     WHERE $1::text IS NULL OR n.tenant_id = $1
     GROUP BY n.tenant_id, n.binding_id, n.rate_per_second, k.key ORDER BY n.tenant_id, n.binding_id`,
    [tenantId],
  );
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    bindingId: r.binding_id,
    ratePerSecond: r.rate_per_second,
    queued: r.queued,
    dueNow: r.due_now,
    held: r.held,
    sending: r.sending,
    inDoubt: r.in_doubt,
    oldestQueuedAt: r.oldest,
    served: r.served,
  }));
}
