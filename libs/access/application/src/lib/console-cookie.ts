/** The console's session cookie names: `__Host-` prefixed when served over https. */
export const SESSION_COOKIES = { secure: '__Host-attest_session', plain: 'attest_session' } as const;

/** The session secret in a Cookie header, or null (the `__Host-` cookie wins when both are sent). */
export function sessionCookieValue(cookie: string | string[] | undefined): string | null {
  if (typeof cookie !== 'string') return null;
  let plain: string | null = null;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === SESSION_COOKIES.secure) return value;
    if (name === SESSION_COOKIES.plain) plain = value;
  }
  return plain;
}

/** The Set-Cookie value of a session secret: HttpOnly, SameSite=Strict; an empty secret with max-age 0 clears it. */
export function sessionCookie(secret: string, https: boolean, maxAgeSeconds: number): string {
  const name = https ? SESSION_COOKIES.secure : SESSION_COOKIES.plain;
  return `${name}=${secret}; Path=/; Max-Age=${String(maxAgeSeconds)}; HttpOnly; SameSite=Strict${https ? '; Secure' : ''}`;
}
