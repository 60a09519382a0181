import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_SESSION_POLICY, recentSignInUntil, sessionIdleUntil } from '@attest/access-domain';
import { CONSOLE_SESSIONS, sessionCookie, sessionCookieValue, type ConsoleSessionStore } from '@attest/access-application';
import { ApiAuthenticatedProblems, ApiPublicProblems, currentPrincipal, ProblemException, Public, RequirePermission } from '@attest/http';

/** Where the console starts, and where a sign-in may send the browser back to (same origin, under /console only). */
const CONSOLE_HOME = '/console/';
const RETURN_TO = /^\/console\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;

export function safeReturnTo(returnTo: unknown): string {
  return typeof returnTo === 'string' && RETURN_TO.test(returnTo) && !returnTo.startsWith('//') ? returnTo : CONSOLE_HOME;
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
  constructor(@Inject(CONSOLE_SESSIONS) private readonly sessions: ConsoleSessionStore) {}

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
    return { oidc: false, linkMinutes: CONSOLE_SESSION_POLICY.linkMinutes };
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
