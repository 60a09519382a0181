import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CommandBus } from '@nestjs/cqrs';
import { createRemoteJWKSet, exportJWK, generateKeyPair } from 'jose';
import { hashInvitationToken, RunAccountCommand } from '@attest/accounts-application';
import { uuidv7 } from '@attest/kernel';
import { ApiHarness } from './testing/api-harness';

/**
 * A3, the worked example of the organization administrators' guide ("How an
 * end user signs in"): the CRM platform's identity provider — here a real one,
 * the `oidc-provider` library in a process of its own — signs the person in
 * (authorization code + PKCE), issues an access token for Attest's audience
 * whose `sub` is the Attest account id and whose `tenant_id` and `roles` claims
 * say where and as what; Attest verifies it against the provider's JWKS.
 */
const AUDIENCE = 'https://api.attest.example';
const REDIRECT = 'http://127.0.0.1/callback';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const tenantId = `signin-${randomBytes(3).toString('hex')}`;
const member = uuidv7();
const stranger = uuidv7();

async function startProvider(): Promise<{ child: ChildProcess; issuer: string }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'platform-1', alg: 'ES256', use: 'sig' };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'testing', 'oidc-provider-process.ts')], {
    env: {
      ...process.env,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_SIGNING_JWK: JSON.stringify(jwk),
      // The platform's directory: the member of the tenant, and nobody else.
      OIDC_DIRECTORY: JSON.stringify({ [member]: { tenant: tenantId, roles: ['end-user'] } }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => {
      reject(new Error(`the OIDC provider exited (${String(code)}): ${errors.join('')}`));
    });
  });
  return { child, issuer: (JSON.parse(first) as { issuer: string }).issuer };
}

/** The browser's part of the code flow: follow the provider's redirects with its cookies until it sends the user back. */
async function authorize(
  issuer: string,
  loginHint: string,
): Promise<{ code: string | null; error: string | null; description: string | null; state: string | null; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    client_id: 'crm-web',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: REDIRECT,
    resource: AUDIENCE,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(12).toString('base64url'),
    login_hint: loginHint,
  });
  const cookies = new Map<string, string>();
  let url = `${issuer}/auth?${query.toString()}`;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const set of res.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const [name = '', ...value] = pair.split('=');
      cookies.set(name, value.join('='));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the provider answered ${String(res.status)} without a redirect: ${await res.text()}`);
    const next = new URL(location, url);
    if (next.href.startsWith(REDIRECT)) {
      expect(next.searchParams.get('state')).toBe(state);
      return {
        code: next.searchParams.get('code'),
        error: next.searchParams.get('error'),
        description: next.searchParams.get('error_description'),
        state: next.searchParams.get('state'),
        verifier,
      };
    }
    url = next.href;
  }
  throw new Error('too many redirects');
}

describe('an end user signs in through the platform’s identity provider and reaches /v1/accounts/me (A3, OIDC with a real provider)', () => {
  const api = new ApiHarness();
  let provider: ChildProcess;
  let issuer: string;

  beforeAll(async () => {
    ({ child: provider, issuer } = await startProvider());
    await api.start('end_user_sign_in', { workers: false, oidc: { issuer, audience: AUDIENCE, jwks: createRemoteJWKSet(new URL(`${issuer}/jwks`)) } });
    // The member's account in Attest (invited and accepted through the accounts context's commands).
    const bus = api.app.get(CommandBus);
    const context = { tenantId, actor: 'system:test', correlationId: uuidv7(), commandId: uuidv7() };
    const token = randomBytes(24).toString('base64url');
    await bus.execute(
      new RunAccountCommand(context, {
        kind: 'InviteEndUser',
        accountId: member,
        departmentId: null,
        contact: { name: 'Chen Jing', email: 'chen.jing@acme.example', phone: null },
        birthDate: null,
        minor: null,
        token,
        tokenHash: hashInvitationToken(token),
        expiresAt: new Date(Date.now() + 86_400_000),
      }),
    );
    await bus.execute(new RunAccountCommand(context, { kind: 'AcceptInvitation', accountId: member, tokenHash: hashInvitationToken(token) }));
  }, 60_000);

  afterAll(async () => {
    await api.stop();
    provider.kill('SIGTERM');
  });

  it('code + PKCE at the provider gives an access token whose sub is the account: /v1/accounts/me answers for that person', async () => {
    const { code, verifier, error, description } = await authorize(issuer, member);
    if (!code) throw new Error(`no code: ${String(error)} ${String(description)}`);
    const token = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`crm-web:${CLIENT_SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, resource: AUDIENCE }).toString(),
    });
    expect(token.status).toBe(200);
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    expect(accessToken.split('.')).toHaveLength(3);

    expect((await api.call('GET', '/v1/me', { key: accessToken })).body).toMatchObject({ actor: `user:${member}`, tenantId, via: 'jwt', roles: ['end-user'] });
    expect((await api.call('GET', '/v1/accounts/me', { key: accessToken })).body).toMatchObject({ accountId: member, tenantId, status: 'active' });
    // The same code cannot be used twice (the provider refuses the replay).
    const replay = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`crm-web:${CLIENT_SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, resource: AUDIENCE }).toString(),
    });
    expect(replay.status).toBe(400);
  });

  it('a wrong PKCE verifier gets no token, and a person the platform does not know gets no code', async () => {
    const { code } = await authorize(issuer, member);
    if (!code) throw new Error('no code');
    const wrong = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`crm-web:${CLIENT_SECRET}`).toString('base64')}` },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: randomBytes(32).toString('base64url'),
        resource: AUDIENCE,
      }).toString(),
    });
    expect(wrong.status).toBe(400);
    expect(await authorize(issuer, stranger)).toMatchObject({ code: null, error: 'access_denied' });
  });

  it('a token with the right claims but not signed by the provider is refused by Attest', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const { SignJWT } = await import('jose');
    const forged = await new SignJWT({ tenant_id: tenantId, roles: ['end-user'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'platform-1' })
      .setSubject(member)
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await api.call('GET', '/v1/accounts/me', { key: forged })).status).toBe(401);
  });
});
