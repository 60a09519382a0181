/**
 * How long a console sign-in lasts (OAuth 2.0 for Browser-Based Apps, BFF: the
 * session lives on the server). Numbers live here once; the session store, the
 * CLI and the docs read them from here.
 */
export const CONSOLE_SESSION_POLICY = {
  /** A session unused this long ends. */
  idleMinutes: 30,
  /** A session ends this long after its sign-in, however busy. */
  lifetimeHours: 8,
  /** Revealing personal data and downloading exports need a sign-in this recent (step-up). */
  recentSignInMinutes: 5,
  /** A sign-in link works once, within this time. */
  linkMinutes: 10,
  /** Ended sessions and used links are kept this long (a security review), then deleted. */
  keepEndedDays: 30,
} as const;

/** How the person behind a session signed in. */
export type ConsoleSignInMethod = 'link' | 'oidc';

/** When a session signed in at `signedInAt` still counts as a recent sign-in. */
export function recentSignInUntil(signedInAt: Date): Date {
  return new Date(signedInAt.getTime() + CONSOLE_SESSION_POLICY.recentSignInMinutes * 60_000);
}

/** When a session ends if nothing happens: the earlier of its idle and absolute expiry. */
export function sessionIdleUntil(lastSeenAt: Date, expiresAt: Date): Date {
  return new Date(Math.min(lastSeenAt.getTime() + CONSOLE_SESSION_POLICY.idleMinutes * 60_000, expiresAt.getTime()));
}
