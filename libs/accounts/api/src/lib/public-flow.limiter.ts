import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException, type RateLimit } from '@attest/http';

export const PUBLIC_FLOW_LIMITER = Symbol.for('attest.accounts.PublicFlowLimiter');

/**
 * Public account flows (registration, one-time codes, invitation answers)
 * take no credential, so they are limited per client address instead (A2:
 * bulk or malicious registration). Behind a proxy, configure Fastify's
 * `trustProxy` so the address is the client's.
 */
@Injectable()
export class PublicFlowGuard implements CanActivate {
  constructor(@Inject(PUBLIC_FLOW_LIMITER) private readonly limiter: RateLimit) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const wait = this.limiter.take(`ip:${request.ip}`);
    if (wait > 0) throw new ProblemException(429, 'HTTP.TOO_MANY_REQUESTS', 'Too many requests from this address.', { retryAfterSeconds: wait });
    return true;
  }
}
