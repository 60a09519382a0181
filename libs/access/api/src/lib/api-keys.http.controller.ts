import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { API_KEY_MAX_DAYS, API_KEY_MAX_ROTATION_GRACE_HOURS, isPermission, ROLES, type Role } from '@attest/access-domain';
import { GetApiKeyQuery, IssueApiKeyCommand, ListApiKeysQuery, RevokeApiKeyCommand, RotateApiKeyCommand, type ApiKeyView } from '@attest/access-application';
import { ApiAuthenticatedProblems, commandContext, currentPrincipal, ReplayOmits, RequirePermission } from '@attest/http';

/** Labels name the integration, never a person. */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const REASON = /^[A-Za-z0-9][A-Za-z0-9 ._,:()-]{0,199}$/;

export class IssueApiKeyRequestDto {
  @ApiProperty({ enum: ROLES, isArray: true, example: ['service'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  @ApiProperty({ example: 'crm-sync', description: 'What the key is for; letters, digits, space, ._- (no personal data).' })
  @IsString()
  @Matches(LABEL)
  label!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: API_KEY_MAX_DAYS, default: 90 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(API_KEY_MAX_DAYS)
  expiresInDays?: number;
}

export class RevokeApiKeyRequestDto {
  @ApiProperty({ example: 'rotated' })
  @IsString()
  @Matches(REASON)
  reason!: string;
}

export class ApiKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty({ example: 'k3x9q0a1b2c3' }) prefix!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty() label!: string;
  @ApiProperty() issuedBy!: string;
  @ApiProperty() issuedAt!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The key that replaced this one by rotation; this one works until expiresAt' })
  replacedBy!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The last request made with the key; each API process writes its uses every 30 seconds, so this may be up to that much behind',
  })
  lastUsedAt!: string | null;
}

export class IssuedApiKeyDto {
  @ApiProperty() keyId!: string;
  @ApiPropertyOptional({ description: 'The API key. Shown once; store it now. Not repeated on Idempotency-Key replays.' }) key?: string;
  @ApiProperty() prefix!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty() label!: string;
  @ApiProperty() expiresAt!: string;
}

export class RotateApiKeyRequestDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: API_KEY_MAX_ROTATION_GRACE_HOURS,
    default: 0,
    description: 'Hours the old key keeps working beside the new one (0: revoked at once)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(API_KEY_MAX_ROTATION_GRACE_HOURS)
  graceHours?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: API_KEY_MAX_DAYS, description: 'Days the new key lives; by default as long as the old one was issued for' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(API_KEY_MAX_DAYS)
  expiresInDays?: number;
}

export class RotatedApiKeyDto extends IssuedApiKeyDto {
  @ApiProperty({ description: 'The key this one replaces' }) replaces!: string;
  @ApiProperty({ description: 'Until when the replaced key still works' }) replacedKeyExpiresAt!: string;
}

function toDto(v: ApiKeyView): ApiKeyDto {
  return {
    keyId: v.keyId,
    prefix: v.prefix,
    roles: [...v.roles],
    label: v.label,
    issuedBy: v.issuedBy,
    issuedAt: v.issuedAt.toISOString(),
    expiresAt: v.expiresAt.toISOString(),
    revokedAt: v.revokedAt?.toISOString() ?? null,
    replacedBy: v.replacedBy,
    lastUsedAt: v.lastUsedAt?.toISOString() ?? null,
  };
}

const tenantId = (): string => currentPrincipal().tenantId;

const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: 'Repeat-safe retries: the first response is returned again.' };

@ApiTags('access')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @RequirePermission('api-keys:read')
  @ApiOperation({ summary: 'API keys of your tenant (never their secrets)' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  @ApiAuthenticatedProblems()
  async list(): Promise<ApiKeyDto[]> {
    return (await this.queries.execute(new ListApiKeysQuery(tenantId()))).map(toDto);
  }

  @Post()
  @RequirePermission('api-keys:manage')
  @ReplayOmits('key')
  @ApiOperation({ summary: 'Issue an API key; the key is in this response only' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: IssuedApiKeyDto })
  @ApiAuthenticatedProblems(400, 409, 422)
  async issue(@Body() body: IssueApiKeyRequestDto): Promise<IssuedApiKeyDto> {
    const principal = currentPrincipal();
    const issued = await this.commands.execute(
      new IssueApiKeyCommand(commandContext(), body.roles, body.label, body.expiresInDays ?? 90, new Set([...principal.permissions].filter(isPermission))),
    );
    return { ...issued, roles: [...issued.roles] };
  }

  @Get(':keyId')
  @RequirePermission('api-keys:read')
  @ApiOperation({ summary: 'One API key of your tenant' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiAuthenticatedProblems(404)
  async get(@Param('keyId') keyId: string): Promise<ApiKeyDto> {
    return toDto(await this.queries.execute(new GetApiKeyQuery(tenantId(), keyId)));
  }

  @Post(':keyId/rotate')
  @RequirePermission('api-keys:manage')
  @ReplayOmits('key')
  @ApiOperation({
    summary: 'Replace a key by a new one with the same roles and label; the new key is in this response only, the old one works on for the grace period',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: RotatedApiKeyDto })
  @ApiAuthenticatedProblems(400, 404, 409, 422)
  async rotate(@Param('keyId') keyId: string, @Body() body: RotateApiKeyRequestDto): Promise<RotatedApiKeyDto> {
    const principal = currentPrincipal();
    await this.queries.execute(new GetApiKeyQuery(principal.tenantId, keyId)); // 404 across tenants, before any write
    const rotated = await this.commands.execute(
      new RotateApiKeyCommand(
        commandContext(),
        keyId,
        body.graceHours ?? 0,
        body.expiresInDays ?? null,
        new Set([...principal.permissions].filter(isPermission)),
      ),
    );
    return { ...rotated, roles: [...rotated.roles] };
  }

  @Post(':keyId/revoke')
  @HttpCode(200)
  @RequirePermission('api-keys:manage')
  @ApiOperation({ summary: 'Revoke an API key; it fails from the next request on' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiAuthenticatedProblems(400, 404, 409, 422)
  async revoke(@Param('keyId') keyId: string, @Body() body: RevokeApiKeyRequestDto): Promise<ApiKeyDto> {
    const tenant = tenantId();
    await this.queries.execute(new GetApiKeyQuery(tenant, keyId)); // 404 across tenants, before any write
    await this.commands.execute(new RevokeApiKeyCommand(commandContext(), keyId, body.reason));
    return toDto(await this.queries.execute(new GetApiKeyQuery(tenant, keyId)));
  }
}
