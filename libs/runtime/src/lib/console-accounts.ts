import { RevokeKeysOfIssuerCommand, RevokeKeysOfIssuerHandler } from '@attest/access-application';
import { PostgresAccessProjector, PostgresAccessReadModel } from '@attest/access-infrastructure';
import { RunAccountCommandHandler, type IssuedKeys } from '@attest/accounts-application';
import {
  completeTenantClosures as completeClosures,
  PostgresAccountsReadModel,
  PostgresIdentifierClaims,
  VaultSubjectEraser,
} from '@attest/accounts-infrastructure';
import { systemClock, type Clock } from '@attest/kernel';
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

/** Finishes enterprise cancellations whose member cascade was interrupted (the accounts context's own repair); how many members it cancelled. */
export function completeTenantClosures(infra: Infrastructure): Promise<number> {
  return completeClosures({ owner: infra.dataSource, commands: () => accountCommandHandler(infra) });
}
