import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { PERMISSION_KEY, PUBLIC_KEY, PURPOSE_KEY, RECENT_SIGN_IN_KEY } from './decorators';
import { AUTHENTICATOR, type Authenticator } from './principal';
import { ProblemException } from './problem';
import { RATE_LIMITER, type RateLimit } from './rate-limiter';
import { currentContext } from './request-context';

const PURPOSE = /^[a-z0-9][a-z0-9._-]{1,63}$/;
/** Methods that change nothing: the only ones a console session may call without the CSRF header. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The header the console sends on every call; a cross-site form or image cannot set it (CSRF defence with SameSite=Strict). */
export const CSRF_HEADER = 'x-attest-csrf';

/**
 * The one gate of every route, in order: public? → authenticated (401) →
 * a console session's mutating call carries the CSRF header (403) → within the
 * rate limit (429) → holds the route's permission (403) → declared a purpose where
 * personal data is read (400) → a console session that reveals personal data (a
 * declared purpose) or downloads an export signed in recently (403, step-up). A route that declares no
 * permission is refused: access fails closed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.authenticator.authenticate(request.headers);
    if (!principal) {
      throw new ProblemException(401, 'AUTH.MISSING_CREDENTIALS', 'Send an API key or an OIDC access token as `Authorization: Bearer …`.');
    }
    if (principal.via === 'session' && !SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== '1') {
      throw new ProblemException(403, 'AUTH.CSRF_HEADER_REQUIRED', 'Calls made with the console session must send the header `X-Attest-Csrf: 1`.');
    }
    const ctx = currentContext();
    if (ctx) ctx.principal = principal;
    const wait = this.limiter.take(principal.actor);
    if (wait > 0) throw new ProblemException(429, 'HTTP.TOO_MANY_REQUESTS', 'Rate limit reached for this credential.', { retryAfterSeconds: wait });

    const permission = this.reflector.getAllAndOverride<string | undefined>(PERMISSION_KEY, targets);
    if (!permission) throw new ProblemException(403, 'AUTH.ROUTE_WITHOUT_PERMISSION', 'This route declares no permission; access is denied.');
    if (!principal.permissions.has(permission)) {
      throw new ProblemException(403, 'AUTH.FORBIDDEN', `This action needs the permission ${permission}.`);
    }

    const purpose = request.headers['x-purpose'];
    if (typeof purpose === 'string') {
      if (!PURPOSE.test(purpose)) throw new ProblemException(400, 'PURPOSE.INVALID', 'X-Purpose must be a purpose key such as `customer-support`.');
      if (ctx) ctx.purpose = purpose;
    }
    const readsPersonalData = this.reflector.get<boolean | undefined>(PURPOSE_KEY, context.getHandler()) === true;
    if (readsPersonalData && typeof purpose !== 'string') {
      throw new ProblemException(400, 'PURPOSE.REQUIRED', 'Reading personal data needs a declared purpose in X-Purpose.');
    }
    // A declared purpose asks for personal data in plaintext: from a console session, that is a reveal.
    const needsRecentSignIn =
      readsPersonalData || typeof purpose === 'string' || this.reflector.get<boolean | undefined>(RECENT_SIGN_IN_KEY, context.getHandler()) === true;
    if (needsRecentSignIn && principal.via === 'session' && principal.recentSignIn !== true) {
      throw new ProblemException(403, 'AUTH.STEP_UP_REQUIRED', 'This needs a recent sign-in: sign in again, then repeat the action.');
    }
    return true;
  }
}
