import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn } from 'class-validator';
import { DELEGABLE_PERMISSIONS, isPermission, isSubjectId, PERMISSIONS, type Permission } from '@attest/access-domain';
import { ChangeDelegationCommand, GetDelegatedPermissionsQuery } from '@attest/access-application';
import { ApiAuthenticatedProblems, commandContext, currentPrincipal, ProblemException, RequirePermission } from '@attest/http';

export class DelegationRequestDto {
  @ApiProperty({ enum: DELEGABLE_PERMISSIONS, isArray: true, example: ['event-log:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PERMISSIONS.length)
  @ArrayUnique()
  @IsIn(PERMISSIONS, { each: true })
  permissions!: Permission[];
}

export class DelegationDto {
  @ApiProperty({ description: 'Opaque user id (the OIDC subject)' }) userId!: string;
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions!: Permission[];
}

const tenantId = (): string => currentPrincipal().tenantId;
/** What the caller holds at this moment (roles and its own delegations). */
const heldNow = (): ReadonlySet<Permission> => new Set([...currentPrincipal().permissions].filter(isPermission));

function checkedUserId(userId: string): string {
  if (!isSubjectId(userId)) {
    throw new ProblemException(400, 'VALIDATION.FAILED', 'userId must be an opaque subject id, not an e-mail or phone number.', {
      errors: [{ field: 'userId', code: 'isSubjectId', message: 'userId must be an opaque subject id' }],
    });
  }
  return userId;
}

const USER_PARAM = { name: 'userId', description: 'Opaque user id (OIDC subject); never an e-mail address' };
const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false };

/** Organization administrators hand named permissions to end users (A3). */
@ApiTags('access')
@ApiBearerAuth()
@Controller('v1/delegations')
export class DelegationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get(':userId')
  @RequirePermission('delegations:read')
  @ApiOperation({ summary: 'Permissions delegated to a user of your tenant' })
  @ApiParam(USER_PARAM)
  @ApiOkResponse({ type: DelegationDto })
  @ApiAuthenticatedProblems(400)
  async get(@Param('userId') userId: string): Promise<DelegationDto> {
    const id = checkedUserId(userId);
    return { userId: id, permissions: await this.queries.execute(new GetDelegatedPermissionsQuery(tenantId(), id)) };
  }

  @Post(':userId/grant')
  @HttpCode(200)
  @RequirePermission('delegations:manage')
  @ApiOperation({ summary: 'Delegate permissions to a user (only delegable ones)' })
  @ApiParam(USER_PARAM)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: DelegationDto })
  @ApiAuthenticatedProblems(400, 404, 409, 422)
  async grant(@Param('userId') userId: string, @Body() body: DelegationRequestDto): Promise<DelegationDto> {
    const id = checkedUserId(userId);
    const result = await this.commands.execute(new ChangeDelegationCommand(commandContext(), 'delegate', id, body.permissions, heldNow()));
    return { userId: id, permissions: result.permissions };
  }

  @Post(':userId/revoke')
  @HttpCode(200)
  @RequirePermission('delegations:manage')
  @ApiOperation({ summary: 'Revoke delegated permissions from a user' })
  @ApiParam(USER_PARAM)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: DelegationDto })
  @ApiAuthenticatedProblems(400, 409, 422)
  async revoke(@Param('userId') userId: string, @Body() body: DelegationRequestDto): Promise<DelegationDto> {
    const id = checkedUserId(userId);
    const result = await this.commands.execute(new ChangeDelegationCommand(commandContext(), 'revoke', id, body.permissions, heldNow()));
    return { userId: id, permissions: result.permissions };
  }
}
