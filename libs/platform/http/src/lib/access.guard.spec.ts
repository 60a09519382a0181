import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedPrincipal, Authenticator } from '@attest/security';
import { AccessGuard } from './access.guard';
import { Public, RequirePermission, RequirePurpose } from './decorators';
import { ProblemException } from './problem';
import { RateLimiter } from './rate-limiter';
import { currentContext, runWithContext } from './request-context';

class Routes {
  @Public() open(): void {}
  @RequirePermission('customers:read') @RequirePurpose() personal(): void {}
  @RequirePermission('customers:read') plain(): void {}
  undeclared(): void {}
}

const principal: AuthenticatedPrincipal = { actor: 'apiKey:k1', tenantId: 't1', roles: ['service'], permissions: new Set(['customers:read']), via: 'api-key' };
const authenticator = (p: AuthenticatedPrincipal | null): Authenticator => ({ authenticate: () => Promise.resolve(p) });

function context(handler: keyof Routes, headers: Record<string, string> = {}): ExecutionContext {
  const fn = Routes.prototype[handler];
  return {
    getHandler: () => fn,
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ headers }) }),
  } as unknown as ExecutionContext;
}

async function refusal(guard: AccessGuard, ctx: ExecutionContext): Promise<{ status: number; code: string } | null> {
  try {
    await guard.canActivate(ctx);
    return null;
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    return { status: error.getStatus(), code: error.code };
  }
}

describe('AccessGuard', () => {
  const guard = (p: AuthenticatedPrincipal | null = principal): AccessGuard => new AccessGuard(new Reflector(), authenticator(p), new RateLimiter(1000));

  it('lets public routes through without credentials', async () => {
    await expect(guard(null).canActivate(context('open'))).resolves.toBe(true);
  });

  it('refuses a route that declares no permission, even to an authenticated caller', async () => {
    expect(await refusal(guard(), context('undeclared'))).toEqual({ status: 403, code: 'AUTH.ROUTE_WITHOUT_PERMISSION' });
  });

  it('requires a declared purpose to read personal data (C3), and records it', async () => {
    expect(await refusal(guard(), context('personal'))).toEqual({ status: 400, code: 'PURPOSE.REQUIRED' });
    expect(await refusal(guard(), context('personal', { 'x-purpose': 'Not A Key!' }))).toEqual({ status: 400, code: 'PURPOSE.INVALID' });
    await runWithContext({ correlationId: 'c1' }, async () => {
      await expect(guard().canActivate(context('personal', { 'x-purpose': 'customer-support' }))).resolves.toBe(true);
      expect(currentContext()).toMatchObject({ purpose: 'customer-support', principal: { actor: 'apiKey:k1' } });
    });
  });

  it('does not ask for a purpose where no personal data is read', async () => {
    await expect(guard().canActivate(context('plain'))).resolves.toBe(true);
  });
});
