import { DomainError, fold, type Decider } from '@attest/kernel';

/**
 * given(events).when(command).then(events) — or .thenRefuses(code) — for a
 * pure decider; no store, no clock, no framework.
 */
export function deciderSpec<C, E, S>(decider: Decider<C, E, S>) {
  return {
    given(history: readonly E[]) {
      return {
        when(command: C) {
          const run = (): readonly E[] => decider.decide(command, fold(decider, history));
          return {
            then(expected: readonly E[]): void {
              expect(run()).toEqual(expected);
            },
            thenRefuses(code: string): void {
              let error: unknown;
              try {
                run();
              } catch (e) {
                error = e;
              }
              expect(error).toBeInstanceOf(DomainError);
              expect((error as DomainError).code).toBe(code);
            },
          };
        },
      };
    },
  };
}
