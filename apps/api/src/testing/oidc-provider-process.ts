/**
 * A real OpenID Provider (the `oidc-provider` library) for the end-user
 * sign-in spec, run in a process of its own (the library is an ES module).
 * It plays the CRM platform's identity provider: authorization code + PKCE,
 * RFC 8707 resource indicators so that the access token is a JWT for Attest's
 * audience, and the claims Attest maps (`sub` = the account id, `tenant_id`,
 * `roles`). The login screen is skipped: the test names the account in
 * `login_hint`, as a provider's own login would establish it.
 *
 * Prints `{"issuer": …}` on its first line once it listens; stops on SIGTERM.
 */
import { createServer } from 'node:http';

interface Interaction {
  readonly uid: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly prompt: { readonly name: string };
  readonly grantId?: string;
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface ProviderInstance {
  callback(): (req: unknown, res: unknown) => void;
  interactionDetails(req: unknown, res: unknown): Promise<Interaction>;
  interactionFinished(req: unknown, res: unknown, result: Record<string, unknown>, options?: { mergeWithLastSubmission: boolean }): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => GrantInstance;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

const PORT = Number(process.env['OIDC_PORT'] ?? '0');
const AUDIENCE = process.env['OIDC_AUDIENCE'] ?? 'attest-api';
const CLIENT = {
  client_id: 'crm-web',
  client_secret: process.env['OIDC_CLIENT_SECRET'] ?? 'crm-web-secret-for-tests-only',
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  id_token_signed_response_alg: 'ES256',
};
/** A second client for Attest's web console (`OIDC_CONSOLE_CLIENT`: id, secret, redirect URI), when given. */
const CONSOLE_CLIENT = process.env['OIDC_CONSOLE_CLIENT']
  ? (JSON.parse(process.env['OIDC_CONSOLE_CLIENT']) as { client_id: string; client_secret: string; redirect_uri: string })
  : null;
/** Seconds an authorization code lives (the library's default: 60). */
const CODE_TTL = Number(process.env['OIDC_CODE_TTL'] ?? '60');
/** What the platform's directory knows of each person: the tenant and roles Attest receives as claims. */
const DIRECTORY: Readonly<Record<string, { tenant: string; roles: string[] }>> = JSON.parse(process.env['OIDC_DIRECTORY'] ?? '{}') as Record<
  string,
  { tenant: string; roles: string[] }
>;

async function main(): Promise<void> {
  const Provider = ((await import('oidc-provider')) as unknown as { default: ProviderClass }).default;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const issuer = `http://127.0.0.1:${String(address.port)}`;
  const provider = new Provider(issuer, {
    clients: [
      CLIENT,
      ...(CONSOLE_CLIENT
        ? [{ ...CLIENT, client_id: CONSOLE_CLIENT.client_id, client_secret: CONSOLE_CLIENT.client_secret, redirect_uris: [CONSOLE_CLIENT.redirect_uri] }]
        : []),
    ],
    ttl: { AuthorizationCode: CODE_TTL },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== AUDIENCE) throw new Error(`unknown resource ${resource}`);
          return { scope: 'attest', audience: AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    jwks: { keys: [JSON.parse(process.env['OIDC_SIGNING_JWK'] ?? '{}') as Record<string, unknown>] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => {
      const person = token.accountId ? DIRECTORY[token.accountId] : undefined;
      return person ? { tenant_id: person.tenant, roles: person.roles } : undefined;
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  });
  const oidc = provider.callback();
  server.on('request', (req: { url?: string }, res: { statusCode: number; end(body: string): void }) => {
    const match = /^\/interaction\/([^/?]+)/u.exec(req.url ?? '');
    if (!match) {
      oidc(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const accountId = typeof details.params['login_hint'] === 'string' ? details.params['login_hint'] : '';
      if (!(accountId in DIRECTORY)) {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown person' });
        return;
      }
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
        return;
      }
      const clientId = typeof details.params['client_id'] === 'string' ? details.params['client_id'] : CLIENT.client_id;
      const grant = new provider.Grant({ accountId, clientId });
      grant.addOIDCScope('openid');
      grant.addResourceScope(AUDIENCE, 'attest');
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(error instanceof Error ? error.message : 'interaction failed');
    });
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`oidc provider failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
