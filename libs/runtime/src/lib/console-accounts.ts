import { RevokeKeysOfIssuerCommand, RevokeKeysOfIssuerHandler } from '@attest/access-application';
import { PostgresAccessProjector, PostgresAccessReadModel } from '@attest/access-infrastructure';
import { RunAccountCommandHandler, type IssuedKeys } from '@attest/accounts-application';
import { PostgresAccountsReadModel, PostgresIdentifierClaims, VaultSubjectEraser } from '@attest/accounts-infrastructure';
import { systemClock, uuidv7, type Clock } from '@attest/kernel';
import { InlineProjector } from '@attest/projections';
import type { Infrastructure } from './infrastructure';

/** The accounts context's command handler, composed for console commands and jobs (no HTTP). */
export async function accountCommandHandler(infra: Infrastructure, clock: Clock = systemClock): Promise<RunAccountCommandHandler> {
  const app = await infra.connectApp();
  const readModel = new PostgresAccountsReadModel(app, infra.dataSource, infra.privacy);
  const inline = infra.projections.filter((p) => p.name === 'accounts' || p.name === 'account-notifications');
  return new RunAccountCommandHandler(
    infra.store,
    new InlineProjector(infra.dataSource, infra.store, inline),
    readModel,
    new VaultSubjectEraser(infra.dataSource, infra.vault, infra.privacy, new PostgresIdentifierClaims(infra.dataSource, infra.privacy)),
    clock,
    issuedKeys(infra, clock, app),
  );
}

/** The access context's revocation of an account holder's keys, composed without Nest. */
export function issuedKeys(infra: Infrastructure, clock: Clock, app = infra.dataSource): IssuedKeys {
  const handler = new RevokeKeysOfIssuerHandler(
    new PostgresAccessReadModel(app),
    infra.store,
    new PostgresAccessProjector(infra.dataSource, infra.store, infra.apiKeys),
    clock,
  );
  return {
    revokeIssuedBy: async (context, accountId, reason) => {
      await handler.execute(new RevokeKeysOfIssuerCommand(context, `user:${accountId}`, reason));
    },
  };
}

/**
 * Finishes enterprise cancellations whose member cascade was interrupted (the
 * process stopped between the enterprise's cancellation and its members'):
 * every member of a cancelled tenant account is cancelled and erased.
 * Idempotent; returns how many members it cancelled.
 */
export async function completeTenantClosures(infra: Infrastructure): Promise<number> {
  const handler = await accountCommandHandler(infra);
  const tenants = await infra.dataSource.query<{ account_id: string; tenant_id: string }[]>(
    `SELECT t.account_id, t.tenant_id FROM accounts.accounts_v1 t
     WHERE t.kind IN ('enterprise', 'personal') AND t.status = 'cancelled'
       AND EXISTS (SELECT 1 FROM accounts.accounts_v1 m WHERE m.tenant_id = t.tenant_id AND m.kind = 'member'
                   AND m.status NOT IN ('cancelled', 'unbound', 'invitation-closed'))`,
  );
  let cancelled = 0;
  for (const t of tenants) {
    const context = { tenantId: t.tenant_id, actor: 'system:console', correlationId: uuidv7(), commandId: uuidv7() };
    cancelled += await handler.cancelMembersOf(t.account_id, context, systemClock.now());
  }
  return cancelled;
}
