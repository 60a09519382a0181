import * as oidc from 'openid-client';
import type { ConsoleOidcClient, ConsoleOidcSignIn } from '@attest/access-application';

export interface ConsoleOidcOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The API's audience: asked for as the resource (RFC 8707), so the access token is one the API accepts. */
  readonly audience: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The console's OIDC client (`openid-client`): a confidential client using the
 * authorization code flow with PKCE (S256), state and nonce. The provider's
 * metadata is discovered on first use. Plain http is accepted for a provider on
 * this machine only (development and tests).
 */
export class OpenIdConsoleClient implements ConsoleOidcClient {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(private readonly options: ConsoleOidcOptions) {}

  newSignIn(returnTo: string, redirectUri: string): ConsoleOidcSignIn {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), returnTo, redirectUri };
  }

  async authorizationUrl(signIn: ConsoleOidcSignIn, options: { readonly prompt?: 'login'; readonly loginHint?: string }): Promise<URL> {
    return oidc.buildAuthorizationUrl(await this.config(), {
      redirect_uri: signIn.redirectUri,
      scope: 'openid',
      resource: this.options.audience,
      code_challenge: await oidc.calculatePKCECodeChallenge(signIn.codeVerifier),
      code_challenge_method: 'S256',
      state: signIn.state,
      nonce: signIn.nonce,
      ...(options.prompt ? { prompt: options.prompt } : {}),
      ...(options.loginHint ? { login_hint: options.loginHint } : {}),
    });
  }

  async exchange(callback: URL, signIn: ConsoleOidcSignIn): Promise<string> {
    const tokens = await oidc.authorizationCodeGrant(
      await this.config(),
      callback,
      { pkceCodeVerifier: signIn.codeVerifier, expectedState: signIn.state, expectedNonce: signIn.nonce, idTokenExpected: true },
      { resource: this.options.audience },
    );
    return tokens.access_token;
  }

  private config(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.options.issuer);
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      this.configuration = oidc
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- plain http to a provider on this machine only (see above)
        .discovery(issuer, this.options.clientId, this.options.clientSecret, undefined, insecure ? { execute: [oidc.allowInsecureRequests] } : undefined)
        .catch((error: unknown) => {
          // A provider that was down is asked again next time.
          this.configuration = null;
          throw error;
        });
    }
    return this.configuration;
  }
}
