/**
 * Calendar arithmetic on ISO dates (`YYYY-MM-DD`) in UTC. Pure: "today"
 * always arrives as an argument.
 */

/** Age in whole years on `today` of someone born on `birthDate`; both ISO dates (`YYYY-MM-DD`). */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function parts(date: string): [number, number, number] {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not an ISO date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** `date` plus whole calendar months; the 31st becomes the last day of a shorter month. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const firstOfTarget = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(firstOfTarget.getUTCFullYear(), firstOfTarget.getUTCMonth() + 1, 0)).getUTCDate();
  firstOfTarget.setUTCDate(Math.min(d, lastDay));
  return isoDate(firstOfTarget);
}

/**
 * The date `days` working days after `date` (Monday–Friday, minus the given
 * holidays). The request day itself does not count (EC 3.12.7.3).
 */
export function addWorkingDays(date: string, days: number, holidays: ReadonlySet<string> = new Set()): string {
  const [y, m, d] = parts(date);
  const at = new Date(Date.UTC(y, m - 1, d));
  let left = days;
  while (left > 0) {
    at.setUTCDate(at.getUTCDate() + 1);
    const weekday = at.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.has(isoDate(at))) left -= 1;
  }
  return isoDate(at);
}
