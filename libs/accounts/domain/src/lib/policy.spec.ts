import { ACCOUNT_POLICY, inactiveForCancellationBefore, inactivityCancellationOn } from './account.decider';

describe('A8: the inactivity period, defined once (jobs select by it, the decider decides by it)', () => {
  it.each([
    ['2026-01-15T09:00:00.000Z', '2026-07-16'],
    ['2026-08-31T23:00:00.000Z', '2027-03-01'],
    ['2027-08-31T00:00:00.000Z', '2028-03-01'],
  ])('an account idle since %s may be cancelled from %s', (last, on) => {
    expect(inactivityCancellationOn(new Date(last))).toBe(on);
  });

  it('the instant a job selects idle accounts by matches what the decider allows', () => {
    for (const today of ['2026-03-01', '2026-02-28', '2026-08-29', '2026-08-31', '2026-09-01', '2026-12-04', '2028-02-29']) {
      const now = new Date(`${today}T12:00:00.000Z`);
      const before = inactiveForCancellationBefore(now);
      // Idle since just before the boundary: cancellable today; since the boundary: not yet.
      for (const [last, cancellable] of [
        [new Date(before.getTime() - 1), true],
        [before, false],
      ] as const) {
        expect({ today, last: last.toISOString(), cancellable: inactivityCancellationOn(last) <= today }).toEqual({
          today,
          last: last.toISOString(),
          cancellable,
        });
      }
    }
    expect(ACCOUNT_POLICY.inactivityCancellationMonths).toBe(6);
  });
});
