export * from './lib/ports';
export * from './lib/classifications';
export * from './lib/account.commands';
export * from './lib/organization.commands';
export * from './lib/registration.commands';
export * from './lib/accounts.queries';
import {
  GetAccountHandler,
  GetAccountPersonalDataHandler,
  GetMemberHandler,
  GetOrganizationHandler,
  GetStatusHistoryHandler,
  GetTenantAccountHandler,
  ListAccountsHandler,
  ListMembersHandler,
} from './lib/accounts.queries';
import { RunAccountCommandHandler } from './lib/account.commands';
import { RunOrganizationCommandHandler } from './lib/organization.commands';
import {
  InviteEndUsersHandler,
  ProveWithCodeHandler,
  RegisterEnterpriseHandler,
  RegisterPersonalUserHandler,
  RequestUnbindingHandler,
  RespondToInvitationHandler,
  SendOneTimeCodeHandler,
} from './lib/registration.commands';

/** Every command and query handler of the accounts context, for the composition root. */
export const accountsHandlers = [
  RunAccountCommandHandler,
  RunOrganizationCommandHandler,
  RegisterEnterpriseHandler,
  SendOneTimeCodeHandler,
  RegisterPersonalUserHandler,
  ProveWithCodeHandler,
  InviteEndUsersHandler,
  RespondToInvitationHandler,
  RequestUnbindingHandler,
  GetAccountHandler,
  GetTenantAccountHandler,
  ListAccountsHandler,
  ListMembersHandler,
  GetMemberHandler,
  GetStatusHistoryHandler,
  GetOrganizationHandler,
  GetAccountPersonalDataHandler,
];
export * from './lib/processing-map';
