import { addMonths, addWorkingDays, DomainError, isIsoDate } from '@attest/kernel';

/**
 * D3: how long a tenant has to answer a data-subject request.
 *
 * - `gdpr-month`: one calendar month from receipt (the 31st ends on the last
 *   day of a shorter month); extendable by up to two further months when the
 *   requester is told within the first month (GDPR 12(3)).
 * - `working-days`: N working days after the day of receipt (15 where the
 *   contract says so, EC 3.12.7.3); not extendable.
 * - `custom`: N calendar or working days, extendable by up to M more of the same unit.
 *
 * Working days are Monday to Friday minus the tenant's holidays. Dates are
 * ISO dates in UTC; a request is due by the end of its due date.
 */
export type DeadlinePolicy =
  | { readonly kind: 'gdpr-month' }
  | { readonly kind: 'working-days'; readonly days: number }
  | { readonly kind: 'custom'; readonly unit: 'calendar-days' | 'working-days'; readonly days: number; readonly extensionDays: number };

export interface WorkingCalendar {
  /** Public holidays (ISO dates): not working days. */
  readonly holidays: readonly string[];
}

export interface Deadline {
  /** The last day to answer, without an extension. */
  readonly dueOn: string;
  /** The latest due date an extension may set; null when the policy allows none. */
  readonly maxExtendedDueOn: string | null;
  /** The requester must be told of an extension by the end of this day. */
  readonly extensionNoticeBy: string | null;
}

/** D5: a profile field the tenant must keep after a deletion, why, and for how long (years from the deletion). */
export type RetentionDuty = { readonly field: string; readonly reason: string; readonly years: number };

/**
 * The vault subject under which one retained field of a deleted customer is
 * sealed (D5): a key per field, so each goes when its own duty ends.
 */
export const retainedSubject = (customerId: string, field: string): string => `retained:${customerId}:${field}`;

export function checkDuties(duties: readonly RetentionDuty[], fields: readonly string[]): void {
  const seen = new Set<string>();
  for (const d of duties) {
    if (!fields.includes(d.field)) throw new DomainError('DSR.DUTY_FIELD_UNKNOWN', `not a profile field: ${d.field}`, 'invalid');
    if (seen.has(d.field)) throw new DomainError('DSR.DUTY_DUPLICATE', `${d.field} has two retention duties`, 'invalid');
    if (!Number.isInteger(d.years) || d.years < 1 || d.years > 30)
      throw new DomainError('DSR.DUTY_INVALID', 'a retention duty lasts 1 to 30 whole years', 'invalid');
    if (d.reason.trim() === '') throw new DomainError('DSR.DUTY_INVALID', 'a retention duty names its legal reason', 'invalid');
    seen.add(d.field);
  }
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = { kind: 'gdpr-month' };

/** Unverified requests older than this many days leave the handlers' queue for their own tab, unless the tenant sets another age. */
export const DEFAULT_UNVERIFIED_AFTER_DAYS = 14;

const MAX_DAYS = 366;

/** Refuses a policy no tenant should be able to set. */
export function checkPolicy(policy: DeadlinePolicy, calendar: WorkingCalendar): void {
  const bad = (message: string): never => {
    throw new DomainError('DSR.POLICY_INVALID', message, 'invalid');
  };
  if (policy.kind !== 'gdpr-month') {
    if (!Number.isInteger(policy.days) || policy.days < 1 || policy.days > MAX_DAYS) bad(`days must be a whole number from 1 to ${MAX_DAYS}`);
  }
  if (policy.kind === 'custom' && (!Number.isInteger(policy.extensionDays) || policy.extensionDays < 0 || policy.extensionDays > MAX_DAYS)) {
    bad(`extensionDays must be a whole number from 0 to ${MAX_DAYS}`);
  }
  for (const h of calendar.holidays) if (!isIsoDate(h)) bad(`holiday ${h} is not an ISO date (YYYY-MM-DD)`);
}

function addCalendarDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00.000Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

function add(unit: 'calendar-days' | 'working-days', date: string, days: number, calendar: WorkingCalendar): string {
  return unit === 'working-days' ? addWorkingDays(date, days, new Set(calendar.holidays)) : addCalendarDays(date, days);
}

/** The deadline of a request received on `receivedOn` under `policy`. */
export function deadlineOf(policy: DeadlinePolicy, receivedOn: string, calendar: WorkingCalendar): Deadline {
  switch (policy.kind) {
    case 'gdpr-month': {
      const dueOn = addMonths(receivedOn, 1);
      return { dueOn, maxExtendedDueOn: addMonths(receivedOn, 3), extensionNoticeBy: dueOn };
    }
    case 'working-days':
      return { dueOn: add('working-days', receivedOn, policy.days, calendar), maxExtendedDueOn: null, extensionNoticeBy: null };
    case 'custom': {
      const dueOn = add(policy.unit, receivedOn, policy.days, calendar);
      if (policy.extensionDays === 0) return { dueOn, maxExtendedDueOn: null, extensionNoticeBy: null };
      return { dueOn, maxExtendedDueOn: add(policy.unit, dueOn, policy.extensionDays, calendar), extensionNoticeBy: dueOn };
    }
  }
}

/** The end of a due date (UTC): a request answered at any time that day is on time. */
export const endOfDay = (date: string): Date => new Date(`${date}T23:59:59.999Z`);

export type Urgency = 'on-track' | 'at-risk' | 'overdue';

/** A request is at risk within this many calendar days of the end of its due date. */
export const AT_RISK_DAYS = 5;

/** D5: the tenant is warned this many days before a kept field's key is destroyed. */
export const RETAINED_DATA_WARNING_DAYS = 30;

/**
 * Overdue after the end of the due date; at risk within `atRiskDays` calendar
 * days of it — by whole dates, the due date less than `atRiskDays` days ahead.
 */
export function urgencyOf(dueOn: string, now: Date, atRiskDays = AT_RISK_DAYS): Urgency {
  const end = endOfDay(dueOn).getTime();
  if (now.getTime() > end) return 'overdue';
  return end - now.getTime() <= atRiskDays * 86_400_000 ? 'at-risk' : 'on-track';
}
