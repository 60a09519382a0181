// The console session (a server-side session behind an HttpOnly cookie; ADR 0013).
// Typed by the generated schema; called with fetch() rather than the generated client because
// its 401 → sign-in redirect must not apply here (the sign-in page asks whether a session
// exists). Same CSRF header and problem+json handling as the generated client.
import { CSRF_HEADER, CSRF_VALUE, errorBody } from './http';
import { ApiError, toProblem } from './problem';
import type { components } from './schema';

/** GET /v1/console/session → 200 */
export type ConsoleSession = components['schemas']['ConsoleSessionDto'];

/** GET /v1/console/sign-in-options (public) → 200; `linkMinutes` is absent when the server does not say. */
export type SignInOptions = Pick<components['schemas']['ConsoleSignInOptionsDto'], 'oidc'> &
  Partial<Pick<components['schemas']['ConsoleSignInOptionsDto'], 'linkMinutes'>>;

const SESSION = '/v1/console/session';
const SIGN_OUT = '/v1/console/session/sign-out';
const SIGN_IN_OPTIONS = '/v1/console/sign-in-options';

const request = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(path, { ...init, credentials: 'same-origin', headers: { [CSRF_HEADER]: CSRF_VALUE, accept: 'application/json' } });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((v): v is string => typeof v === 'string') ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The session document, checked field by field (null when it is not one). */
export function parseSession(body: unknown): ConsoleSession | null {
  if (!isRecord(body)) return null;
  const actor = str(body['actor']);
  const tenantId = str(body['tenantId']);
  const roles = strings(body['roles']);
  const permissions = strings(body['permissions']);
  const signedInAt = str(body['signedInAt']);
  const expiresAt = str(body['expiresAt']);
  const idleExpiresAt = str(body['idleExpiresAt']);
  const recentSignInUntil = str(body['recentSignInUntil']);
  const method = body['method'];
  if (
    actor === undefined ||
    tenantId === undefined ||
    roles === undefined ||
    permissions === undefined ||
    signedInAt === undefined ||
    expiresAt === undefined ||
    idleExpiresAt === undefined ||
    recentSignInUntil === undefined ||
    (method !== 'link' && method !== 'oidc')
  )
    return null;
  return { actor, tenantId, roles, permissions, method, signedInAt, expiresAt, idleExpiresAt, recentSignInUntil };
}

export function parseSignInOptions(body: unknown): SignInOptions {
  if (!isRecord(body)) return { oidc: false };
  const minutes = body['linkMinutes'];
  return { oidc: body['oidc'] === true, ...(typeof minutes === 'number' && minutes > 0 ? { linkMinutes: minutes } : {}) };
}

async function failure(response: Response): Promise<ApiError> {
  return new ApiError(toProblem(await errorBody(response), response.status, response.statusText));
}

/** The session of this browser, or null when there is none (401; 404 CONSOLE.NO_SESSION: a credential other than the session cookie). */
export async function fetchSession(signal?: AbortSignal): Promise<ConsoleSession | null> {
  const response = await request(SESSION, signal ? { signal } : {});
  if (response.status === 401 || response.status === 404) return null;
  if (!response.ok) throw await failure(response);
  const session = parseSession(await response.json());
  if (session === null) throw new ApiError(toProblem({ title: 'The session answer was not understood', code: 'CLIENT.SESSION_SHAPE' }, response.status));
  return session;
}

/** How people sign in here; if the server cannot say, only sign-in links are offered. */
export async function fetchSignInOptions(signal?: AbortSignal): Promise<SignInOptions> {
  try {
    const response = await request(SIGN_IN_OPTIONS, signal ? { signal } : {});
    return response.ok ? parseSignInOptions(await response.json()) : { oidc: false };
  } catch {
    return { oidc: false };
  }
}

/** Ends the session of this browser (the server clears its cookie). An already ended session is fine. */
export async function signOut(): Promise<void> {
  const response = await request(SIGN_OUT, { method: 'POST' });
  if (!response.ok && response.status !== 401) throw await failure(response);
}
