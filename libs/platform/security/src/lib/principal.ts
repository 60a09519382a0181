/** An authenticated caller acting within exactly one tenant. */
export interface AuthenticatedPrincipal {
  /** Actor reference for events and logs: `apiKey:<id>` or `user:<subject>`; never personal data. */
  readonly actor: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<string>;
  readonly via: 'api-key' | 'jwt';
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
    readonly code: 'AUTH.INVALID_CREDENTIALS' | 'AUTH.CREDENTIALS_EXPIRED' | 'AUTH.UNSUPPORTED_TOKEN',
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}
