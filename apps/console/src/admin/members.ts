// Members of the organization as the console shows them: the list (paged by `after`), invitations
// read from a pasted or uploaded contact list, and the delegations a member holds.
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { components, operations } from '../api/schema';

export type Member = components['schemas']['MemberDto'];
export type MemberStatus = Member['status'];
export type Invitation = components['schemas']['InvitationDto'];
export type InvitationOutcome = components['schemas']['InvitationOutcomeDto'];
export type DelegablePermission = components['schemas']['DelegationRequestDto']['permissions'][number];

/** Every permission the API lets an organization delegate to a member (and no other). */
const DELEGABLE: Readonly<Record<DelegablePermission, true>> = {
  'api-keys:read': true,
  'api-keys:manage': true,
  'delegations:read': true,
  'event-log:read': true,
  'personal-data:read': true,
  'organization:read': true,
  'organization:manage': true,
  'customers:read': true,
  'customers:manage': true,
  'consent:read': true,
  'consent:manage': true,
  'decisions:request': true,
  'messaging:read': true,
  'messaging:send': true,
};
export const DELEGABLE_PERMISSIONS = Object.keys(DELEGABLE) as readonly DelegablePermission[];
export const isDelegable = (permission: string): permission is DelegablePermission => Object.hasOwn(DELEGABLE, permission);

/** The statuses the member list can be filtered by (a member is never `cancelled`; its tenant is). */
type MemberFilterStatus = NonNullable<NonNullable<operations['OrganizationController_members']['parameters']['query']>['status']>;
export const MEMBER_STATUSES = [
  'invited',
  'active',
  'restricted',
  'suspended',
  'revoked',
  'unbound',
  'invitation-closed',
] as const satisfies readonly MemberFilterStatus[];

export const MEMBERS_PAGE_SIZE = 50;

export interface MemberFilter {
  readonly status: MemberFilterStatus | null;
  readonly departmentId: string | null;
  readonly unbindingRequested: boolean;
}

/** Members matching the filter, a page at a time (the API pages by account id). */
export function membersQuery(filter: MemberFilter) {
  return infiniteQueryOptions({
    queryKey: ['admin', 'members', filter] as const,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/v1/organization/members', {
          params: {
            query: {
              limit: MEMBERS_PAGE_SIZE,
              ...(pageParam === null ? {} : { after: pageParam }),
              ...(filter.status === null ? {} : { status: filter.status }),
              ...(filter.departmentId === null ? {} : { departmentId: filter.departmentId }),
              ...(filter.unbindingRequested ? { unbindingRequested: 'true' as const } : {}),
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (last: readonly Member[]) => (last.length < MEMBERS_PAGE_SIZE ? null : (last.at(-1)?.accountId ?? null)),
  });
}

/** One member with its status history. */
export const memberQuery = (accountId: string) =>
  queryOptions({
    queryKey: ['admin', 'member', accountId] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/v1/organization/members/{accountId}', { params: { path: { accountId } }, signal })),
  });

/** Why a line of the contact list cannot be sent (an i18n key's last part). */
export type ContactLineProblem = 'name' | 'reach' | 'email' | 'phone' | 'birthDate' | 'tooMany';

export interface ContactList {
  readonly invitations: readonly Invitation[];
  readonly problems: readonly { readonly line: number; readonly problem: ContactLineProblem }[];
}

/** The API's limit of one call. */
export const MAX_INVITATIONS = 500;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+[1-9]\d{6,14}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A contact list as people keep one: a line per person, `name, email, phone, birth date` separated
 * by commas, semicolons or tabs (a spreadsheet's CSV export), email or phone may be empty, the birth
 * date only for a minor (A12). A header line naming the columns is skipped, blank lines too. Every
 * line that cannot be sent is named with its line number; nothing is sent until none is left.
 */
export function parseContactList(text: string, departmentId: string | null): ContactList {
  const invitations: Invitation[] = [];
  const problems: { line: number; problem: ContactLineProblem }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const cells = raw.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    const [name = '', email = '', phone = '', birthDate = ''] = cells;
    if (invitations.length === 0 && problems.length === 0 && /^name$/i.test(name)) return;
    const problem: ContactLineProblem | null =
      name === ''
        ? 'name'
        : email === '' && phone === ''
          ? 'reach'
          : email !== '' && !EMAIL.test(email)
            ? 'email'
            : phone !== '' && !PHONE.test(phone.replace(/[\s-]/g, ''))
              ? 'phone'
              : birthDate !== '' && (!DAY.test(birthDate) || Number.isNaN(Date.parse(birthDate)))
                ? 'birthDate'
                : invitations.length >= MAX_INVITATIONS
                  ? 'tooMany'
                  : null;
    if (problem !== null) {
      problems.push({ line, problem });
      return;
    }
    invitations.push({
      departmentId,
      contact: { name, email: email === '' ? null : email, phone: phone === '' ? null : phone.replace(/[\s-]/g, '') },
      ...(birthDate === '' ? {} : { birthDate }),
    });
  });
  return { invitations, problems };
}

/** What to grant and what to revoke to go from the permissions a member holds to the ones ticked. */
export function delegationChange(
  held: readonly string[],
  wanted: ReadonlySet<DelegablePermission>,
): { readonly grant: DelegablePermission[]; readonly revoke: DelegablePermission[] } {
  const current = new Set(held.filter(isDelegable));
  return {
    grant: DELEGABLE_PERMISSIONS.filter((p) => wanted.has(p) && !current.has(p)),
    revoke: DELEGABLE_PERMISSIONS.filter((p) => !wanted.has(p) && current.has(p)),
  };
}
