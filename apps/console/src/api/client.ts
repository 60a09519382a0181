// The typed API client: paths and schemas are generated from docs/openapi.json
// (`npm run console:client`; schema.spec.ts fails when they drift).
import createClient, { type Middleware } from 'openapi-fetch';
import { CSRF_HEADER, CSRF_VALUE, errorBody } from './http';
import { authRedirect } from './navigation';
import { ApiError, toProblem } from './problem';
import type { paths } from './schema';

const currentPath = (): string => `${window.location.pathname}${window.location.search}`;

async function problemCode(response: Response): Promise<string | undefined> {
  const body = await errorBody(response.clone());
  return typeof body === 'object' && body !== null && 'code' in body && typeof body.code === 'string' ? body.code : undefined;
}

/**
 * Every call carries the CSRF header; an ended session (401) or a call that needs a recent
 * sign-in (403 AUTH.STEP_UP_REQUIRED) sends the browser to the matching page, returning here after.
 */
export const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    request.headers.set(CSRF_HEADER, CSRF_VALUE);
    return request;
  },
  async onResponse({ response }) {
    if (response.status !== 401 && response.status !== 403) return undefined;
    const code = response.status === 403 ? await problemCode(response) : undefined;
    const target = authRedirect(response.status, code, currentPath());
    if (target !== null) window.location.assign(target);
    return undefined;
  },
};

/** Same origin: the session cookie (HttpOnly, SameSite=Strict) goes along; no token is held in the page. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(sessionMiddleware);

interface Answer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/** The data of a successful answer; an error answer is thrown as an ApiError (its problem+json). */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) throw new ApiError(toProblem(error, response.status, response.statusText));
  return data;
}
