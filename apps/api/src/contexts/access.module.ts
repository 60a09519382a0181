import { Module, type DynamicModule } from '@nestjs/common';
import {
  ACCESS_PROJECTOR,
  accessHandlers,
  CONSOLE_OIDC,
  CONSOLE_VIEWS,
  ChangeDelegationHandler,
  DELEGATION_TARGETS,
  IssueApiKeyHandler,
  RotateApiKeyHandler,
  KEY_MATERIAL,
  RevokeApiKeyHandler,
  RevokeKeysOfIssuerHandler,
  type DelegationTargets,
} from '@attest/access-application';
import { ApiKeysController, ConsoleSessionController, DelegationsController, MeController } from '@attest/access-api';
import { OpenIdConsoleClient, PostgresAccessProjector, PostgresConsoleViews, RandomKeyMaterial } from '@attest/access-infrastructure';
import type { AccountsReadModel } from '@attest/accounts-application';
import { PostgresAccountsReadModel } from '@attest/accounts-infrastructure';
import type { AppDependencies } from './dependencies';

/** Access (ADR 0005, 0013): who the caller is, API keys, delegations and console sessions. */
@Module({})
export class AccessModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const accounts: AccountsReadModel = new PostgresAccountsReadModel(deps.appDataSource, deps.dataSource, deps.privacy);
    return {
      module: AccessModule,
      controllers: [MeController, ApiKeysController, DelegationsController, ConsoleSessionController],
      providers: [
        { provide: KEY_MATERIAL, useValue: new RandomKeyMaterial() },
        { provide: CONSOLE_VIEWS, useValue: new PostgresConsoleViews(deps.dataSource) },
        // The console's OIDC sign-in, when the deployment configures a client for it (ADR 0013).
        ...(deps.consoleOidc ? [{ provide: CONSOLE_OIDC, useValue: new OpenIdConsoleClient(deps.consoleOidc) }] : []),
        // API-key changes are projected at once, and drop the key from every process's cache.
        { provide: ACCESS_PROJECTOR, useValue: new PostgresAccessProjector(deps.dataSource, deps.store, deps.apiKeys ?? null) },
        {
          // Delegations go to accounts of the tenant only (the accounts context's read model answers).
          provide: DELEGATION_TARGETS,
          useValue: {
            isAccountOf: async (tenantId, userId) => (await accounts.get(tenantId, userId)) !== null,
          } satisfies DelegationTargets,
        },
        IssueApiKeyHandler,
        RotateApiKeyHandler,
        RevokeApiKeyHandler,
        RevokeKeysOfIssuerHandler,
        ChangeDelegationHandler,
        ...accessHandlers,
      ],
    };
  }
}
