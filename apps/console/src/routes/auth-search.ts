// Search parameters of the sign-in and step-up pages (validated; nothing else is read from the URL).
import { safeReturnTo } from '../api/navigation';

export interface SignInSearch {
  /** Where to go after signing in: a path under /console (anything else is dropped). */
  readonly returnTo?: string;
  /** Set by the server when a sign-in link could not be used. */
  readonly error?: 'link-invalid';
  /** Set after signing out. */
  readonly signedOut?: boolean;
}

export interface StepUpSearch {
  readonly returnTo?: string;
}

export function parseSignInSearch(input: Record<string, unknown>): SignInSearch {
  const returnTo = safeReturnTo(input['returnTo']);
  return {
    ...(returnTo !== undefined ? { returnTo } : {}),
    ...(input['error'] === 'link-invalid' ? { error: 'link-invalid' as const } : {}),
    ...(input['signedOut'] === 'true' || input['signedOut'] === true ? { signedOut: true } : {}),
  };
}

export function parseStepUpSearch(input: Record<string, unknown>): StepUpSearch {
  const returnTo = safeReturnTo(input['returnTo']);
  return returnTo !== undefined ? { returnTo } : {};
}

/** Entry indices are whole numbers from 0 (the API's `index` path parameter). */
export function parseEntryIndex(value: string): number | null {
  if (!/^\d{1,16}$/.test(value)) return null;
  const index = Number(value);
  return Number.isSafeInteger(index) ? index : null;
}
