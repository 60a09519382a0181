import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { firstLine } from './processes';

export interface OidcProviderOptions {
  readonly audience: string;
  readonly client: { readonly client_id: string; readonly client_secret: string };
  readonly redirectUri: string;
  readonly codeTtlSeconds: number;
  /** Accounts the provider knows: subject → tenant and roles (its claims). */
  readonly directory: Readonly<Record<string, { readonly tenant: string; readonly roles: readonly string[] }>>;
}

/** A real OpenID provider (`oidc-provider`) in its own process (`oidc-provider-process.ts`); its issuer URL once it listens. */
export async function startOidcProvider(options: OidcProviderOptions): Promise<{ child: ChildProcess; issuer: string }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'platform-1', alg: 'ES256', use: 'sig' };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'oidc-provider-process.ts')], {
    env: {
      ...process.env,
      OIDC_AUDIENCE: options.audience,
      OIDC_SIGNING_JWK: JSON.stringify(jwk),
      OIDC_CONSOLE_CLIENT: JSON.stringify({ ...options.client, redirect_uri: options.redirectUri }),
      OIDC_CODE_TTL: String(options.codeTtlSeconds),
      OIDC_DIRECTORY: JSON.stringify(options.directory),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const first = await firstLine(child, 'the OIDC provider');
  return { child, issuer: (JSON.parse(first) as { issuer: string }).issuer };
}
