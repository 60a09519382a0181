/** An authenticated caller acting within exactly one tenant. */
export interface AuthenticatedPrincipal {
  /** Actor reference for events and logs: `apiKey:<id>`, `user:<subject>` or `link:<id>`; never personal data. */
  readonly actor: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<string>;
  /** `session`: a console session cookie (the browser holds no token; see the access context's `ConsoleSessions`). */
  readonly via: 'api-key' | 'jwt' | 'session';
  /** When the person behind a console session last signed in (a step-up is a new sign-in); sessions only. */
  readonly signedInAt?: Date;
  /** Sessions only: the sign-in is recent enough to reveal personal data or download an export (step-up). */
  readonly recentSignIn?: boolean;
}

/** Turns request credentials into a principal; implemented by the access context. */
export interface Authenticator {
  /** null when the request carries no credentials; throws AuthenticationError when they are bad. */
  authenticate(headers: Readonly<Record<string, string | string[] | undefined>>): Promise<AuthenticatedPrincipal | null>;
}

export const AUTHENTICATOR = Symbol.for('attest.Authenticator');

/** Bad credentials. The code says what kind, never which key or user. */
export class AuthenticationError extends Error {
  constructor(
    readonly code: 'AUTH.INVALID_CREDENTIALS' | 'AUTH.CREDENTIALS_EXPIRED' | 'AUTH.UNSUPPORTED_TOKEN' | 'AUTH.SESSION_ENDED',
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}
