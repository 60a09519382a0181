// Server state of organization administration (TanStack Query keys and functions).
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';

export type ApiKey = components['schemas']['ApiKeyDto'];
export type IssuedApiKey = components['schemas']['IssuedApiKeyDto'];
export type KeyRole = ApiKey['roles'][number];

/** The roles an organization may give its own keys (the API refuses the platform's). */
export const KEY_ROLES = ['service', 'compliance-officer', 'dsr-handler', 'org-admin'] as const satisfies readonly KeyRole[];

/** The tenant's API keys (never their secrets). */
export const apiKeysQuery = queryOptions({
  queryKey: ['admin', 'api-keys'] as const,
  queryFn: ({ signal }) => unwrap(api.GET('/v1/api-keys', { signal })),
});

/** A key's state as the list shows it. */
export function keyState(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, nowMs: number): 'revoked' | 'expired' | 'active' {
  if (key.revokedAt !== null) return 'revoked';
  return Date.parse(key.expiresAt) <= nowMs ? 'expired' : 'active';
}
