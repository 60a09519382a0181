import { Controller, Get, HttpCode, Inject, Logger, Optional, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_SESSION_POLICY, isRole, recentSignInUntil, sessionIdleUntil } from '@attest/access-domain';
import {
  CONSOLE_OIDC,
  CONSOLE_SESSIONS,
  sessionCookie,
  sessionCookieValue,
  type ConsoleOidcClient,
  type ConsoleSessionStore,
} from '@attest/access-application';
import {
  ApiAuthenticatedProblems,
  ApiPublicProblems,
  AUTHENTICATOR,
  currentPrincipal,
  ProblemException,
  Public,
  RequirePermission,
  type Authenticator,
} from '@attest/http';

/** Where the console starts, and where a sign-in may send the browser back to (same origin, under /console only). */
const CONSOLE_HOME = '/console/';
const RETURN_TO = /^\/console\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;

export function safeReturnTo(returnTo: unknown): string {
  return typeof returnTo === 'string' && RETURN_TO.test(returnTo) && !returnTo.startsWith('//') ? returnTo : CONSOLE_HOME;
}

/** The short-lived cookie that carries an OIDC sign-in from the redirect to the callback (Lax: the callback is a cross-site navigation). */
const OIDC_COOKIE = 'attest_oidc';
const OIDC_PATH = '/console/auth/oidc';
const LOGIN_HINT = /^[A-Za-z0-9._@:+-]{1,128}$/;

function oidcCookie(secret: string, https: boolean, maxAgeSeconds: number): string {
  return `${OIDC_COOKIE}=${secret}; Path=${OIDC_PATH}; Max-Age=${String(maxAgeSeconds)}; HttpOnly; SameSite=Lax${https ? '; Secure' : ''}`;
}

function oidcCookieValue(cookie: string | undefined): string | null {
  for (const part of (cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === OIDC_COOKIE) return part.slice(eq + 1).trim();
  }
  return null;
}

export class ConsoleSessionDto {
  @ApiProperty({ example: 'link:01a24…' }) actor!: string;
  @ApiProperty({ example: 'demo' }) tenantId!: string;
  @ApiProperty({ example: ['compliance-officer'] }) roles!: string[];
  @ApiProperty({ example: ['processing-record:read'] }) permissions!: string[];
  @ApiProperty({ enum: ['link', 'oidc'] }) method!: 'link' | 'oidc';
  @ApiProperty({ description: 'When the person last signed in (a step-up is a new sign-in)' }) signedInAt!: string;
  @ApiProperty({ description: 'Until when personal data may be revealed and exports downloaded without signing in again' }) recentSignInUntil!: string;
  @ApiProperty({ description: 'When the session ends if unused' }) idleExpiresAt!: string;
  @ApiProperty({ description: 'When the session ends however busy' }) expiresAt!: string;
}

export class ConsoleSignInOptionsDto {
  @ApiProperty({ description: 'The deployment signs people in with its OIDC provider' }) oidc!: boolean;
  @ApiProperty({ description: 'Minutes a sign-in link works (single use)' }) linkMinutes!: number;
}

/**
 * The console's backend-for-frontend sign-in: the browser holds only an HttpOnly,
 * SameSite=Strict cookie with an opaque secret; the session, its expiry and its
 * principal live on the server (ADR 0013).
 */
@ApiTags('console')
@Controller()
export class ConsoleSessionController {
  private readonly logger = new Logger('ConsoleSignIn');

  constructor(
    @Inject(CONSOLE_SESSIONS) private readonly sessions: ConsoleSessionStore,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    /** Absent when the deployment configures no OIDC provider for the console. */
    @Optional() @Inject(CONSOLE_OIDC) private readonly oidc: ConsoleOidcClient | null = null,
  ) {}

  /**
   * Starts an OIDC sign-in: state, nonce and PKCE verifier are kept on the server (behind a
   * short-lived cookie) and the browser goes to the provider. `prompt=login` asks the
   * provider for a fresh sign-in (the console's step-up).
   */
  @Get('console/auth/oidc')
  @Public()
  @ApiExcludeEndpoint()
  async startOidc(
    @Query('returnTo') returnTo: unknown,
    @Query('prompt') prompt: unknown,
    @Query('loginHint') loginHint: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    reply.header('cache-control', 'no-store');
    if (!this.oidc) {
      await reply.redirect('/console/sign-in?error=oidc-not-configured', 303);
      return;
    }
    const https = request.protocol === 'https';
    const redirectUri = `${request.protocol}://${request.host}${OIDC_PATH}/callback`;
    const signIn = this.oidc.newSignIn(safeReturnTo(returnTo), redirectUri);
    let target: URL;
    try {
      target = await this.oidc.authorizationUrl(signIn, {
        ...(prompt === 'login' ? { prompt: 'login' as const } : {}),
        ...(typeof loginHint === 'string' && LOGIN_HINT.test(loginHint) ? { loginHint } : {}),
      });
    } catch (error) {
      this.logger.warn(`the OIDC provider could not be reached: ${error instanceof Error ? error.name : 'error'}`);
      await reply.redirect('/console/sign-in?error=oidc-unavailable', 303);
      return;
    }
    const secret = await this.sessions.beginOidc(signIn);
    reply.header('set-cookie', oidcCookie(secret, https, 600));
    await reply.redirect(target.href, 303);
  }

  /** The provider sends the browser back here: the code is exchanged and checked, and a session opened with the principal of its access token. */
  @Get('console/auth/oidc/callback')
  @Public()
  @ApiExcludeEndpoint()
  async oidcCallback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const https = request.protocol === 'https';
    const clear = oidcCookie('', https, 0);
    const secret = oidcCookieValue(request.headers.cookie);
    const signIn = secret !== null ? await this.sessions.takeOidc(secret) : null;
    if (!this.oidc || !signIn) {
      reply.header('set-cookie', clear);
      await reply.redirect('/console/sign-in?error=oidc-failed', 303);
      return;
    }
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    let principal;
    try {
      const accessToken = await this.oidc.exchange(new URL(`${signIn.redirectUri}${query}`), signIn);
      // One authorization model: the access token goes through the same authenticator as a bearer call.
      principal = await this.authenticator.authenticate({ authorization: `Bearer ${accessToken}` });
    } catch (error) {
      const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
      this.logger.warn(`console OIDC sign-in refused: ${typeof code === 'string' ? code : error instanceof Error ? error.name : 'error'}`);
      principal = null;
    }
    if (!principal) {
      reply.header('set-cookie', clear);
      await reply.redirect('/console/sign-in?error=oidc-failed', 303);
      return;
    }
    const opened = await this.sessions.open({ tenantId: principal.tenantId, actor: principal.actor, roles: principal.roles.filter(isRole) }, 'oidc');
    reply.header('set-cookie', [clear, sessionCookie(opened.secret, https, CONSOLE_SESSION_POLICY.lifetimeHours * 3600)]);
    await reply.redirect(signIn.returnTo, 303);
  }

  /** A sign-in link opened in the browser: used once, it opens a session and goes on to the console. */
  @Get('console/auth/link')
  @Public()
  @ApiExcludeEndpoint()
  async signInWithLink(
    @Query('token') token: unknown,
    @Query('returnTo') returnTo: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // The token must not travel on in a Referer header, nor be kept by a cache.
    reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
    const opened = typeof token === 'string' ? await this.sessions.signInWithLink(token) : null;
    if (!opened) {
      await reply.redirect('/console/sign-in?error=link-invalid', 303);
      return;
    }
    reply.header('set-cookie', sessionCookie(opened.secret, request.protocol === 'https', CONSOLE_SESSION_POLICY.lifetimeHours * 3600));
    await reply.redirect(safeReturnTo(returnTo), 303);
  }

  @Get('v1/console/sign-in-options')
  @Public()
  @ApiOperation({ summary: 'How people sign in to the console here (no credentials needed)' })
  @ApiOkResponse({ type: ConsoleSignInOptionsDto })
  @ApiPublicProblems()
  signInOptions(): ConsoleSignInOptionsDto {
    return { oidc: this.oidc !== null, linkMinutes: CONSOLE_SESSION_POLICY.linkMinutes };
  }

  @Get('v1/console/session')
  @RequirePermission('profile:read')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The console session of this browser: who, which tenant and roles, and when it ends' })
  @ApiOkResponse({ type: ConsoleSessionDto })
  @ApiAuthenticatedProblems(404)
  async session(@Req() request: FastifyRequest): Promise<ConsoleSessionDto> {
    const principal = currentPrincipal();
    const secret = sessionCookieValue(request.headers.cookie);
    const session = principal.via === 'session' && secret !== null ? await this.sessions.find(secret) : null;
    if (!session) throw new ProblemException(404, 'CONSOLE.NO_SESSION', 'This call was made with an API key or a bearer token, not a console session.');
    return {
      actor: session.actor,
      tenantId: session.tenantId,
      roles: [...session.roles],
      permissions: [...principal.permissions].sort(),
      method: session.method,
      signedInAt: session.signedInAt.toISOString(),
      recentSignInUntil: recentSignInUntil(session.signedInAt).toISOString(),
      idleExpiresAt: sessionIdleUntil(session.lastSeenAt, session.expiresAt).toISOString(),
      expiresAt: session.expiresAt.toISOString(),
    };
  }

  @Post('v1/console/session/sign-out')
  @HttpCode(204)
  @RequirePermission('profile:read')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Ends the console session of this browser (its cookie is cleared)' })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiAuthenticatedProblems()
  async signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const secret = sessionCookieValue(request.headers.cookie);
    if (secret !== null) await this.sessions.end(secret, 'signed-out');
    reply.header('set-cookie', sessionCookie('', request.protocol === 'https', 0));
  }
}
