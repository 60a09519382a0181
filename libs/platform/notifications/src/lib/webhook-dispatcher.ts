import type { DataSource } from 'typeorm';
import type { Clock, JsonValue } from '@attest/kernel';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook } from './signature';
import type { Outbox } from './outbox';
import { resolvesPublicly, type TenantDestination, type TenantEndpoints } from './tenant-endpoints';

export interface DispatcherLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WebhookDispatcherOptions {
  readonly dataSource: DataSource;
  readonly outbox: Outbox;
  /** The deployment's receiver (its delivery gateway): messages to persons, and tenants' notices without an endpoint of their own. */
  readonly deployment: { readonly endpoint: string; readonly secret: string } | null;
  /** Tenants' own endpoints, for their notices; none: everything goes to the deployment's receiver. */
  readonly tenantEndpoints?: TenantEndpoints;
  readonly clock: Clock;
  readonly logger: DispatcherLogger;
  /** After this many failed attempts a notification becomes a dead letter. */
  readonly maxAttempts?: number;
  /** First retry delay; doubled per attempt, capped at one hour. */
  readonly baseDelayMs?: number;
  readonly pollIntervalMs?: number;
  readonly timeoutMs?: number;
  readonly batchSize?: number;
}

interface DueRow {
  id: string;
  tenant_id: string;
  subject_id: string;
  kind: string;
  payload: JsonValue | null;
  attempts: number;
  audience: 'person' | 'tenant';
}

export interface DispatchResult {
  readonly delivered: number;
  readonly retried: number;
  readonly dead: number;
  readonly erased: number;
}

/**
 * Delivers due outbox rows as signed webhooks: `POST endpoint` with JSON
 * `{ id, kind, tenantId, createdAt, payload }` and the `Attest-Signature`
 * header. A notice for a tenant's systems goes to the tenant's own endpoint
 * (signed with its secret) when it has one; everything else to the
 * deployment's receiver; a row with nowhere to go waits. 2xx = delivered (the payload is cleared); anything else is retried
 * with exponential backoff, then dead-lettered. Rows are leased with
 * `FOR UPDATE SKIP LOCKED`, so several dispatchers do not send one at once
 * (delivery is at least once: receivers deduplicate by `Attest-Delivery`).
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 2_000;
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.running = this.dispatchDue()
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error instanceof Error ? { name: error.name } : {} }, 'notification dispatch failed');
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.pollIntervalMs ?? 500);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One pass over the due rows. Rows are leased in a short transaction and
   * sent outside it: an open transaction would hold back the event store's
   * visibility horizon for as long as a receiver takes to answer.
   */
  async dispatchDue(): Promise<DispatchResult> {
    const result = { delivered: 0, retried: 0, dead: 0, erased: 0 };
    const now = this.options.clock.now();
    const lease = new Date(now.getTime() + (this.options.timeoutMs ?? 10_000) * 3);
    const deployment = this.options.deployment;
    const rows: DueRow[] = await this.options.dataSource.query(
      `WITH leased AS (
         UPDATE notifications.outbox o SET next_attempt_at = $3
         WHERE o.id IN (SELECT id FROM notifications.outbox WHERE status = 'pending' AND next_attempt_at <= $1
                          AND ($4 OR (audience = 'tenant' AND $5 AND tenant_id IN (SELECT tenant_id FROM notifications.tenant_endpoints)))
                        ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING o.id, o.tenant_id, o.subject_id, o.kind, o.payload, o.attempts, o.audience)
       SELECT * FROM leased`,
      [now, this.options.batchSize ?? 50, lease, deployment !== null, this.options.tenantEndpoints !== undefined],
    );
    const update = (sql: string, params: unknown[]): Promise<unknown> => this.options.dataSource.query(sql, params);
    const tenants =
      (await this.options.tenantEndpoints?.destinations(rows.filter((r) => r.audience === 'tenant').map((r) => r.tenant_id))) ??
      new Map<string, TenantDestination>();
    for (const row of rows) {
      const own = row.audience === 'tenant' ? tenants.get(row.tenant_id) : undefined;
      const target: { endpoint: string; secret: string; destination: 'tenant' | 'deployment' } | null = own
        ? { endpoint: own.url, secret: own.secret, destination: 'tenant' }
        : deployment
          ? { ...deployment, destination: 'deployment' }
          : null;
      // Its endpoint was removed meanwhile and there is no deployment receiver: it waits (the lease lapses).
      if (target === null) continue;
      const payload = await this.options.outbox.open(row.id, row.subject_id, row.payload);
      if (!payload) {
        // The subject was erased before delivery: nothing may be sent about them any more.
        await update(`UPDATE notifications.outbox SET status = 'erased', payload = NULL WHERE id = $1`, [row.id]);
        result.erased += 1;
        continue;
      }
      const body = JSON.stringify({ id: row.id, kind: row.kind, tenantId: row.tenant_id, payload });
      // A tenant's endpoint is checked again on each delivery: a name may have come to point inside the platform's network.
      const allowed = target.destination === 'deployment' || (await resolvesPublicly(target.endpoint, this.options.tenantEndpoints?.allowPrivate === true));
      const error = allowed ? await this.send(row.id, body, target) : 'ENDPOINT_NOT_PUBLIC';
      if (error === null) {
        await update(
          `UPDATE notifications.outbox SET status = 'delivered', payload = NULL, delivered_at = $2, attempts = attempts + 1, last_error = NULL, destination = $3 WHERE id = $1`,
          [row.id, this.options.clock.now(), target.destination],
        );
        result.delivered += 1;
      } else if (row.attempts + 1 >= this.maxAttempts) {
        await update(`UPDATE notifications.outbox SET status = 'dead', attempts = attempts + 1, last_error = $2, destination = $3 WHERE id = $1`, [
          row.id,
          error,
          target.destination,
        ]);
        this.options.logger.warn({ notificationId: row.id, kind: row.kind, error }, 'notification dead-lettered');
        result.dead += 1;
      } else {
        const delay = Math.min(3_600_000, this.baseDelayMs * 2 ** row.attempts);
        await update(`UPDATE notifications.outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, destination = $4 WHERE id = $1`, [
          row.id,
          error,
          new Date(this.options.clock.now().getTime() + delay),
          target.destination,
        ]);
        result.retried += 1;
      }
    }
    return result;
  }

  /** null when delivered; otherwise a short reason without response bodies (they may echo data). */
  private async send(id: string, body: string, target: { readonly endpoint: string; readonly secret: string }): Promise<string | null> {
    const t = Math.floor(this.options.clock.now().getTime() / 1000);
    try {
      const res = await fetch(target.endpoint, {
        method: 'POST',
        // A redirect is not followed: it could lead a tenant's notice anywhere.
        redirect: 'manual',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(target.secret, body, t), [DELIVERY_HEADER]: id },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer();
      return res.ok ? null : `HTTP ${String(res.status)}`;
    } catch (error) {
      return error instanceof Error ? error.name : 'error';
    }
  }
}
