import type { ConsoleSignInMethod, Permission, Role } from '@attest/access-domain';

export interface ApiKeyView {
  readonly keyId: string;
  readonly tenantId: string;
  readonly prefix: string;
  readonly roles: readonly Role[];
  readonly label: string;
  readonly issuedBy: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  /** The key that replaced this one by rotation (it works on until `expiresAt`). */
  readonly replacedBy: string | null;
  /** The last request made with it, recorded by each API process at most a flush interval late. */
  readonly lastUsedAt: Date | null;
}

/** Tenant-scoped reads of the access read models (row-level security applies). */
export interface AccessReadModel {
  listApiKeys(tenantId: string): Promise<ApiKeyView[]>;
  getApiKey(tenantId: string, keyId: string): Promise<ApiKeyView | null>;
  delegatedPermissions(tenantId: string, userId: string): Promise<Permission[]>;
  /** Keys not revoked that this actor (`user:<id>`, `apiKey:<id>` …) issued in the tenant. */
  activeKeysIssuedBy(tenantId: string, issuer: string): Promise<ApiKeyView[]>;
}

/**
 * Who may receive a delegation: an account of the tenant (owned by the
 * accounts context; the composition root answers through its read model).
 */
export interface DelegationTargets {
  isAccountOf(tenantId: string, userId: string): Promise<boolean>;
}

/** New API key material: the key shown once, its public prefix, and its hash. */
export interface KeyMaterial {
  generate(): { readonly key: string; readonly prefix: string; readonly secretHash: string };
}

/** Applies a stream's new events to the access read models now (the workers would, later). */
export interface AccessProjector {
  projectStream(streamId: string): Promise<unknown>;
}

export const ACCESS_READ_MODEL = Symbol.for('attest.access.ReadModel');
export const KEY_MATERIAL = Symbol.for('attest.access.KeyMaterial');
export const ACCESS_PROJECTOR = Symbol.for('attest.access.Projector');
export const DELEGATION_TARGETS = Symbol.for('attest.access.DelegationTargets');
/** Re-exported for the access context's consumers: the process's one clock token. */
export { CLOCK } from '@attest/security';

/** A live console session, as the server keeps it (the browser holds only the cookie's secret). */
export interface ConsoleSessionView {
  readonly sessionId: string;
  readonly tenantId: string;
  /** `link:<id>` for a sign-in link, `user:<subject>` for OIDC. */
  readonly actor: string;
  readonly roles: readonly Role[];
  readonly method: ConsoleSignInMethod;
  readonly signedInAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
}

/** A new session: its view and the secret that goes into the cookie (shown nowhere else). */
export interface OpenedConsoleSession {
  readonly secret: string;
  readonly session: ConsoleSessionView;
}

/** Console sign-in links and server-side sessions; only hashes of their secrets are stored. */
export interface ConsoleSessionStore {
  /** Uses a sign-in link (once, before it expires) and opens a session with its tenant and roles; null when the link is unknown, used or expired. */
  signInWithLink(linkToken: string): Promise<OpenedConsoleSession | null>;
  /** Opens a session for a person signed in elsewhere (OIDC). */
  open(who: { readonly tenantId: string; readonly actor: string; readonly roles: readonly Role[] }, method: ConsoleSignInMethod): Promise<OpenedConsoleSession>;
  /** The live session of a cookie secret (touched: its idle expiry starts again), or null. */
  find(secret: string): Promise<ConsoleSessionView | null>;
  /** Ends a session (sign-out or revocation); false when it had ended already or never existed. */
  end(secret: string, reason: string): Promise<boolean>;
  /** Keeps an OIDC sign-in in flight; answers the secret for its short-lived cookie. */
  beginOidc(signIn: ConsoleOidcSignIn): Promise<string>;
  /** The OIDC sign-in of a cookie secret, used once (null when unknown, used or expired). */
  takeOidc(secret: string): Promise<ConsoleOidcSignIn | null>;
}

/** An OIDC sign-in between the redirect to the provider and its callback. */
export interface ConsoleOidcSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Where the console goes after signing in (a path under /console/). */
  readonly returnTo: string;
  /** The callback address registered at the provider. */
  readonly redirectUri: string;
}

/** The deployment's OpenID provider, for console sign-in (authorization code + PKCE + nonce, confidential client). */
export interface ConsoleOidcClient {
  /** Fresh state, nonce and PKCE verifier for a sign-in. */
  newSignIn(returnTo: string, redirectUri: string): ConsoleOidcSignIn;
  /** The provider's authorization address for a sign-in (PKCE S256; `prompt: 'login'` asks for a fresh sign-in, a step-up). */
  authorizationUrl(signIn: ConsoleOidcSignIn, options: { readonly prompt?: 'login'; readonly loginHint?: string }): Promise<URL>;
  /** Exchanges the callback's code, checking state, PKCE, the ID token and its nonce; answers the access token (never sent to the browser). */
  exchange(callback: URL, signIn: ConsoleOidcSignIn): Promise<string>;
}

export const CONSOLE_OIDC = Symbol.for('attest.access.ConsoleOidc');

export const CONSOLE_SESSIONS = Symbol.for('attest.access.ConsoleSessions');

export const CONSOLE_VIEWS = Symbol.for('attest.access.ConsoleViews');

/** A view a person saved in the console: a page and its filters (the address's search parameters), by name. */
export interface ConsoleView {
  readonly name: string;
  /** The console page, such as `/requests`. */
  readonly page: string;
  readonly search: Readonly<Record<string, string>>;
  readonly updatedAt: string;
}

/** Saved views per person (tenant and actor), kept on the server: the browser stores nothing but the language. */
export interface ConsoleViews {
  list(tenantId: string, actor: string): Promise<ConsoleView[]>;
  save(tenantId: string, actor: string, view: Omit<ConsoleView, 'updatedAt'>, now: Date): Promise<ConsoleView>;
  /** False when there was no such view. */
  remove(tenantId: string, actor: string, name: string): Promise<boolean>;
}
