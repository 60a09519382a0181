// Where the browser goes when the API says the session has ended or needs a recent sign-in.
// The console lives under /console; `returnTo` is always a path under it (never another site).

export const CONSOLE_BASE = '/console';
export const CONSOLE_HOME = `${CONSOLE_BASE}/`;

/** The server checks the same shape before it redirects anywhere (same origin, under /console only). */
const RETURN_TO = /^\/console\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;

/** A `returnTo` that is safe to send the browser to, or undefined. */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const path = value === CONSOLE_BASE ? CONSOLE_HOME : value;
  return RETURN_TO.test(path) && !path.startsWith('//') && !path.includes('/../') ? path : undefined;
}

/** A router href ("/records?kind=use", without the base) as the browser path ("/console/records?kind=use"). */
export function consolePath(href: string): string {
  if (href === CONSOLE_BASE || href.startsWith(CONSOLE_HOME) || href.startsWith(`${CONSOLE_BASE}?`)) return href;
  return `${CONSOLE_BASE}${href.startsWith('/') ? href : `/${href}`}`;
}

const withReturnTo = (path: string, returnTo: string | undefined): string => {
  const safe = safeReturnTo(returnTo);
  return safe === undefined ? path : `${path}?returnTo=${encodeURIComponent(safe)}`;
};

/** The SPA's sign-in page. */
export const signInHref = (returnTo?: string): string => withReturnTo(`${CONSOLE_BASE}/sign-in`, returnTo);
/** The SPA's "this needs a recent sign-in" page. */
export const stepUpHref = (returnTo?: string): string => withReturnTo(`${CONSOLE_BASE}/step-up`, returnTo);
/**
 * Sign-in with the deployment's OIDC provider: a browser navigation the server handles (not an SPA route).
 * A step-up asks the provider to sign the person in again (`prompt=login`).
 */
export const oidcSignInHref = (returnTo?: string, stepUp = false): string => {
  const href = withReturnTo(`${CONSOLE_BASE}/auth/oidc`, returnTo);
  return stepUp ? `${href}${href.includes('?') ? '&' : '?'}prompt=login` : href;
};

/** Pages that must not send the browser anywhere on a 401/403 (they would loop). */
const AUTH_PAGES = [`${CONSOLE_BASE}/sign-in`, `${CONSOLE_BASE}/step-up`];

export const STEP_UP_REQUIRED = 'AUTH.STEP_UP_REQUIRED';

/**
 * Where an API answer sends the browser: 401 → sign-in, 403 AUTH.STEP_UP_REQUIRED → step-up,
 * both returning to `currentPath` (path + search) afterwards; otherwise nowhere (null).
 */
export function authRedirect(status: number, code: string | undefined, currentPath: string): string | null {
  const pathname = currentPath.split('?')[0] ?? '';
  if (AUTH_PAGES.includes(pathname)) return null;
  if (status === 401) return signInHref(currentPath);
  if (status === 403 && code === STEP_UP_REQUIRED) return stepUpHref(currentPath);
  return null;
}
