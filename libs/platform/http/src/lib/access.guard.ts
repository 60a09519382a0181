import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { PERMISSION_KEY, PUBLIC_KEY, PURPOSE_KEY } from './decorators';
import { AUTHENTICATOR, type Authenticator } from './principal';
import { ProblemException } from './problem';
import { RATE_LIMITER, type RateLimiter } from './rate-limiter';
import { currentContext } from './request-context';

const PURPOSE = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/**
 * The one gate of every route, in order: public? → authenticated (401) →
 * within the rate limit (429) → holds the route's permission (403) → declared
 * a purpose where personal data is read (400). A route that declares no
 * permission is refused: access fails closed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.authenticator.authenticate(request.headers);
    if (!principal) {
      throw new ProblemException(401, 'AUTH.MISSING_CREDENTIALS', 'Send an API key or an OIDC access token as `Authorization: Bearer …`.');
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
    if (this.reflector.get<boolean | undefined>(PURPOSE_KEY, context.getHandler()) && typeof purpose !== 'string') {
      throw new ProblemException(400, 'PURPOSE.REQUIRED', 'Reading personal data needs a declared purpose in X-Purpose.');
    }
    return true;
  }
}
