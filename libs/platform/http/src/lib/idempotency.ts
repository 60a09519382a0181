import { createHash } from 'node:crypto';
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, of, type Observable } from 'rxjs';
import { REPLAY_OMITS_KEY } from './decorators';
import { ProblemException } from './problem';
import { IDEMPOTENCY_STORE, type IdempotencyScope, type IdempotencyStore } from '@attest/security';
import { currentContext } from './request-context';

export { IDEMPOTENCY_STORE, type IdempotencyBegin, type IdempotencyScope, type IdempotencyStore } from '@attest/security';

const KEY = /^[A-Za-z0-9._:-]{1,128}$/;

function omit(body: unknown, fields: readonly string[]): unknown {
  if (fields.length === 0 || typeof body !== 'object' || body === null) return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => !fields.includes(k)));
}

/**
 * `Idempotency-Key` on a command: the first response is stored (without
 * fields marked `@ReplayOmits`, such as secrets shown once) and returned for
 * every repeat; nothing is executed or appended again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers['idempotency-key'];
    const tenantId = currentContext()?.principal?.tenantId;
    if (request.method !== 'POST' || header === undefined || !tenantId) return next.handle();
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new ProblemException(400, 'IDEMPOTENCY.INVALID_KEY', 'Idempotency-Key must be 1–128 letters, digits or ._:-');
    }
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.routeOptions.url ?? ''} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const scope: IdempotencyScope = { tenantId, key: header, fingerprint };
    const status = this.reflector.get<number | undefined>('__httpCode__', context.getHandler()) ?? 201;
    const omitted = this.reflector.get<string[] | undefined>(REPLAY_OMITS_KEY, context.getHandler()) ?? [];
    return from(this.store.begin(scope)).pipe(
      mergeMap((begun) => {
        switch (begun.state) {
          case 'replay':
            void reply.status(begun.status).header('Idempotent-Replayed', 'true');
            return of(begun.body);
          case 'in-progress':
            throw new ProblemException(409, 'IDEMPOTENCY.IN_PROGRESS', 'A request with this Idempotency-Key is still running.');
          case 'mismatch':
            throw new ProblemException(422, 'IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used for a different request.');
          case 'new':
            return next.handle().pipe(
              mergeMap(async (body: unknown) => {
                await this.store.complete(scope, status, omit(body, omitted));
                return body;
              }),
              catchError(async (error: unknown) => {
                await this.store.abandon(scope);
                throw error;
              }),
            );
        }
      }),
    );
  }
}
