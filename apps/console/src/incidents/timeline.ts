// An incident's history in time order: when it happened (if known), when the organization became
// aware, when it was recorded here, then every update the API lists (notifications, remedies, closing).
import type { Incident, IncidentUpdate } from './countdown';

export type TimelineItem =
  | { readonly kind: 'occurred' | 'aware' | 'reported' | 'deadline'; readonly at: string }
  | { readonly kind: 'update'; readonly at: string; readonly update: IncidentUpdate };

/** Oldest first; items at the same instant keep this order: occurred, aware, reported, updates as recorded, deadline. */
export function timeline(incident: Incident): TimelineItem[] {
  const items: TimelineItem[] = [
    ...(incident.report.occurredAt !== null ? [{ kind: 'occurred' as const, at: incident.report.occurredAt }] : []),
    { kind: 'aware', at: incident.report.awareAt },
    { kind: 'reported', at: incident.reportedAt },
    ...incident.updates.map((update) => ({ kind: 'update' as const, at: update.at, update })),
    // The deadline is a milestone only while it matters: until the authority is notified.
    ...(incident.authorityNotifiedAt === null ? [{ kind: 'deadline' as const, at: incident.authorityDeadline }] : []),
  ];
  return items
    .map((item, order) => ({ item, order }))
    .sort((a, b) => Date.parse(a.item.at) - Date.parse(b.item.at) || a.order - b.order)
    .map(({ item }) => item);
}
