import type { EntityManager } from 'typeorm';
import { eventOf, type RecordedEvent } from '@attest/event-store';
import type { Projection } from '@attest/projections';
import { REQUEST_EVENT_TYPES, type RequestEvent } from '@attest/requests-domain';

/** Sets columns of one request row, unless this event was applied already. */
async function set(m: EntityManager, requestId: string, position: string, columns: Record<string, unknown>): Promise<void> {
  const names = Object.keys(columns);
  const assignments = [...names.map((n, i) => `${n} = $${i + 3}`), 'last_position = $2'].join(', ');
  await m.query(`UPDATE requests.requests_v1 SET ${assignments} WHERE request_id = $1 AND last_position < $2`, [
    requestId,
    position,
    ...Object.values(columns),
  ]);
}

async function apply(m: EntityManager, event: RecordedEvent): Promise<void> {
  const e = eventOf<RequestEvent>(event, REQUEST_EVENT_TYPES);
  if (!e) return;
  const id = e.data.requestId;
  const at = event.globalPosition;
  switch (e.type) {
    case 'DataSubjectRequestReceived.v1': {
      const d = e.data;
      await m.query(
        `INSERT INTO requests.requests_v1 (request_id, tenant_id, customer_id, request_type, channel, relation, scope, status, received_at, due_on, max_extended_due_on, extension_notice_by, last_position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'received', $8, $9, $10, $11, $12) ON CONFLICT (request_id) DO NOTHING`,
        [
          id,
          d.tenantId,
          d.customerId,
          d.requestType,
          d.channel,
          d.requester.relation,
          JSON.stringify(d.scope),
          d.receivedAt,
          d.dueOn,
          d.maxExtendedDueOn,
          d.extensionNoticeBy,
          at,
        ],
      );
      return;
    }
    case 'RequesterVerificationCodeSent.v1':
      return set(m, id, at, { status: 'verifying' });
    case 'RequesterVerificationFailed.v1':
      return set(m, id, at, {});
    case 'RequesterIdentityVerified.v1':
      return set(m, id, at, { status: 'verified', verification_method: e.data.method });
    case 'DataSubjectRequestAssigned.v1':
      return set(m, id, at, { handler: e.data.handler });
    case 'DataSubjectRequestEscalated.v1':
      await m.query(`UPDATE requests.requests_v1 SET escalations = escalations || $3::jsonb, last_position = $2 WHERE request_id = $1 AND last_position < $2`, [
        id,
        at,
        JSON.stringify([{ reason: e.data.reason, at: e.data.escalatedAt, by: e.data.escalatedBy }]),
      ]);
      return;
    case 'DataSubjectRequestExtended.v1':
      return set(m, id, at, { due_on: e.data.dueOn, extension: JSON.stringify({ reason: e.data.reason, requesterToldAt: e.data.requesterToldAt }) });
    case 'DataSubjectRequestStarted.v1':
      return set(m, id, at, { status: 'in-progress' });
    case 'DataSubjectRequestCompleted.v1':
      return set(m, id, at, { status: 'completed', outcome: JSON.stringify(e.data.outcome), closed_at: e.data.completedAt });
    case 'DataSubjectRequestRejected.v1':
      return set(m, id, at, {
        status: 'rejected',
        rejection: JSON.stringify({ reasons: e.data.reasons, complaint: e.data.complaint }),
        closed_at: e.data.rejectedAt,
      });
  }
}

/** D2/D3: the handlers' queue of data-subject requests. */
export const requestsProjection: Projection = {
  name: 'requests',
  version: 1,
  filter: { eventTypes: [...REQUEST_EVENT_TYPES] },
  async apply(events, manager) {
    for (const event of events) await apply(manager, event);
  },
  async reset(manager) {
    await manager.query(`TRUNCATE requests.requests_v1`);
  },
};
