import fc from 'fast-check';
import { DomainError } from '@attest/kernel';
import { apiKeyDecider } from './api-key';
import { delegationDecider } from './delegation';
import { DELEGABLE_PERMISSIONS, PERMISSIONS, permissionsFor, ROLES, type Permission, type Role } from './permissions';

/**
 * A3 / security: whatever a principal issues or delegates is a subset of what
 * it holds at that moment, over every combination of the issuer's roles and
 * delegations and of what is asked for.
 */
const roles = fc.subarray([...ROLES]);
const delegated = fc.subarray([...DELEGABLE_PERMISSIONS]);
const now = new Date('2026-12-01T10:00:00.000Z');

/** The decider's answer: its events, or the code it refused with. */
function attempt<T>(run: () => readonly T[]): readonly T[] | string {
  try {
    return run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('no escalation through keys or delegation (property-based, every role and delegation)', () => {
  it('an API key is issued only when every permission of its roles is held by the issuer', () => {
    fc.assert(
      fc.property(roles, delegated, fc.subarray([...ROLES], { minLength: 1 }), (issuerRoles: Role[], issuerDelegated: Permission[], asked: Role[]) => {
        const held = permissionsFor(issuerRoles, issuerDelegated);
        const outcome = attempt(() =>
          apiKeyDecider.decide(
            {
              kind: 'IssueApiKey',
              keyId: '01a20000-0000-7000-8000-000000000001',
              tenantId: 'acme',
              prefix: 'p'.repeat(12),
              secretHash: 'f'.repeat(64),
              roles: asked,
              label: 'k',
              expiresAt: new Date(now.getTime() + 86_400_000),
              now,
              issuedBy: 'user:u',
              issuerPermissions: held,
            },
            apiKeyDecider.initialState,
          ),
        );
        const within = [...permissionsFor(asked)].every((p) => held.has(p));
        if (!held.has('api-keys:manage')) expect(outcome).toBe('API_KEY.NOT_PERMITTED');
        else if (within) expect(outcome).toHaveLength(1);
        else expect(outcome).toBe('API_KEY.ROLE_ESCALATION');
      }),
      { numRuns: 2000 },
    );
  });

  it('a delegation is recorded only for delegable permissions the delegator holds', () => {
    fc.assert(
      fc.property(
        roles,
        delegated,
        fc.subarray([...PERMISSIONS], { minLength: 1 }),
        (delegatorRoles: Role[], delegatorDelegated: Permission[], asked: Permission[]) => {
          const held = permissionsFor(delegatorRoles, delegatorDelegated);
          const outcome = attempt(() =>
            delegationDecider.decide(
              { kind: 'DelegatePermissions', tenantId: 'acme', userId: 'u-2', permissions: asked, delegatedBy: 'user:u', delegatorPermissions: held },
              delegationDecider.initialState,
            ),
          );
          if (typeof outcome === 'string') {
            expect(asked.some((p) => !DELEGABLE_PERMISSIONS.includes(p) || !held.has(p))).toBe(true);
          } else {
            for (const event of outcome) for (const p of event.type === 'PermissionsDelegated.v1' ? event.data.permissions : []) expect(held.has(p)).toBe(true);
            expect(asked.every((p) => DELEGABLE_PERMISSIONS.includes(p) && held.has(p))).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
