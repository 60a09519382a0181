// The 72-hour clock of an incident (GDPR 33(1)) as the console shows it, ticking in the browser.
// The deadline is the API's `authorityDeadline` (awareness + 72 h, computed by the server) and
// "overdue" is the API's rule (no authority notification and now past the deadline); only "now"
// is the browser's, so the countdown moves between two loads of the page.
import type { components } from '../api/schema';

export type Incident = components['schemas']['IncidentView'];
export type IncidentUpdate = components['schemas']['IncidentUpdate'];
export type IncidentKind = components['schemas']['IncidentKind'];

/** The console's warning band, not a legal rule: the last 12 of the 72 hours show "at risk". */
export const AT_RISK_HOURS = 12;

const SECOND = 1000;
const HOUR = 3_600_000;

export type DeadlineStatus =
  /** The authority was notified (the countdown stopped); `withinDeadline` is the API's `notifiedWithinDeadline`. */
  | { readonly kind: 'notified'; readonly notifiedAt: string; readonly withinDeadline: boolean }
  /** More than AT_RISK_HOURS left. */
  | { readonly kind: 'running'; readonly remainingMs: number }
  /** AT_RISK_HOURS or less left (0 at the deadline itself, which is still in time). */
  | { readonly kind: 'at-risk'; readonly remainingMs: number }
  /** Not notified and past the deadline. */
  | { readonly kind: 'overdue'; readonly overdueMs: number };

export type DeadlineFacts = Pick<Incident, 'authorityDeadline' | 'authorityNotifiedAt' | 'notifiedWithinDeadline'>;

export function deadlineStatus(incident: DeadlineFacts, nowMs: number): DeadlineStatus {
  if (incident.authorityNotifiedAt !== null) {
    return { kind: 'notified', notifiedAt: incident.authorityNotifiedAt, withinDeadline: incident.notifiedWithinDeadline === true };
  }
  const remainingMs = Date.parse(incident.authorityDeadline) - nowMs;
  if (remainingMs < 0) return { kind: 'overdue', overdueMs: -remainingMs };
  return remainingMs <= AT_RISK_HOURS * HOUR ? { kind: 'at-risk', remainingMs } : { kind: 'running', remainingMs };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A duration as hours:minutes:seconds, whole seconds cut off ("71:59:59", "0:00:00"); hours are not wrapped into days. */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / SECOND);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  return `${String(hours)}:${pad(minutes)}:${pad(total % 60)}`;
}
