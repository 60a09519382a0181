import { AsyncLocalStorage } from 'node:async_hooks';
import { uuidv7 } from '@attest/kernel';
import type { AuthenticatedPrincipal, CommandContext } from '@attest/security';

/** What every request carries into events and log lines. No personal data. */
export interface RequestContext {
  readonly correlationId: string;
  principal?: AuthenticatedPrincipal;
  /** Declared purpose of processing (`X-Purpose`), required to read personal data (C3). */
  purpose?: string;
  /** Id of the command this request executes; events name it as causation. */
  commandId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * The authenticated principal of this request. Only for routes behind the
 * AccessGuard, which sets it; anywhere else it is a programming error.
 */
export function currentPrincipal(): AuthenticatedPrincipal {
  const principal = storage.getStore()?.principal;
  if (!principal) throw new Error('no authenticated principal: the route is not behind the AccessGuard');
  return principal;
}

/** Fields for every log line: correlation id, tenant, actor, causation (command) and purpose. */
export function logContext(): Record<string, string> {
  const ctx = storage.getStore();
  if (!ctx) return {};
  return {
    correlationId: ctx.correlationId,
    ...(ctx.principal ? { tenantId: ctx.principal.tenantId, actor: ctx.principal.actor } : {}),
    ...(ctx.commandId ? { causationId: ctx.commandId } : {}),
    ...(ctx.purpose ? { purpose: ctx.purpose } : {}),
  };
}

/**
 * The context of a command run by this request: who, for which tenant, why
 * (purpose), correlation, and a fresh command id. Throws outside an
 * authenticated request.
 */
export function commandContext(): CommandContext {
  const ctx = storage.getStore();
  if (!ctx?.principal) throw new Error('a command needs an authenticated request context');
  ctx.commandId ??= uuidv7();
  return {
    tenantId: ctx.principal.tenantId,
    actor: ctx.principal.actor,
    correlationId: ctx.correlationId,
    commandId: ctx.commandId,
    ...(ctx.purpose ? { purpose: ctx.purpose } : {}),
  };
}

/**
 * The context of a command a platform operator runs against another tenant's
 * resource: the event belongs to that tenant, the operator is the actor.
 */
export function operatorCommandContext(tenantId: string): CommandContext {
  const ctx = storage.getStore();
  if (!ctx?.principal?.permissions.has('platform:operate')) throw new Error('operator commands need a platform operator');
  return { ...commandContext(), tenantId };
}

/**
 * The context of a command on a public route, where the caller proved
 * control of an account by a one-time code or an invitation token instead of
 * a credential: the account itself is the actor.
 */
export function publicCommandContext(tenantId: string, accountId: string): CommandContext {
  const ctx = storage.getStore();
  if (!ctx) throw new Error('a command needs a request context');
  ctx.commandId ??= uuidv7();
  return { tenantId, actor: `user:${accountId}`, correlationId: ctx.correlationId, commandId: ctx.commandId };
}
