import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { createRemoteJWKSet } from 'jose';
import { uuidv7 } from '@attest/kernel';
import { ApiHarness } from './testing/api-harness';
import { startOidcProvider } from './testing/oidc-test-provider';
import { freePort } from './testing/processes';

/**
 * The console signs people in through the deployment's OpenID provider as a
 * backend-for-frontend (ADR 0013): authorization code + PKCE + nonce as a
 * confidential client (`openid-client`), against a real provider (`oidc-provider`
 * in a process of its own). The browser ends up with only the session cookie;
 * the tokens stay on the server. Refused: a tampered state, a wrong nonce, an
 * expired code, a callback without its sign-in cookie, a replayed callback.
 */
const AUDIENCE = 'https://api.attest.example';
const CONSOLE_CLIENT = { client_id: 'attest-console', client_secret: randomBytes(24).toString('base64url') };
const CODE_TTL_SECONDS = 2;
const tenantId = `oidc-${randomBytes(3).toString('hex')}`;
const officer = uuidv7();

const startProvider = (redirectUri: string) =>
  startOidcProvider({
    audience: AUDIENCE,
    client: CONSOLE_CLIENT,
    redirectUri,
    codeTtlSeconds: CODE_TTL_SECONDS,
    directory: { [officer]: { tenant: tenantId, roles: ['compliance-officer'] } },
  });

const cookiePairs = (res: Response): Map<string, { value: string; attributes: string }> =>
  new Map(
    res.headers.getSetCookie().map((set) => {
      const [pair = '', ...attributes] = set.split(';');
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq).trim(), { value: pair.slice(eq + 1), attributes: attributes.join(';').trim() }];
    }),
  );

describe('console sign-in through the OpenID provider (BFF: code + PKCE + nonce, a real provider)', () => {
  const api = new ApiHarness();
  let provider: ChildProcess;
  let issuer: string;

  beforeAll(async () => {
    const port = await freePort();
    ({ child: provider, issuer } = await startProvider(`http://127.0.0.1:${String(port)}/console/auth/oidc/callback`));
    await api.start('console_oidc', {
      workers: false,
      port,
      oidc: { issuer, audience: AUDIENCE, jwks: createRemoteJWKSet(new URL(`${issuer}/jwks`)) },
      consoleOidc: { clientId: CONSOLE_CLIENT.client_id, clientSecret: CONSOLE_CLIENT.client_secret },
    });
  }, 60_000);

  afterAll(async () => {
    await api.stop();
    provider.kill('SIGTERM');
  });

  /** The browser's part: start at the console, follow the provider's redirects (with its cookies) until it sends the user back to the callback. */
  async function toCallback(returnTo: string, prompt?: 'login'): Promise<{ callback: URL; signInCookie: string; authorize: URL }> {
    const query = new URLSearchParams({ returnTo, loginHint: officer, ...(prompt ? { prompt } : {}) });
    const start = await fetch(`${api.base}/console/auth/oidc?${query.toString()}`, { redirect: 'manual' });
    expect(start.status).toBe(303);
    const signIn = cookiePairs(start).get('attest_oidc');
    expect(signIn?.attributes).toBe('Path=/console/auth/oidc; Max-Age=600; HttpOnly; SameSite=Lax');
    const authorize = new URL(start.headers.get('location') ?? '');
    const cookies = new Map<string, string>();
    let url = authorize.href;
    for (let hop = 0; hop < 10; hop++) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const [name, { value }] of cookiePairs(res)) cookies.set(name, value);
      const location = res.headers.get('location');
      if (!location) throw new Error(`the provider answered ${String(res.status)} without a redirect: ${await res.text()}`);
      const next = new URL(location, url);
      if (next.href.startsWith(`${api.base}/console/auth/oidc/callback`))
        return { callback: next, signInCookie: `attest_oidc=${signIn?.value ?? ''}`, authorize };
      url = next.href;
    }
    throw new Error('too many redirects');
  }

  async function callback(url: URL, cookie: string | null): Promise<{ location: string | null; session: string | null }> {
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    expect(res.status).toBe(303);
    const session = cookiePairs(res).get('attest_session');
    return { location: res.headers.get('location'), session: session ? `attest_session=${session.value}` : null };
  }

  /** What openid-client said when the last sign-in was refused (logged by code, never with tokens). */
  const refusals = (): string[] => api.logLines.flatMap((l) => /console OIDC sign-in refused: ([A-Z_]+)/.exec(l)?.slice(1) ?? []);

  it('the sign-in options say OIDC is offered', async () => {
    expect((await api.call('GET', '/v1/console/sign-in-options')).body).toEqual({ oidc: true, linkMinutes: 10 });
  });

  it('signs in: PKCE S256, state, nonce and the API as resource go to the provider; the browser gets only the session cookie', async () => {
    const { callback: url, signInCookie, authorize } = await toCallback('/console/records?kind=read');
    expect(authorize.origin).toBe(issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: CONSOLE_CLIENT.client_id,
      response_type: 'code',
      scope: 'openid',
      resource: AUDIENCE,
      code_challenge_method: 'S256',
      redirect_uri: `${api.base}/console/auth/oidc/callback`,
    });
    for (const param of ['state', 'nonce', 'code_challenge']) expect(authorize.searchParams.get(param)).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    const answer = await fetch(url, { redirect: 'manual', headers: { cookie: signInCookie } });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/console/records?kind=read');
    const cookies = cookiePairs(answer);
    expect(cookies.get('attest_oidc')?.value).toBe('');
    expect(cookies.get('attest_session')?.attributes).toBe('Path=/; Max-Age=28800; HttpOnly; SameSite=Strict');
    expect(await answer.text()).not.toMatch(/eyJ/);
    const session = `attest_session=${cookies.get('attest_session')?.value ?? ''}`;
    expect((await api.call('GET', '/v1/console/session', { headers: { cookie: session } })).body).toMatchObject({
      actor: `user:${officer}`,
      tenantId,
      roles: ['compliance-officer'],
      method: 'oidc',
    });
    // The callback works once.
    expect(await callback(url, signInCookie)).toEqual({ location: '/console/sign-in?error=oidc-failed', session: null });
  });

  it('refuses a tampered state', async () => {
    const { callback: url, signInCookie } = await toCallback('/console/');
    url.searchParams.set('state', `${url.searchParams.get('state') ?? ''}x`);
    expect(await callback(url, signInCookie)).toEqual({ location: '/console/sign-in?error=oidc-failed', session: null });
    expect(refusals().at(-1)).toBe('OAUTH_INVALID_RESPONSE');
  });

  it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
    const { callback: url, signInCookie } = await toCallback('/console/');
    // The sign-in kept on the server now expects another nonce (as if the code belonged to another sign-in).
    await api.infra.dataSource.query(`UPDATE access.console_oidc_sign_ins SET nonce = 'not-the-nonce-sent-to-the-provider'`);
    expect(await callback(url, signInCookie)).toEqual({ location: '/console/sign-in?error=oidc-failed', session: null });
    expect(refusals().at(-1)).toBe('OAUTH_JWT_CLAIM_COMPARISON_FAILED');
  });

  it('refuses an expired code', async () => {
    const { callback: url, signInCookie } = await toCallback('/console/');
    await new Promise((resolve) => setTimeout(resolve, (CODE_TTL_SECONDS + 1) * 1000));
    expect(await callback(url, signInCookie)).toEqual({ location: '/console/sign-in?error=oidc-failed', session: null });
    // The provider refused the code at the token endpoint (invalid_grant).
    expect(refusals().at(-1)).toBe('OAUTH_RESPONSE_BODY_ERROR');
  });

  it('refuses a callback without its sign-in cookie, or with another sign-in’s cookie', async () => {
    const before = refusals().length;
    const first = await toCallback('/console/');
    expect(await callback(first.callback, null)).toEqual({ location: '/console/sign-in?error=oidc-failed', session: null });
    // Refused before any exchange: the code was never sent to the provider.
    expect(refusals()).toHaveLength(before);
    const second = await toCallback('/console/');
    const third = await toCallback('/console/');
    expect(await callback(second.callback, third.signInCookie)).toEqual({ location: '/console/sign-in?error=oidc-failed', session: null });
    expect(refusals().at(-1)).toBe('OAUTH_INVALID_RESPONSE');
  });

  it('a step-up asks the provider for a fresh sign-in (prompt=login) and gives a new session', async () => {
    const { callback: url, signInCookie, authorize } = await toCallback('/console/records', 'login');
    expect(authorize.searchParams.get('prompt')).toBe('login');
    const { location, session } = await callback(url, signInCookie);
    expect(location).toBe('/console/records');
    expect(session).toMatch(/^attest_session=acs_/);
  });
});
