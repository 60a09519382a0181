/** The roles of "Who uses it" in the requirements. */
export const ROLES = ['platform-operator', 'org-admin', 'end-user', 'compliance-officer', 'dsr-handler', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** Named permissions; every route declares exactly one. */
export const PERMISSIONS = [
  'profile:read',
  'api-keys:read',
  'api-keys:manage',
  'delegations:read',
  'delegations:manage',
  'event-log:read',
  'personal-data:read',
  'organization:read',
  'organization:manage',
  'account:self',
  'customers:read',
  'customers:manage',
  'consent:read',
  'consent:manage',
  'purposes:manage',
  'decisions:request',
  'messaging:read',
  'messaging:send',
  'messaging:manage',
  'processing-record:read',
  'processing-record:manage',
  'register:read',
  'register:manage',
  'requests:read',
  'requests:submit',
  'requests:manage',
  'requests:policy',
  'platform:operate',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The permission matrix. docs/security.md shows the same table (checked by a test). */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  'platform-operator': ['profile:read', 'api-keys:read', 'api-keys:manage', 'delegations:read', 'event-log:read', 'platform:operate'],
  'org-admin': [
    'profile:read',
    'api-keys:read',
    'api-keys:manage',
    'delegations:read',
    'delegations:manage',
    'event-log:read',
    'personal-data:read',
    'organization:read',
    'organization:manage',
    'account:self',
    'customers:read',
    'customers:manage',
    'consent:read',
    'consent:manage',
    'purposes:manage',
    'decisions:request',
    'messaging:read',
    'messaging:send',
    'messaging:manage',
    'processing-record:read',
    'register:read',
    'register:manage',
    'requests:read',
    'requests:submit',
    'requests:manage',
    'requests:policy',
  ],
  'end-user': ['profile:read', 'account:self', 'customers:read', 'customers:manage', 'consent:read', 'consent:manage', 'decisions:request'],
  'compliance-officer': [
    'profile:read',
    'delegations:read',
    'event-log:read',
    'organization:read',
    'customers:read',
    'consent:read',
    'messaging:read',
    'processing-record:read',
    'processing-record:manage',
    'register:read',
    'register:manage',
    'requests:read',
  ],
  'dsr-handler': [
    'profile:read',
    'personal-data:read',
    'customers:read',
    'consent:read',
    'consent:manage',
    'processing-record:read',
    'requests:read',
    'requests:submit',
    'requests:manage',
  ],
  service: [
    'profile:read',
    'event-log:read',
    'personal-data:read',
    'organization:read',
    'customers:read',
    'customers:manage',
    'consent:read',
    'consent:manage',
    'decisions:request',
    'messaging:read',
    'messaging:send',
    'requests:submit',
  ],
};

/**
 * What an organization administrator may hand to an end user (A3). Delegating
 * the right to delegate is not possible: no chains of delegation.
 */
export const DELEGABLE_PERMISSIONS: readonly Permission[] = [
  'api-keys:read',
  'api-keys:manage',
  'delegations:read',
  'event-log:read',
  'personal-data:read',
  'organization:read',
  'organization:manage',
  'customers:read',
  'customers:manage',
  'consent:read',
  'consent:manage',
  'decisions:request',
  'messaging:read',
  'messaging:send',
];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** Permissions of a set of roles plus delegated ones. */
// Role sets seen so far (few: every principal of a deployment holds one of a handful of combinations).
const byRoles = new Map<string, ReadonlySet<Permission>>();

export function permissionsFor(roles: readonly Role[], delegated: readonly Permission[] = []): ReadonlySet<Permission> {
  if (delegated.length > 0) return new Set<Permission>([...roles.flatMap((r) => ROLE_PERMISSIONS[r]), ...delegated]);
  const key = roles.join(',');
  let held = byRoles.get(key);
  if (!held) {
    held = new Set<Permission>(roles.flatMap((r) => ROLE_PERMISSIONS[r]));
    if (byRoles.size < 1_000) byRoles.set(key, held);
  }
  return held;
}
