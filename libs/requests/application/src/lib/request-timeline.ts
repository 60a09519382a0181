import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@attest/event-store';
import type { RequestEvent } from '@attest/requests-domain';
import { DELETION_LEDGER, type DeletionLedger, type DeletionState } from './ports';
import { history } from './request-history';

/** What one line of a request's timeline says happened. */
export const TIMELINE_KINDS = [
  'received',
  'code-sent',
  'code-failed',
  'identity-verified',
  'assigned',
  'escalated',
  'extended',
  'started',
  'completed',
  'rejected',
  'commented',
  'deletion-erased',
  'deletion-certified',
  'deletion-stopped',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One line of a request's timeline. No personal data: the requester's contact never appears. */
export interface TimelineEntry {
  readonly kind: TimelineKind;
  /** When it happened (ISO instant): the event's own time (a manual intake's arrival, not its entry). */
  readonly at: string;
  /** Who did it (a principal id); null for the system's steps. */
  readonly actor: string | null;
  /** Text a handler wrote: a comment, an escalation or extension reason, an identity check's note, rejection reasons (one per line). */
  readonly text: string | null;
  /** Further facts by name, as strings (channel, due date, handler, method, a deletion's covered items, an error code …). */
  readonly facts: Readonly<Record<string, string>>;
  /** The event's 0-based position in the request's stream; null for steps of the deletion process (from its ledger). */
  readonly revision: number | null;
}

/** The request's timeline: every event of its stream, then what its deletion process recorded, oldest first. */
export interface RequestTimeline {
  readonly requestId: string;
  readonly entries: TimelineEntry[];
}

const entry = (
  kind: TimelineKind,
  at: string,
  actor: string | null,
  revision: number | null,
  text: string | null = null,
  facts: Record<string, string> = {},
): TimelineEntry => ({
  kind,
  at,
  actor,
  text,
  facts,
  revision,
});

function fromEvent(event: RequestEvent, revision: number): TimelineEntry {
  switch (event.type) {
    case 'DataSubjectRequestReceived.v1': {
      const d = event.data;
      return entry('received', d.receivedAt, d.receivedBy, revision, null, {
        type: d.requestType,
        channel: d.channel,
        relation: d.requester.relation,
        dueOn: d.dueOn,
        ...(d.scope.fields.length > 0 ? { fields: d.scope.fields.join(', ') } : {}),
        ...(d.scope.purposes.length > 0 ? { purposes: d.scope.purposes.join(', ') } : {}),
      });
    }
    case 'RequesterVerificationCodeSent.v1':
      return entry('code-sent', event.data.sentAt, null, revision, null, { challengeId: event.data.challengeId, expiresAt: event.data.expiresAt });
    case 'RequesterVerificationFailed.v1':
      return entry('code-failed', event.data.failedAt, null, revision, null, { challengeId: event.data.challengeId });
    case 'RequesterIdentityVerified.v1':
      return entry('identity-verified', event.data.verifiedAt, event.data.verifiedBy, revision, event.data.note, { method: event.data.method });
    case 'DataSubjectRequestAssigned.v1':
      return entry('assigned', event.data.assignedAt, event.data.assignedBy, revision, null, { handler: event.data.handler });
    case 'DataSubjectRequestEscalated.v1':
      return entry('escalated', event.data.escalatedAt, event.data.escalatedBy, revision, event.data.reason);
    case 'DataSubjectRequestExtended.v1':
      // The event has no time of its own beyond when the requester was told; the timeline places it there.
      return entry('extended', event.data.requesterToldAt, event.data.extendedBy, revision, event.data.reason, { dueOn: event.data.dueOn });
    case 'DataSubjectRequestStarted.v1':
      return entry('started', event.data.startedAt, event.data.startedBy, revision);
    case 'DataSubjectRequestCompleted.v1': {
      const o = event.data.outcome;
      return entry('completed', event.data.completedAt, event.data.completedBy, revision, o.summary, {
        ...(o.documentId === null ? {} : { documentId: o.documentId }),
        ...(o.retained.length > 0 ? { retained: o.retained.map((r) => r.category).join(', ') } : {}),
      });
    }
    case 'DataSubjectRequestRejected.v1':
      return entry('rejected', event.data.rejectedAt, event.data.rejectedBy, revision, event.data.reasons.join('\n'), { complaint: event.data.complaint });
    case 'DataSubjectRequestCommented.v1':
      return entry('commented', event.data.commentedAt, event.data.commentedBy, revision, event.data.text, { commentId: event.data.commentId });
  }
}

/**
 * The timeline of a request from its own events (every one, in stream order) and its deletion's
 * ledger (erased, certified, or stopped at a step with the error's code), sorted by time; events
 * of one instant keep their stream order.
 */
export function timelineOf(requestId: string, events: readonly RequestEvent[], deletion: DeletionState | null): RequestTimeline {
  const entries = events.map((event, revision) => fromEvent(event, revision));
  if (deletion?.erasure) {
    const e = deletion.erasure;
    entries.push(
      entry('deletion-erased', e.erasedAt, null, null, null, {
        covered: e.covered.join('\n'),
        ...(e.retained.length > 0 ? { retained: e.retained.map((r) => `${r.category} until ${r.until}`).join('\n') } : {}),
      }),
    );
  }
  if (deletion?.certificate) {
    const c = deletion.certificate.certificate;
    entries.push(entry('deletion-certified', c.issuedAt, null, null, null, { certificateId: c.certificateId }));
  }
  if (deletion?.failure) {
    entries.push(entry('deletion-stopped', deletion.failure.at, null, null, null, { step: deletion.failure.step, code: deletion.failure.code }));
  }
  const order = new Map(entries.map((e, i) => [e, i]));
  entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return { requestId, entries };
}

/** Reads a request's timeline: its stream once, and its deletion's ledger. Another tenant's request is not found. */
@Injectable()
export class RequestTimelines {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DELETION_LEDGER) private readonly deletions: DeletionLedger,
  ) {}

  async get(tenantId: string, requestId: string): Promise<RequestTimeline> {
    const { events } = await history(this.store, tenantId, requestId);
    return timelineOf(requestId, events, await this.deletions.get(tenantId, requestId));
  }
}
