import type { DataSource, EntityManager } from 'typeorm';
import { isErased } from '@attest/privacy';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';
import { uuidv7, type JsonObject, type JsonValue } from '@attest/kernel';

export interface Notification {
  /** Unique per cause (say `<event id>:invitation`): writing it twice adds one row. */
  readonly sourceKey: string;
  readonly tenantId: string;
  /** The data subject the payload is about; its key seals the payload. */
  readonly subjectId: string;
  /** What the receiver does with it: `one-time-code`, `invitation`, `account-notice` … */
  readonly kind: string;
  /** Recipient address and message fields; personal data, never stored in plaintext. */
  readonly payload: JsonObject;
}

/**
 * Who a notification is for: a payload with a recipient address (`to`) is a message to a person,
 * which the deployment's delivery gateway sends; any other is a notice for the tenant's systems,
 * delivered to the tenant's own endpoint when it set one.
 */
export type Audience = 'person' | 'tenant';
export const audienceOf = (payload: JsonObject): Audience => (Object.hasOwn(payload, 'to') ? 'person' : 'tenant');

export interface OutboxEntryView {
  readonly id: string;
  readonly tenantId: string;
  readonly kind: string;
  readonly status: 'pending' | 'delivered' | 'dead' | 'erased';
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly nextAttemptAt: Date;
  readonly deliveredAt: Date | null;
  readonly audience: Audience;
  /** Where the last attempt went; null before the first. */
  readonly destination: 'deployment' | 'tenant' | null;
}

const TABLE = 'notifications.outbox';

/** Writes notifications inside the caller's transaction, sealed under the subject's key. */
export class Outbox {
  constructor(private readonly privacy: ReadModelPrivacy) {}

  async enqueue(manager: EntityManager, notification: Notification, at: Date): Promise<string | null> {
    const id = uuidv7();
    const sealed = await this.privacy.seal(notification.subjectId, { table: TABLE, column: 'payload', row: id }, notification.payload);
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO notifications.outbox (id, source_key, tenant_id, subject_id, kind, payload, next_attempt_at, created_at, audience)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (source_key) DO NOTHING RETURNING id`,
      [
        id,
        notification.sourceKey,
        notification.tenantId,
        notification.subjectId,
        notification.kind,
        JSON.stringify(sealed),
        at,
        audienceOf(notification.payload),
      ],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Many notifications in one statement (a projection's batch), each sealed under its subject's
   * key as `enqueue` seals it; a source key written before, or twice in the list, adds no row.
   */
  async enqueueAll(manager: EntityManager, items: readonly { notification: Notification; at: Date }[]): Promise<void> {
    if (items.length === 0) return;
    const rows: Record<string, JsonValue>[] = [];
    for (const { notification: n, at } of items) {
      const id = uuidv7();
      rows.push({
        id,
        source_key: n.sourceKey,
        tenant_id: n.tenantId,
        subject_id: n.subjectId,
        kind: n.kind,
        payload: await this.privacy.seal(n.subjectId, { table: TABLE, column: 'payload', row: id }, n.payload),
        at: at.toISOString(),
        audience: audienceOf(n.payload),
      });
    }
    await manager.query(
      `INSERT INTO notifications.outbox (id, source_key, tenant_id, subject_id, kind, payload, next_attempt_at, created_at, audience)
       SELECT n.id, n.source_key, n.tenant_id, n.subject_id, n.kind, n.payload, n.at, n.at, n.audience
         FROM jsonb_to_recordset($1::jsonb) AS n(id uuid, source_key text, tenant_id text, subject_id text, kind text, payload jsonb, at timestamptz, audience text)
       ON CONFLICT (source_key) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  /** The payload in memory, to send it; null once its subject was erased. */
  async open(id: string, subjectId: string, stored: JsonValue | null): Promise<JsonObject | null> {
    const value = await this.privacy.open(subjectId, { table: TABLE, column: 'payload', row: id }, stored);
    if (value === null || isErased(value) || typeof value !== 'object' || Array.isArray(value)) return null;
    return value as JsonObject;
  }
}

interface Row {
  id: string;
  tenant_id: string;
  kind: string;
  status: OutboxEntryView['status'];
  attempts: number;
  last_error: string | null;
  created_at: Date;
  next_attempt_at: Date;
  delivered_at: Date | null;
  audience: Audience;
  destination: 'deployment' | 'tenant' | null;
}

const toView = (r: Row): OutboxEntryView => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  audience: r.audience,
  destination: r.destination,
});

const COLUMNS = 'id, tenant_id, kind, status, attempts, last_error, created_at, next_attempt_at, delivered_at, audience, destination';

/**
 * The operator's view of the outbox (owner connection: it spans tenants).
 * Dead letters stay until retried; a retry keeps the sealed payload.
 */
export class OutboxReader {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: { status?: OutboxEntryView['status']; tenantId?: string; limit: number; before?: string }): Promise<OutboxEntryView[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM notifications.outbox
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR tenant_id = $2) AND ($3::uuid IS NULL OR id < $3)
       ORDER BY id DESC LIMIT $4`,
      [filter.status ?? null, filter.tenantId ?? null, filter.before ?? null, filter.limit],
    );
    return rows.map(toView);
  }

  async get(id: string): Promise<OutboxEntryView | null> {
    const [row] = await this.dataSource.query<Row[]>(`SELECT ${COLUMNS} FROM notifications.outbox WHERE id = $1`, [id]);
    return row ? toView(row) : null;
  }

  /**
   * The latest notice of a tenant whose source key starts with each prefix (a warning a timed job
   * sent, for instance), by prefix; prefixes without one are missing.
   */
  async latestBySourcePrefix(tenantId: string, prefixes: readonly string[]): Promise<Map<string, OutboxEntryView>> {
    if (prefixes.length === 0) return new Map();
    const like = prefixes.map((p) => `${p.replace(/[\\%_]/g, '\\$&')}%`);
    const rows = await this.dataSource.query<(Row & { source_key: string })[]>(
      `SELECT source_key, ${COLUMNS} FROM notifications.outbox
       WHERE tenant_id = $1 AND source_key LIKE ANY($2::text[]) ORDER BY created_at, id`,
      [tenantId, like],
    );
    const out = new Map<string, OutboxEntryView>();
    for (const row of rows) for (const prefix of prefixes) if (row.source_key.startsWith(prefix)) out.set(prefix, toView(row));
    return out;
  }

  /** Puts a dead letter back in the queue (of `tenantId` only, when given); false when there is no such dead letter. */
  async retry(id: string, at: Date, tenantId: string | null = null): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH retried AS (UPDATE notifications.outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, last_error = NULL
       WHERE id = $1 AND status = 'dead' AND ($3::text IS NULL OR tenant_id = $3) RETURNING id) SELECT id FROM retried`,
      [id, at, tenantId],
    );
    return rows.length > 0;
  }
}
