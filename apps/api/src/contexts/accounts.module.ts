import { Module, type DynamicModule } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RevokeKeysOfIssuerCommand } from '@attest/access-application';
import {
  ACCOUNT_CONTACTS,
  ACCOUNTS_PROJECTOR,
  ACCOUNTS_READ_MODEL,
  accountsHandlers,
  IDENTIFIER_CLAIMS,
  ISSUED_KEYS,
  ONE_TIME_CODES,
  SUBJECT_ERASER,
  WORKING_CALENDAR,
  type IssuedKeys,
} from '@attest/accounts-application';
import {
  MyAccountController,
  OrganizationController,
  PlatformAccountsController,
  PUBLIC_FLOW_LIMITER,
  PublicFlowGuard,
  RegistrationsController,
} from '@attest/accounts-api';
import {
  PostgresAccountsReadModel,
  PostgresIdentifierClaims,
  PostgresOneTimeCodes,
  StreamAccountContacts,
  VaultSubjectEraser,
} from '@attest/accounts-infrastructure';
import { inlineProjector, type AppDependencies } from './dependencies';
import { sharedRateLimiter } from './shared-rate-limit';

/** Applied inline after an accounts command; `consent` follows tenant states for decisions. */
export const ACCOUNTS_INLINE = ['accounts', 'account-notifications', 'consent'] as const;

/** Accounts (A1–A12): registrations, the organization, account states, agreements. */
@Module({})
export class AccountsModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const claims = new PostgresIdentifierClaims(deps.dataSource, deps.privacy);
    return {
      module: AccountsModule,
      controllers: [RegistrationsController, MyAccountController, OrganizationController, PlatformAccountsController],
      providers: [
        { provide: ACCOUNTS_READ_MODEL, useValue: new PostgresAccountsReadModel(deps.appDataSource, deps.dataSource, deps.privacy) },
        { provide: ACCOUNTS_PROJECTOR, useValue: inlineProjector(deps, ACCOUNTS_INLINE) },
        { provide: IDENTIFIER_CLAIMS, useValue: claims },
        { provide: ONE_TIME_CODES, useValue: new PostgresOneTimeCodes(deps.dataSource, deps.privacy, deps.outbox) },
        { provide: SUBJECT_ERASER, useValue: new VaultSubjectEraser(deps.dataSource, deps.vault, deps.privacy, claims) },
        { provide: ACCOUNT_CONTACTS, useValue: new StreamAccountContacts(deps.store) },
        { provide: WORKING_CALENDAR, useValue: { holidays: new Set(deps.holidays ?? []) } },
        { provide: PUBLIC_FLOW_LIMITER, useValue: sharedRateLimiter(deps, 'public-flow', deps.publicFlowPerMinute ?? 20) },
        {
          // An account holder who stops acting for the tenant takes their keys along (the access context revokes them).
          provide: ISSUED_KEYS,
          inject: [CommandBus],
          useFactory: (bus: CommandBus): IssuedKeys => ({
            revokeIssuedBy: async (context, accountId, reason) => {
              await bus.execute(new RevokeKeysOfIssuerCommand(context, `user:${accountId}`, reason));
            },
          }),
        },
        PublicFlowGuard,
        ...accountsHandlers,
      ],
    };
  }
}
