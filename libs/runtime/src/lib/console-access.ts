import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { IssueApiKeyCommand, IssueApiKeyHandler, RevokeApiKeyCommand, RevokeApiKeyHandler, type IssuedApiKey } from '@attest/access-application';
import { PERMISSIONS, type Role } from '@attest/access-domain';
import {
  AccessAuthenticator,
  PostgresAccessProjector,
  PostgresAccessReadModel,
  PostgresConsoleSessions,
  RandomKeyMaterial,
  type IssuedConsoleLink,
} from '@attest/access-infrastructure';
import { systemClock, uuidv7, type Clock } from '@attest/kernel';
import type { CommandContext } from '@attest/security';
import type { Infrastructure } from './infrastructure';

/** Someone at the operator's console: may grant any role (this is how the first key is made). */
function consoleContext(tenantId: string): CommandContext {
  return { tenantId, actor: 'system:console', correlationId: uuidv7(), commandId: uuidv7() };
}

export async function issueApiKeyFromConsole(
  infra: Infrastructure,
  tenantId: string,
  roles: readonly Role[],
  label: string,
  expiresInDays: number,
): Promise<IssuedApiKey> {
  const handler = new IssueApiKeyHandler(infra.store, new RandomKeyMaterial(), new PostgresAccessProjector(infra.dataSource, infra.store), systemClock);
  return handler.execute(new IssueApiKeyCommand(consoleContext(tenantId), roles, label, expiresInDays, new Set(PERMISSIONS)));
}

export async function revokeApiKeyFromConsole(infra: Infrastructure, tenantId: string, keyId: string, reason: string): Promise<void> {
  const handler = new RevokeApiKeyHandler(infra.store, new PostgresAccessProjector(infra.dataSource, infra.store), systemClock);
  await handler.execute(new RevokeApiKeyCommand(consoleContext(tenantId), keyId, reason));
}

export const DEMO_TENANT = 'demo';
const DEMO_ROLES: readonly Role[] = ['org-admin', 'compliance-officer', 'dsr-handler', 'service'];

/**
 * The embedded default's demo credential: tenant `demo`, kept in the data
 * directory (git-ignored, mode 0600) so each start can print it; a new one is
 * issued when it is missing, revoked or expired.
 */
export async function ensureDemoKey(infra: Infrastructure, dataDir: string): Promise<string> {
  const file = join(resolve(dataDir), 'demo-api-key');
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) {
    const app = await infra.connectApp();
    const authenticator = new AccessAuthenticator(app, new PostgresAccessReadModel(app), systemClock, null);
    const valid = await authenticator.authenticate({ authorization: `Bearer ${existing}` }).then(
      (p) => p?.tenantId === DEMO_TENANT,
      () => false,
    );
    if (valid) return existing;
  }
  const issued = await issueApiKeyFromConsole(infra, DEMO_TENANT, DEMO_ROLES, 'demo', 90);
  await writeFile(file, issued.key, { mode: 0o600 });
  return issued.key;
}

/**
 * A single-use console sign-in link for a tenant and roles (`attest console-link`,
 * and the demo link `npm start` prints). Only its hash is stored; it works once,
 * for CONSOLE_SESSION_POLICY.linkMinutes.
 */
export async function issueConsoleLink(
  infra: Infrastructure,
  baseUrl: string,
  tenantId: string,
  roles: readonly Role[],
  options: { readonly issuedBy?: string; readonly clock?: Clock } = {},
): Promise<IssuedConsoleLink & { readonly url: string }> {
  const sessions = new PostgresConsoleSessions(infra.dataSource, options.clock ?? systemClock);
  const link = await sessions.issueLink(tenantId, roles, options.issuedBy ?? 'system:console');
  return { ...link, url: `${baseUrl}/console/auth/link?token=${link.token}` };
}

/** The demo tenant's console link: the roles of its demo key but `service` (a person signs in). */
export const DEMO_CONSOLE_ROLES: readonly Role[] = ['org-admin', 'compliance-officer', 'dsr-handler'];
