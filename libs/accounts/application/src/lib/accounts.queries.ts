import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ACCESS_READ_MODEL, type AccessReadModel } from '@attest/access-application';
import type { Permission } from '@attest/access-domain';
import { DomainError, type Clock } from '@attest/kernel';
import { CLOCK, PROCESSING_JOURNAL, type ProcessingJournal } from '@attest/security';
import {
  ACCOUNTS_READ_MODEL,
  type AccountFilter,
  type AccountPersonalData,
  type AccountsReadModel,
  type AccountView,
  type ChannelBindingView,
  type DepartmentView,
  type FunctionDeletionView,
  type StatusChangeView,
} from './ports';

const notFound = (): DomainError => new DomainError('ACCOUNT.NOT_FOUND', 'no such account', 'not_found');

/** One account of a tenant, or, for a platform operator (tenantId null), of any tenant. */
export class GetAccountQuery extends Query<AccountView> {
  constructor(
    readonly tenantId: string | null,
    readonly accountId: string,
  ) {
    super();
  }
}

@QueryHandler(GetAccountQuery)
export class GetAccountHandler implements IQueryHandler<GetAccountQuery, AccountView> {
  constructor(@Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel) {}
  async execute(query: GetAccountQuery): Promise<AccountView> {
    const account = query.tenantId === null ? await this.readModel.find(query.accountId) : await this.readModel.get(query.tenantId, query.accountId);
    if (!account) throw notFound();
    return account;
  }
}

export class GetTenantAccountQuery extends Query<AccountView> {
  constructor(readonly tenantId: string) {
    super();
  }
}

@QueryHandler(GetTenantAccountQuery)
export class GetTenantAccountHandler implements IQueryHandler<GetTenantAccountQuery, AccountView> {
  constructor(@Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel) {}
  async execute(query: GetTenantAccountQuery): Promise<AccountView> {
    const account = await this.readModel.tenantAccount(query.tenantId);
    if (!account) throw new DomainError('TENANT.NOT_REGISTERED', 'this tenant has no registered enterprise or personal account', 'not_found');
    return account;
  }
}

export class ListAccountsQuery extends Query<AccountView[]> {
  constructor(
    readonly tenantId: string | null,
    readonly filter: AccountFilter,
  ) {
    super();
  }
}

@QueryHandler(ListAccountsQuery)
export class ListAccountsHandler implements IQueryHandler<ListAccountsQuery, AccountView[]> {
  constructor(@Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel) {}
  execute(query: ListAccountsQuery): Promise<AccountView[]> {
    return this.readModel.list(query.tenantId, query.filter);
  }
}

export type MemberView = AccountView & { readonly delegatedPermissions: readonly Permission[] };

/** Members of the organization with the permissions delegated to them (A3). */
export class ListMembersQuery extends Query<MemberView[]> {
  constructor(
    readonly tenantId: string,
    readonly filter: AccountFilter,
  ) {
    super();
  }
}

@QueryHandler(ListMembersQuery)
export class ListMembersHandler implements IQueryHandler<ListMembersQuery, MemberView[]> {
  constructor(
    @Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel,
    @Inject(ACCESS_READ_MODEL) private readonly access: AccessReadModel,
  ) {}
  async execute(query: ListMembersQuery): Promise<MemberView[]> {
    const members = await this.readModel.list(query.tenantId, { ...query.filter, kind: 'member' });
    const out: MemberView[] = [];
    for (const m of members) out.push({ ...m, delegatedPermissions: await this.access.delegatedPermissions(query.tenantId, m.accountId) });
    return out;
  }
}

/** One member with the permissions delegated to them, as the list shows it (A3). */
export class GetMemberQuery extends Query<MemberView> {
  constructor(
    readonly tenantId: string,
    readonly accountId: string,
  ) {
    super();
  }
}

@QueryHandler(GetMemberQuery)
export class GetMemberHandler implements IQueryHandler<GetMemberQuery, MemberView> {
  constructor(
    @Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel,
    @Inject(ACCESS_READ_MODEL) private readonly access: AccessReadModel,
  ) {}
  async execute(query: GetMemberQuery): Promise<MemberView> {
    const found = await this.readModel.get(query.tenantId, query.accountId);
    if (!found) throw notFound();
    return { ...found, delegatedPermissions: await this.access.delegatedPermissions(query.tenantId, found.accountId) };
  }
}

export class GetStatusHistoryQuery extends Query<StatusChangeView[]> {
  constructor(
    readonly tenantId: string,
    readonly accountId: string,
  ) {
    super();
  }
}

@QueryHandler(GetStatusHistoryQuery)
export class GetStatusHistoryHandler implements IQueryHandler<GetStatusHistoryQuery, StatusChangeView[]> {
  constructor(@Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel) {}
  async execute(query: GetStatusHistoryQuery): Promise<StatusChangeView[]> {
    if (!(await this.readModel.get(query.tenantId, query.accountId))) throw notFound();
    return this.readModel.statusHistory(query.tenantId, query.accountId);
  }
}

export interface OrganizationView {
  readonly departments: readonly DepartmentView[];
  readonly channelBindings: readonly ChannelBindingView[];
  readonly unbindingApprovalRequired: boolean;
  readonly functionDataDeletions: readonly FunctionDeletionView[];
}

export class GetOrganizationQuery extends Query<OrganizationView> {
  constructor(readonly tenantId: string) {
    super();
  }
}

@QueryHandler(GetOrganizationQuery)
export class GetOrganizationHandler implements IQueryHandler<GetOrganizationQuery, OrganizationView> {
  constructor(@Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel) {}
  async execute(query: GetOrganizationQuery): Promise<OrganizationView> {
    return {
      departments: await this.readModel.departments(query.tenantId),
      channelBindings: await this.readModel.channelBindings(query.tenantId),
      unbindingApprovalRequired: await this.readModel.unbindingApprovalRequired(query.tenantId),
      functionDataDeletions: await this.readModel.functionDeletions(query.tenantId),
    };
  }
}

/** Who reads personal data, why, in which request (C3). */
export interface PersonalDataReader {
  readonly actor: string;
  readonly purpose: string;
  readonly correlationId: string;
}

/** C3: personal fields of an account, for a declared purpose only; the read is recorded as processing. */
export class GetAccountPersonalDataQuery extends Query<AccountPersonalData> {
  constructor(
    readonly tenantId: string,
    readonly accountId: string,
    readonly reader: PersonalDataReader,
  ) {
    super();
  }
}

@QueryHandler(GetAccountPersonalDataQuery)
export class GetAccountPersonalDataHandler implements IQueryHandler<GetAccountPersonalDataQuery, AccountPersonalData> {
  constructor(
    @Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel,
    @Inject(PROCESSING_JOURNAL) private readonly journal: ProcessingJournal,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(query: GetAccountPersonalDataQuery): Promise<AccountPersonalData> {
    const data = await this.readModel.personalData(query.tenantId, query.accountId);
    if (!data) throw notFound();
    if (!data.erased) {
      const categories = [data.name ? 'identity' : null, data.email || data.phone ? 'contact' : null, data.birthDate ? 'identity' : null].filter(
        (c): c is string => c !== null,
      );
      await this.journal.record([
        {
          tenantId: query.tenantId,
          kind: 'read',
          actor: query.reader.actor,
          subjectId: query.accountId,
          purpose: query.reader.purpose,
          channel: null,
          dataCategories: [...new Set(categories)],
          outcome: null,
          reasons: [],
          legalBasis: null,
          correlationId: query.reader.correlationId,
          commandId: null,
          at: this.clock.now(),
        },
      ]);
    }
    return data;
  }
}
