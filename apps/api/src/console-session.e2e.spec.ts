import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@attest/access-domain';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { consoleSessionCleanupJob } from '@attest/access-infrastructure';
import { issueConsoleLink } from '@attest/runtime';
import { ApiHarness } from './testing/api-harness';
import { CONSOLE_CSP } from './console/serve-console';

const MINUTE = 60_000;

/**
 * The console's backend-for-frontend sign-in (ADR 0013) over real HTTP on a real
 * database: single-use links, HttpOnly SameSite=Strict session cookies, idle and
 * absolute expiry, sign-out, the CSRF header, step-up for reveals; and the built
 * console served under /console/ with its Content-Security-Policy.
 */
describe('console sessions (BFF) and the served console', () => {
  const api = new ApiHarness();
  const clock = new FixedClock(new Date('2026-12-04T09:00:00Z'));
  let consoleDir: string;

  beforeAll(async () => {
    consoleDir = await mkdtemp(join(tmpdir(), 'attest-console-'));
    await mkdir(join(consoleDir, 'assets'));
    await writeFile(
      join(consoleDir, 'index.html'),
      '<!doctype html><html><head><script type="module" src="/console/assets/app-1a2b.js"></script></head></html>',
    );
    await writeFile(join(consoleDir, 'assets', 'app-1a2b.js'), `console.log("attest");${' '.repeat(400)}`);
    await api.start('console_sessions', { clock, consoleDir });
  });

  afterAll(async () => {
    await api.stop();
    await rm(consoleDir, { recursive: true, force: true });
  });

  const tenant = (): string => `t-${uuidv7().slice(-12)}`;

  /** Opens a link as a browser would (no redirect followed); returns the answer's status, location and cookie. */
  async function open(path: string): Promise<{ status: number; location: string | null; cookie: string | null }> {
    const res = await fetch(`${api.base}${path}`, { redirect: 'manual' });
    return { status: res.status, location: res.headers.get('location'), cookie: res.headers.get('set-cookie') };
  }

  async function signIn(tenantId: string, roles: readonly Role[] = ['compliance-officer']): Promise<string> {
    const link = await issueConsoleLink(api.infra, api.base, tenantId, roles, { clock });
    const answer = await open(new URL(link.url).pathname + new URL(link.url).search);
    const pair = answer.cookie?.split(';')[0];
    if (!pair) throw new Error(`no session cookie: ${String(answer.status)} ${String(answer.location)}`);
    return pair;
  }

  const withCookie = (cookie: string, more: Record<string, string> = {}): { headers: Record<string, string> } => ({ headers: { cookie, ...more } });

  it('a link signs in once: an HttpOnly, SameSite=Strict cookie, then on to the console; the second use goes to the sign-in page', async () => {
    const tenantId = tenant();
    const link = await issueConsoleLink(api.infra, api.base, tenantId, ['compliance-officer'], { clock });
    const path = `/console/auth/link?token=${link.token}&returnTo=${encodeURIComponent('/console/records?kind=read')}`;
    const first = await open(path);
    expect(first.status).toBe(303);
    expect(first.location).toBe('/console/records?kind=read');
    expect(first.cookie).toMatch(/^attest_session=acs_[A-Za-z0-9_-]{43}; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    const again = await open(path);
    expect(again).toEqual({ status: 303, location: '/console/sign-in?error=link-invalid', cookie: null });
    const cookie = first.cookie?.split(';')[0] ?? '';
    const session = await api.call('GET', '/v1/console/session', withCookie(cookie));
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({
      actor: `link:${link.linkId}`,
      tenantId,
      roles: ['compliance-officer'],
      method: 'link',
      signedInAt: clock.now().toISOString(),
      recentSignInUntil: new Date(clock.now().getTime() + 5 * MINUTE).toISOString(),
      idleExpiresAt: new Date(clock.now().getTime() + 30 * MINUTE).toISOString(),
      expiresAt: new Date(clock.now().getTime() + 8 * 60 * MINUTE).toISOString(),
    });
    // One authorization model: the session is the same kind of principal as a key or a token.
    expect((await api.call('GET', '/v1/me', withCookie(cookie))).body).toMatchObject({ actor: `link:${link.linkId}`, tenantId, via: 'session' });
    expect((await api.call('GET', '/v1/api-keys', withCookie(cookie))).body).toMatchObject({ status: 403, code: 'AUTH.FORBIDDEN' });
  });

  it('tells the sign-in page how people sign in here, without credentials', async () => {
    expect((await api.call('GET', '/v1/console/sign-in-options')).body).toEqual({ oidc: false, linkMinutes: 10 });
  });

  it('refuses a link that expired, a made-up token, and sends a foreign returnTo home', async () => {
    const tenantId = tenant();
    const late = await issueConsoleLink(api.infra, api.base, tenantId, ['compliance-officer'], { clock });
    clock.advance(10 * MINUTE + 1000);
    expect((await open(`/console/auth/link?token=${late.token}`)).location).toBe('/console/sign-in?error=link-invalid');
    expect((await open(`/console/auth/link?token=acl_${'x'.repeat(43)}`)).location).toBe('/console/sign-in?error=link-invalid');
    expect((await open('/console/auth/link')).location).toBe('/console/sign-in?error=link-invalid');
    for (const returnTo of ['//evil.example/console/', 'https://evil.example/', '/v1/api-keys', '/console/\\evil']) {
      const link = await issueConsoleLink(api.infra, api.base, tenantId, ['compliance-officer'], { clock });
      expect((await open(`/console/auth/link?token=${link.token}&returnTo=${encodeURIComponent(returnTo)}`)).location).toBe('/console/');
    }
  });

  it('stores only hashes of link and session secrets', async () => {
    const tenantId = tenant();
    const link = await issueConsoleLink(api.infra, api.base, tenantId, ['dsr-handler'], { clock });
    const answer = await open(`/console/auth/link?token=${link.token}`);
    const secret = answer.cookie?.split(';')[0]?.split('=')[1] ?? '';
    expect(secret).toMatch(/^acs_/);
    const rows = await api.infra.dataSource.query<{ row: string }[]>(
      `SELECT row_to_json(l)::text AS row FROM access.console_links l WHERE tenant_id = $1
       UNION ALL SELECT row_to_json(s)::text FROM access.console_sessions s WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(rows).toHaveLength(2);
    for (const { row } of rows) {
      expect(row).not.toContain(link.token);
      expect(row).not.toContain(secret);
    }
    // The request-serving role cannot read the tables: only the owner functions reach them.
    await expect(api.infra.connectApp().then((app) => app.query('SELECT count(*) FROM access.console_sessions'))).rejects.toThrow(/permission denied/);
  });

  it('a session ends when idle for 30 minutes, after 8 hours however busy, and at sign-out', async () => {
    const idle = await signIn(tenant());
    clock.advance(29 * MINUTE);
    expect((await api.call('GET', '/v1/me', withCookie(idle))).status).toBe(200);
    clock.advance(29 * MINUTE);
    expect((await api.call('GET', '/v1/me', withCookie(idle))).status).toBe(200);
    clock.advance(31 * MINUTE);
    expect((await api.call('GET', '/v1/me', withCookie(idle))).body).toMatchObject({ status: 401, code: 'AUTH.SESSION_ENDED' });

    const busy = await signIn(tenant());
    for (let minutes = 0; minutes < 8 * 60 - 20; minutes += 20) {
      clock.advance(20 * MINUTE);
      expect((await api.call('GET', '/v1/me', withCookie(busy))).status).toBe(200);
    }
    clock.advance(20 * MINUTE);
    expect((await api.call('GET', '/v1/me', withCookie(busy))).body).toMatchObject({ status: 401, code: 'AUTH.SESSION_ENDED' });

    const leaving = await signIn(tenant());
    const out = await api.call('POST', '/v1/console/session/sign-out', withCookie(leaving, { 'x-attest-csrf': '1' }));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe('attest_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
    expect((await api.call('GET', '/v1/me', withCookie(leaving))).body).toMatchObject({ status: 401, code: 'AUTH.SESSION_ENDED' });
  });

  it('a mutating call with the session cookie needs the CSRF header; a bearer call does not', async () => {
    const tenantId = tenant();
    const cookie = await signIn(tenantId, ['compliance-officer']);
    const bare = await api.call('POST', '/v1/console/session/sign-out', withCookie(cookie));
    expect(bare.body).toMatchObject({ status: 403, code: 'AUTH.CSRF_HEADER_REQUIRED' });
    // Refused before anything ran: the session is still there.
    expect((await api.call('GET', '/v1/me', withCookie(cookie))).status).toBe(200);
    expect((await api.call('GET', '/v1/me', withCookie(cookie, { 'x-attest-csrf': '0' }))).status).toBe(200);
    const key = await api.key(tenantId, ['compliance-officer']);
    expect((await api.call('POST', '/v1/console/session/sign-out', { key })).status).toBe(204);
  });

  it('revealing personal data and downloading an export need a sign-in younger than 5 minutes (step-up); a new sign-in restores it', async () => {
    const tenantId = tenant();
    const customer = uuidv7();
    const cookie = await signIn(tenantId, ['dsr-handler']);
    const reveal = (c: string): Promise<{ body: unknown }> => api.call('GET', `/v1/customers/${customer}`, withCookie(c, { 'x-purpose': 'audit' }));
    // Within 5 minutes the guard lets it through (the customer does not exist: 404 from the handler).
    expect((await reveal(cookie)).body).toMatchObject({ status: 404 });
    const download = (c: string): Promise<{ status: number; body: unknown }> => api.call('GET', '/v1/processing-record/records/export.csv', withCookie(c));
    expect((await download(cookie)).status).toBe(200);
    clock.advance(5 * MINUTE + 1000);
    expect((await reveal(cookie)).body).toMatchObject({ status: 403, code: 'AUTH.STEP_UP_REQUIRED' });
    // Downloading an export needs it too.
    expect((await download(cookie)).body).toMatchObject({ status: 403, code: 'AUTH.STEP_UP_REQUIRED' });
    // Masked reads need no step-up.
    expect((await api.call('GET', `/v1/customers/${customer}`, withCookie(cookie))).body).toMatchObject({ status: 404 });
    const again = await signIn(tenantId, ['dsr-handler']);
    expect((await reveal(again)).body).toMatchObject({ status: 404 });
    expect((await download(again)).status).toBe(200);
  });

  it('deletes sessions and links 30 days after they ended or expired (the cleanup job), and nothing still usable', async () => {
    const tenantId = tenant();
    await signIn(tenantId);
    const leaving = await signIn(tenantId);
    expect((await api.call('POST', '/v1/console/session/sign-out', withCookie(leaving, { 'x-attest-csrf': '1' }))).status).toBe(204);
    await issueConsoleLink(api.infra, api.base, tenantId, ['compliance-officer'], { clock });
    const job = consoleSessionCleanupJob({ owner: api.infra.dataSource });
    const count = async (): Promise<number[]> => {
      const [row] = await api.infra.dataSource.query<{ sessions: number; links: number }[]>(
        `SELECT (SELECT count(*)::int FROM access.console_sessions WHERE tenant_id = $1) AS sessions,
                (SELECT count(*)::int FROM access.console_links WHERE tenant_id = $1) AS links`,
        [tenantId],
      );
      return [row?.sessions ?? -1, row?.links ?? -1];
    };
    expect(await count()).toEqual([2, 3]);
    // 29 days on, nothing of this tenant goes (the job runs over every tenant: other suites' rows may go).
    await job.run({ now: new Date(clock.now().getTime() + 29 * 86_400_000), dryRun: false });
    expect(await count()).toEqual([2, 3]);
    // 31 days on: a dry run reports and changes nothing; the run deletes the ended and the expired, not a session opened then.
    clock.advance(31 * 86_400_000);
    const fresh = await signIn(tenantId);
    const dry = await job.run({ now: clock.now(), dryRun: true });
    expect(dry.planned?.[0]).toMatch(/^would delete \d+ sessions, \d+ links and \d+ OIDC sign-ins$/);
    expect(await count()).toEqual([3, 4]);
    const done = await job.run({ now: clock.now(), dryRun: false });
    expect(done.counts['sessions']).toBeGreaterThanOrEqual(2);
    expect(await count()).toEqual([1, 1]);
    expect((await api.call('GET', '/v1/me', withCookie(fresh))).status).toBe(200);
  });

  it('serves the console under /console/ with a strict CSP: files as built, index.html for app routes, 404 for a missing asset', async () => {
    const home = await fetch(`${api.base}/console`, { redirect: 'manual' });
    expect([home.status, home.headers.get('location')]).toEqual([301, '/console/']);
    for (const path of ['/console/', '/console/records?kind=read', '/console/records/42']) {
      const page = await fetch(`${api.base}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(await page.text()).toContain('/console/assets/app-1a2b.js');
    }
    const script = await fetch(`${api.base}/console/assets/app-1a2b.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe(`console.log("attest");${' '.repeat(400)}`);
    // Sent gzipped to a browser that takes gzip (fetch asks for it and inflates it); as is to one that does not.
    expect(script.headers.get('content-encoding')).toBe('gzip');
    expect(script.headers.get('vary')).toBe('accept-encoding');
    const plain = await fetch(`${api.base}/console/assets/app-1a2b.js`, { headers: { 'accept-encoding': 'identity' } });
    expect([plain.headers.get('content-encoding'), (await plain.text()).length]).toEqual([null, 422]);
    const missing = await api.call('GET', '/console/assets/gone-9z9z.js');
    expect(missing.body).toMatchObject({ status: 404, code: 'HTTP.NOT_FOUND' });
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe');
  });
});
