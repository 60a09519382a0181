// The registers' pages keep their state in the address: the activities' filter, which form is
// open, which version is shown, which activity the assessments are narrowed to.
import { isUuid } from './activity';

export interface ActivitiesSearch {
  /** Words that every shown activity contains (name, purposes, legal basis, categories, recipients). */
  readonly q?: string;
  /** The form for a new activity is open. */
  readonly new?: true;
}

export interface ActivitySearch {
  /** The version shown (absent: the current one). */
  readonly version?: number;
  /** The form to revise the activity is open. */
  readonly edit?: true;
  /** The version just saved (a confirmation is shown). */
  readonly saved?: number;
}

export interface AssessmentsSearch {
  /** Only the assessments of this activity; preselected in the new assessment's form. */
  readonly activity?: string;
  /** The form for a new assessment is open. */
  readonly new?: true;
}

const flag = (value: unknown): true | undefined => (value === true || value === 'true' || value === '1' ? true : undefined);

/** A version number: a whole number from 1 (written in decimal in the address). */
export function parseVersion(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[1-9]\d{0,8}$/u.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

export function parseActivitiesSearch(input: Record<string, unknown>): ActivitiesSearch {
  const q = typeof input['q'] === 'string' ? input['q'].trim().slice(0, 200) : '';
  return { ...(q !== '' ? { q } : {}), ...(flag(input['new']) ? { new: true } : {}) };
}

export function parseActivitySearch(input: Record<string, unknown>): ActivitySearch {
  const version = parseVersion(input['version']);
  const saved = parseVersion(input['saved']);
  return {
    ...(version !== undefined ? { version } : {}),
    ...(flag(input['edit']) ? { edit: true } : {}),
    ...(saved !== undefined ? { saved } : {}),
  };
}

export function parseAssessmentsSearch(input: Record<string, unknown>): AssessmentsSearch {
  const activity = input['activity'];
  return { ...(isUuid(activity) ? { activity: activity.toLowerCase() } : {}), ...(flag(input['new']) ? { new: true } : {}) };
}
