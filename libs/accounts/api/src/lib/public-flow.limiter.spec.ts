import type { ExecutionContext } from '@nestjs/common';
import { ProblemException, RateLimiter } from '@attest/http';
import { PublicFlowGuard } from './public-flow.limiter';

const from = (ip: string): ExecutionContext => ({ switchToHttp: () => ({ getRequest: () => ({ ip }) }) }) as unknown as ExecutionContext;

describe('PublicFlowGuard (A2: bulk registration)', () => {
  it('limits public account flows per client address, not globally', () => {
    let now = 0;
    const guard = new PublicFlowGuard(new RateLimiter(3, () => now));
    for (let i = 0; i < 3; i++) expect(guard.canActivate(from('198.51.100.7'))).toBe(true);
    let refusal: unknown;
    try {
      guard.canActivate(from('198.51.100.7'));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ProblemException);
    expect(refusal).toMatchObject({ status: 429, code: 'HTTP.TOO_MANY_REQUESTS' });
    expect(guard.canActivate(from('198.51.100.8'))).toBe(true);
    now += 20_000;
    expect(guard.canActivate(from('198.51.100.7'))).toBe(true);
  });
});
