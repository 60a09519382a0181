// Search parameters of the sign-in and step-up pages (validated; nothing else is read from the URL).
import { safeReturnTo } from '../api/navigation';

export interface SignInSearch {
  /** Where to go after signing in: a path under /console (anything else is dropped). */
  readonly returnTo?: string;
  /** Set by the server when a sign-in could not be completed. */
  readonly error?: SignInError;
  /** Set after signing out. */
  readonly signedOut?: boolean;
}

export const SIGN_IN_ERRORS = ['link-invalid', 'oidc-failed', 'oidc-unavailable', 'oidc-not-configured'] as const;
export type SignInError = (typeof SIGN_IN_ERRORS)[number];
const isSignInError = (value: unknown): value is SignInError => typeof value === 'string' && (SIGN_IN_ERRORS as readonly string[]).includes(value);

export interface StepUpSearch {
  readonly returnTo?: string;
}

export function parseSignInSearch(input: Record<string, unknown>): SignInSearch {
  const returnTo = safeReturnTo(input['returnTo']);
  return {
    ...(returnTo !== undefined ? { returnTo } : {}),
    ...(isSignInError(input['error']) ? { error: input['error'] } : {}),
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
