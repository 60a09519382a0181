import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet } from 'jose';
import type { Page } from 'playwright-core';
import { FixedClock, uuidv7 } from '@attest/kernel';
import { ApiHarness } from './testing/api-harness';
import { ConsoleBrowser, chromiumAvailable, seriousViolations } from './testing/console-browser';
import { startOidcProvider } from './testing/oidc-test-provider';
import { freePort } from './testing/processes';

/**
 * Sign-in through the deployment's OpenID provider, in a real browser (Debian's Chromium): the
 * console's sign-in page offers it, the browser follows the real redirects to a real provider
 * (`oidc-provider` in its own process) and back to the API's callback, and lands signed in on the
 * page it asked for, holding only the HttpOnly session cookie. The provider's login screen is
 * skipped: the test names the account (`loginHint`), as the provider's own login would.
 */
const available = chromiumAvailable('console-oidc.browser.spec');
const AUDIENCE = 'https://api.attest.example';
const CLIENT = { client_id: 'attest-console', client_secret: randomBytes(24).toString('base64url') };
const tenantId = `oidc-browser-${randomBytes(3).toString('hex')}`;
const officer = uuidv7();

(available ? describe : describe.skip)('console sign-in through the OpenID provider in a real browser (Chromium)', () => {
  const api = new ApiHarness();
  const ui = new ConsoleBrowser(api, new FixedClock(new Date()));
  let provider: ChildProcess;
  let page: Page;

  beforeAll(async () => {
    const port = await freePort();
    let issuer: string;
    ({ child: provider, issuer } = await startOidcProvider({
      audience: AUDIENCE,
      client: CLIENT,
      redirectUri: `http://127.0.0.1:${String(port)}/console/auth/oidc/callback`,
      codeTtlSeconds: 60,
      directory: { [officer]: { tenant: tenantId, roles: ['compliance-officer'] } },
    }));
    await ui.start('console_oidc_browser', {
      port,
      oidc: { issuer, audience: AUDIENCE, jwks: createRemoteJWKSet(new URL(`${issuer}/jwks`)) },
      consoleOidc: { clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret },
    });
    page = await ui.newPage();
  }, 120_000);

  afterAll(async () => {
    await ui.stop();
    provider.kill('SIGTERM');
  });

  it('signs in with the organization’s provider and comes back to the page asked for, holding only the HttpOnly session cookie', async () => {
    await page.goto(`${api.base}/console/records?kind=read`);
    await page.waitForURL(/\/console\/sign-in/);
    const button = page.getByRole('link', { name: 'Sign in with your organization' });
    await button.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const href = await button.getAttribute('href');
    expect(href).toMatch(/^\/console\/auth\/oidc\?returnTo=/);
    await page.goto(`${api.base}${href ?? ''}&loginHint=${officer}`);
    await page.waitForURL((url) => url.pathname === '/console/records' && url.searchParams.get('kind') === 'read');
    await page.getByText(`Signed in as`).waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'attest_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // The provider's sign-in cookie is gone, and nothing else of the sign-in stays behind.
    expect(cookies.filter((c) => c.name.startsWith('attest_')).map((c) => c.name)).toEqual(['attest_session']);
    await page.goto(`${api.base}/console/`);
    await page.getByText(tenantId).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
