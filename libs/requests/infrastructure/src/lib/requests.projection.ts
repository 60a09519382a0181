import type { EntityManager } from 'typeorm';
import { eventOf, type RecordedEvent } from '@attest/event-store';
import type { JsonValue } from '@attest/kernel';
import type { Projection } from '@attest/projections';
import { REQUEST_EVENT_TYPES, type RequestEvent } from '@attest/requests-domain';

/** The columns of requests.requests_v1, as `jsonb_to_recordset` reads a row back. */
const COLUMNS = `request_id uuid, tenant_id text, customer_id uuid, request_type text, channel text, relation text, scope jsonb, status text,
  verification_method text, handler text, escalations jsonb, received_at timestamptz, due_on date, max_extended_due_on date,
  extension_notice_by date, extension jsonb, outcome jsonb, rejection jsonb, closed_at timestamptz, last_position text`;
const NAMES = COLUMNS.split(',').map((c) => c.trim().split(' ')[0] ?? '');
/** What an event may change once the request exists (everything but its identity and what it was received with). */
const MUTABLE = [
  'status',
  'verification_method',
  'handler',
  'escalations',
  'due_on',
  'extension',
  'outcome',
  'rejection',
  'closed_at',
  'last_position',
] as const;

/** A row of requests.requests_v1 as the batch leaves it: JSON values, as `row_to_json` gives them. */
interface Row {
  readonly request_id: string;
  status: string;
  escalations: JsonValue[];
  last_position: string;
  [column: string]: JsonValue;
}

/**
 * One batch, applied in two statements whatever its size: the rows of every request the batch
 * names are read and locked at once (`FOR UPDATE`, in id order), the events folded into them in
 * log order with the guard each event's own statement used to carry (an event at or before a
 * row's position changes nothing: a redelivery, or the inline projection's copy), and the rows
 * that changed are written in one upsert. A request with no row yet is inserted by its
 * receipt; if another transaction inserted it meanwhile, the row further along the log wins
 * (both are folds of the same events from the receipt on).
 */
class Batch {
  private readonly rows = new Map<string, Row>();
  private readonly dirty = new Set<string>();

  constructor(private readonly m: EntityManager) {}

  async load(requestIds: readonly string[]): Promise<void> {
    if (requestIds.length === 0) return;
    const rows = await this.m.query<{ row: Row }[]>(
      `SELECT row_to_json(r) AS row FROM requests.requests_v1 r WHERE request_id = ANY($1::uuid[]) ORDER BY request_id FOR UPDATE`,
      [requestIds],
    );
    for (const { row } of rows) this.rows.set(row.request_id, row);
  }

  apply(event: RecordedEvent): void {
    const e = eventOf<RequestEvent>(event, REQUEST_EVENT_TYPES);
    if (!e) return;
    const id = e.data.requestId;
    const position = event.globalPosition;
    const row = this.rows.get(id);
    if (e.type === 'DataSubjectRequestReceived.v1') {
      // The first receipt wins; a row already there is left as it is.
      if (row) return;
      const d = e.data;
      this.rows.set(id, {
        request_id: id,
        tenant_id: d.tenantId,
        customer_id: d.customerId,
        request_type: d.requestType,
        channel: d.channel,
        relation: d.requester.relation,
        scope: d.scope,
        status: 'received',
        verification_method: null,
        handler: null,
        escalations: [],
        received_at: d.receivedAt,
        due_on: d.dueOn,
        max_extended_due_on: d.maxExtendedDueOn,
        extension_notice_by: d.extensionNoticeBy,
        extension: null,
        outcome: null,
        rejection: null,
        closed_at: null,
        last_position: position,
      });
      this.dirty.add(id);
      return;
    }
    // A comment is not in this read model. No row (its receipt not applied), or this event applied already: nothing changes.
    if (e.type === 'DataSubjectRequestCommented.v1' || !row || position <= row.last_position) return;
    row.last_position = position;
    this.dirty.add(id);
    switch (e.type) {
      case 'RequesterVerificationCodeSent.v1':
        row.status = 'verifying';
        return;
      case 'RequesterVerificationFailed.v1':
        return;
      case 'RequesterIdentityVerified.v1':
        row.status = 'verified';
        row['verification_method'] = e.data.method;
        return;
      case 'DataSubjectRequestAssigned.v1':
        row['handler'] = e.data.handler;
        return;
      case 'DataSubjectRequestEscalated.v1':
        row.escalations = [...row.escalations, { reason: e.data.reason, at: e.data.escalatedAt, by: e.data.escalatedBy }];
        return;
      case 'DataSubjectRequestExtended.v1':
        row['due_on'] = e.data.dueOn;
        row['extension'] = { reason: e.data.reason, requesterToldAt: e.data.requesterToldAt };
        return;
      case 'DataSubjectRequestStarted.v1':
        row.status = 'in-progress';
        return;
      case 'DataSubjectRequestCompleted.v1':
        row.status = 'completed';
        row['outcome'] = e.data.outcome;
        row['closed_at'] = e.data.completedAt;
        return;
      case 'DataSubjectRequestRejected.v1':
        row.status = 'rejected';
        row['rejection'] = { reasons: [...e.data.reasons], complaint: e.data.complaint as JsonValue };
        row['closed_at'] = e.data.rejectedAt;
        return;
    }
  }

  async flush(): Promise<void> {
    if (this.dirty.size === 0) return;
    await this.m.query(
      `INSERT INTO requests.requests_v1 (${NAMES.join(', ')}) SELECT ${NAMES.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${COLUMNS})
       ON CONFLICT (request_id) DO UPDATE SET ${MUTABLE.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
       WHERE requests_v1.last_position < EXCLUDED.last_position`,
      [JSON.stringify([...this.dirty].map((id) => this.rows.get(id)))],
    );
    this.dirty.clear();
  }
}

/** D2/D3: the handlers' queue of data-subject requests. */
export const requestsProjection: Projection = {
  name: 'requests',
  version: 1,
  filter: { eventTypes: [...REQUEST_EVENT_TYPES] },
  async apply(events, manager) {
    const ids = new Set<string>();
    for (const event of events) {
      const id = (event.data as { requestId?: unknown }).requestId;
      if (typeof id === 'string') ids.add(id);
    }
    const batch = new Batch(manager);
    await batch.load([...ids].sort());
    for (const event of events) batch.apply(event);
    await batch.flush();
  },
  async reset(manager) {
    await manager.query(`TRUNCATE requests.requests_v1`);
  },
};
