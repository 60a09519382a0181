import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@attest/kernel';
import type { Permission } from '@attest/access-domain';
import { ACCESS_READ_MODEL, type AccessReadModel, type ApiKeyView } from './ports';

export class ListApiKeysQuery extends Query<ApiKeyView[]> {
  constructor(readonly tenantId: string) {
    super();
  }
}

export class GetApiKeyQuery extends Query<ApiKeyView> {
  constructor(
    readonly tenantId: string,
    readonly keyId: string,
  ) {
    super();
  }
}

export class GetDelegatedPermissionsQuery extends Query<Permission[]> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
  ) {
    super();
  }
}

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery, ApiKeyView[]> {
  constructor(@Inject(ACCESS_READ_MODEL) private readonly readModel: AccessReadModel) {}
  execute(query: ListApiKeysQuery): Promise<ApiKeyView[]> {
    return this.readModel.listApiKeys(query.tenantId);
  }
}

@QueryHandler(GetApiKeyQuery)
export class GetApiKeyHandler implements IQueryHandler<GetApiKeyQuery, ApiKeyView> {
  constructor(@Inject(ACCESS_READ_MODEL) private readonly readModel: AccessReadModel) {}
  async execute(query: GetApiKeyQuery): Promise<ApiKeyView> {
    const key = await this.readModel.getApiKey(query.tenantId, query.keyId);
    if (!key) throw new DomainError('API_KEY.NOT_FOUND', 'no such API key', 'not_found');
    return key;
  }
}

@QueryHandler(GetDelegatedPermissionsQuery)
export class GetDelegatedPermissionsHandler implements IQueryHandler<GetDelegatedPermissionsQuery, Permission[]> {
  constructor(@Inject(ACCESS_READ_MODEL) private readonly readModel: AccessReadModel) {}
  execute(query: GetDelegatedPermissionsQuery): Promise<Permission[]> {
    return this.readModel.delegatedPermissions(query.tenantId, query.userId);
  }
}

export const accessHandlers = [ListApiKeysHandler, GetApiKeyHandler, GetDelegatedPermissionsHandler];
