import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DomainError, uuidv7 } from '@attest/kernel';
import {
  GetAccountPersonalDataQuery,
  GetMemberQuery,
  GetOrganizationQuery,
  GetStatusHistoryQuery,
  GetTenantAccountQuery,
  InviteEndUsersCommand,
  ListMembersQuery,
  RunAccountCommand,
  RunOrganizationCommand,
  WORKING_CALENDAR,
  type AccountCommandResult,
  type WorkingCalendar,
} from '@attest/accounts-application';
import { ApiAuthenticatedProblems, commandContext, currentContext, currentPrincipal, RequirePermission, RequirePurpose } from '@attest/http';
import {
  AccountDto,
  BindChannelRequestDto,
  CreateDepartmentRequestDto,
  FunctionDeletionRequestDto,
  InvitationOutcomeDto,
  InviteRequestDto,
  ListQueryDto,
  MemberDetailDto,
  MemberDto,
  MoveMemberRequestDto,
  PersonalDataDto,
  RenameDepartmentRequestDto,
  SettingsRequestDto,
  toAccountDto,
  toHistoryDto,
} from './accounts.dto';

class DepartmentDto {
  @ApiProperty() departmentId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) parentId!: string | null;
  @ApiProperty() memberCount!: number;
}

class ChannelBindingDto {
  @ApiProperty() bindingId!: string;
  @ApiProperty() channel!: string;
  @ApiProperty() boundAt!: string;
  @ApiProperty() boundBy!: string;
}

class FunctionDeletionDto {
  @ApiProperty() requestId!: string;
  @ApiProperty() function!: string;
  @ApiProperty() requestedOn!: string;
  @ApiProperty({ description: '15 working days after the request (A11)' }) dueOn!: string;
  @ApiProperty({ nullable: true, type: String }) completedOn!: string | null;
}

class OrganizationDto {
  @ApiProperty({ type: AccountDto, description: 'The enterprise (or personal) account that is this tenant' }) tenant!: AccountDto;
  @ApiProperty({ type: DepartmentDto, isArray: true }) departments!: DepartmentDto[];
  @ApiProperty({ type: ChannelBindingDto, isArray: true }) channelBindings!: ChannelBindingDto[];
  @ApiProperty() unbindingApprovalRequired!: boolean;
  @ApiProperty({ type: FunctionDeletionDto, isArray: true }) functionDataDeletions!: FunctionDeletionDto[];
}

class CreatedIdDto {
  @ApiProperty() id!: string;
}

const MEMBER_STATUSES = ['invited', 'active', 'restricted', 'suspended', 'revoked', 'unbound', 'invitation-closed'] as const;
class MembersQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: MEMBER_STATUSES, description: '`invited` lists pending invitations' })
  @IsOptional()
  @IsIn(MEMBER_STATUSES)
  status?: (typeof MEMBER_STATUSES)[number];
  @ApiPropertyOptional() @IsOptional() @IsUUID() departmentId?: string;
  @ApiPropertyOptional({ enum: ['true'], description: 'Only members waiting for unbinding approval' })
  @IsOptional()
  @IsIn(['true'])
  unbindingRequested?: 'true';
}

const IDEMPOTENCY = { name: 'Idempotency-Key', required: false };
const tenantId = (): string => currentPrincipal().tenantId;
const account = (r: AccountCommandResult): AccountDto => {
  if (!r.account) throw new Error('the account was not projected');
  return toAccountDto(r.account);
};

/**
 * An organization administrator's room (A3, A5, A9, A10, A11, A12):
 * structure, invitations, members, channel accounts, cancellation of the
 * enterprise. Every action is recorded with the administrator as actor and
 * the enterprise as tenant.
 */
@ApiTags('organization')
@ApiBearerAuth()
@Controller('v1/organization')
export class OrganizationController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(WORKING_CALENDAR) private readonly calendar: WorkingCalendar,
  ) {}

  @Get()
  @RequirePermission('organization:read')
  @ApiOperation({ summary: 'The tenant: its account, departments, channel bindings, policies and function-data deletions' })
  @ApiOkResponse({ type: OrganizationDto })
  @ApiAuthenticatedProblems(404)
  async get(): Promise<OrganizationDto> {
    const tenant = await this.queries.execute(new GetTenantAccountQuery(tenantId()));
    const org = await this.queries.execute(new GetOrganizationQuery(tenantId()));
    return {
      tenant: toAccountDto(tenant),
      departments: [...org.departments],
      channelBindings: org.channelBindings.map((b) => ({ ...b, boundAt: b.boundAt.toISOString() })),
      unbindingApprovalRequired: org.unbindingApprovalRequired,
      functionDataDeletions: org.functionDataDeletions.map((d) => ({ ...d })),
    };
  }

  @Get('members')
  @RequirePermission('organization:read')
  @ApiOperation({ summary: 'Members with status, department and delegated permissions; paged by `after` (no personal fields)' })
  @ApiOkResponse({ type: MemberDto, isArray: true })
  @ApiAuthenticatedProblems(400)
  async members(@Query() query: MembersQueryDto): Promise<MemberDto[]> {
    const members = await this.queries.execute(
      new ListMembersQuery(tenantId(), {
        limit: query.limit ?? 50,
        ...(query.after ? { after: query.after } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.departmentId ? { departmentId: query.departmentId } : {}),
        ...(query.unbindingRequested ? { unbindingRequested: true } : {}),
      }),
    );
    return members.map((m) => Object.assign(toAccountDto(m), { delegatedPermissions: [...m.delegatedPermissions] }));
  }

  @Get('members/:accountId')
  @RequirePermission('organization:read')
  @ApiOperation({ summary: 'One member with its delegated permissions (as the list shows them) and its status history' })
  @ApiOkResponse({ type: MemberDetailDto })
  @ApiAuthenticatedProblems(400, 404)
  async member(@Param('accountId', ParseUUIDPipe) accountId: string): Promise<MemberDetailDto> {
    const found = await this.queries.execute(new GetMemberQuery(tenantId(), accountId));
    const history = await this.queries.execute(new GetStatusHistoryQuery(tenantId(), accountId));
    return Object.assign(toAccountDto(found), { delegatedPermissions: [...found.delegatedPermissions], history: history.map(toHistoryDto) });
  }

  @Get('members/:accountId/personal-data')
  @RequirePermission('personal-data:read')
  @RequirePurpose()
  @ApiOperation({ summary: 'Personal fields of an account of your tenant, decrypted for this read; needs X-Purpose (C3)' })
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read it, e.g. `member-administration`' })
  @ApiOkResponse({ type: PersonalDataDto })
  @ApiAuthenticatedProblems(400, 404)
  async personalData(@Param('accountId', ParseUUIDPipe) accountId: string): Promise<PersonalDataDto> {
    const ctx = currentContext();
    const reader = { actor: currentPrincipal().actor, purpose: ctx?.purpose ?? '', correlationId: ctx?.correlationId ?? '' };
    return this.queries.execute(new GetAccountPersonalDataQuery(tenantId(), accountId, reader));
  }

  @Post('invitations')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Invite end users from a contact list; each entry is invited or refused on its own (A3, A12)' })
  @ApiHeader(IDEMPOTENCY)
  @ApiCreatedResponse({ type: InvitationOutcomeDto, isArray: true })
  @ApiAuthenticatedProblems(400)
  async invite(@Body() body: InviteRequestDto): Promise<InvitationOutcomeDto[]> {
    return this.commands.execute(
      new InviteEndUsersCommand(
        commandContext(),
        body.invitations.map((i) => ({
          departmentId: i.departmentId ?? null,
          contact: { name: i.contact.name, email: i.contact.email ?? null, phone: i.contact.phone ?? null },
          birthDate: i.birthDate ?? null,
          minor: i.minor
            ? {
                guardian: i.minor.guardian,
                guardianConsentRef: i.minor.guardianConsentRef ?? null,
                minorIdentityRef: i.minor.minorIdentityRef ?? null,
                guardianIdentityRef: i.minor.guardianIdentityRef ?? null,
              }
            : null,
        })),
      ),
    );
  }

  @Post('invitations/:accountId/expire')
  @HttpCode(200)
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Close an invitation past its expiry; the contact data is erased' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async expire(@Param('accountId', ParseUUIDPipe) accountId: string): Promise<AccountDto> {
    return account(await this.commands.execute(new RunAccountCommand(commandContext(), { kind: 'ExpireInvitation', accountId })));
  }

  @Post('members/:accountId/department')
  @HttpCode(200)
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Move a member to a department (or none)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async move(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: MoveMemberRequestDto): Promise<AccountDto> {
    if (body.departmentId) {
      const org = await this.queries.execute(new GetOrganizationQuery(tenantId()));
      if (!org.departments.some((d) => d.departmentId === body.departmentId)) throw new DomainError('DEPARTMENT.NOT_FOUND', 'no such department', 'not_found');
    }
    return account(
      await this.commands.execute(new RunAccountCommand(commandContext(), { kind: 'MoveToDepartment', accountId, departmentId: body.departmentId ?? null })),
    );
  }

  @Post('members/:accountId/unbinding/approve')
  @HttpCode(200)
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: "Approve a member's request to unbind; their personal data is erased (A9)" })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async approveUnbinding(@Param('accountId', ParseUUIDPipe) accountId: string): Promise<AccountDto> {
    return account(await this.commands.execute(new RunAccountCommand(commandContext(), { kind: 'ApproveUnbinding', accountId })));
  }

  @Post('members/:accountId/unbinding/reject')
  @HttpCode(200)
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: "Reject a member's request to unbind (A9)" })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async rejectUnbinding(@Param('accountId', ParseUUIDPipe) accountId: string): Promise<AccountDto> {
    return account(await this.commands.execute(new RunAccountCommand(commandContext(), { kind: 'RejectUnbinding', accountId })));
  }

  @Post('departments')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Create a department (A3)' })
  @ApiCreatedResponse({ type: CreatedIdDto })
  @ApiAuthenticatedProblems(400, 409)
  async createDepartment(@Body() body: CreateDepartmentRequestDto): Promise<CreatedIdDto> {
    const departmentId = uuidv7();
    await this.commands.execute(
      new RunOrganizationCommand(commandContext(), { kind: 'CreateDepartment', departmentId, name: body.name, parentId: body.parentId ?? null }),
    );
    return { id: departmentId };
  }

  @Patch('departments/:departmentId')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Rename a department' })
  @ApiOkResponse({ type: CreatedIdDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async renameDepartment(@Param('departmentId', ParseUUIDPipe) departmentId: string, @Body() body: RenameDepartmentRequestDto): Promise<CreatedIdDto> {
    await this.commands.execute(new RunOrganizationCommand(commandContext(), { kind: 'RenameDepartment', departmentId, name: body.name }));
    return { id: departmentId };
  }

  @Delete('departments/:departmentId')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Remove an empty department without sub-departments' })
  @ApiOkResponse({ type: CreatedIdDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async removeDepartment(@Param('departmentId', ParseUUIDPipe) departmentId: string): Promise<CreatedIdDto> {
    await this.commands.execute(new RunOrganizationCommand(commandContext(), { kind: 'RemoveDepartment', departmentId, memberCount: 0 }));
    return { id: departmentId };
  }

  @Put('settings')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Whether end users need approval to unbind (A9)' })
  @ApiOkResponse({ type: SettingsRequestDto })
  @ApiAuthenticatedProblems(400)
  async settings(@Body() body: SettingsRequestDto): Promise<SettingsRequestDto> {
    await this.commands.execute(new RunOrganizationCommand(commandContext(), { kind: 'SetUnbindingPolicy', approvalRequired: body.unbindingApprovalRequired }));
    return { unbindingApprovalRequired: body.unbindingApprovalRequired };
  }

  @Post('channels')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Bind an external channel account, such as a WhatsApp Business number, to the tenant (A5)' })
  @ApiCreatedResponse({ type: CreatedIdDto })
  @ApiAuthenticatedProblems(400, 409)
  async bind(@Body() body: BindChannelRequestDto): Promise<CreatedIdDto> {
    const bindingId = uuidv7();
    await this.commands.execute(
      new RunOrganizationCommand(commandContext(), { kind: 'BindChannelAccount', bindingId, channel: body.channel, externalAccountId: body.externalAccountId }),
    );
    return { id: bindingId };
  }

  @Delete('channels/:bindingId')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Unbind a channel account; its number is erased' })
  @ApiOkResponse({ type: CreatedIdDto })
  @ApiAuthenticatedProblems(400, 404)
  async unbindChannel(@Param('bindingId', ParseUUIDPipe) bindingId: string): Promise<CreatedIdDto> {
    await this.commands.execute(new RunOrganizationCommand(commandContext(), { kind: 'UnbindChannelAccount', bindingId }));
    return { id: bindingId };
  }

  @Post('cancellation')
  @HttpCode(200)
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Request cancellation of the enterprise; refused with the blocking checks, else waits for operator approval (A9)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(404, 409)
  async cancel(): Promise<AccountDto> {
    const tenant = await this.queries.execute(new GetTenantAccountQuery(tenantId()));
    return account(await this.commands.execute(new RunAccountCommand(commandContext(), { kind: 'RequestCancellation', accountId: tenant.accountId })));
  }

  @Post('function-data-deletions')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Ask for deletion of the data of a specific function; due in 15 working days (A11)' })
  @ApiCreatedResponse({ type: CreatedIdDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async functionDeletion(@Body() body: FunctionDeletionRequestDto): Promise<CreatedIdDto> {
    const tenant = await this.queries.execute(new GetTenantAccountQuery(tenantId()));
    const requestId = uuidv7();
    await this.commands.execute(
      new RunAccountCommand(commandContext(), {
        kind: 'RequestFunctionDataDeletion',
        accountId: tenant.accountId,
        requestId,
        function: body.function,
        holidays: this.calendar.holidays,
      }),
    );
    return { id: requestId };
  }
}
