import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  GetCustomerQuery,
  ListCustomersQuery,
  RunCustomerCommand,
  type CustomerWithProfile,
  type FollowUpView,
  type PurposefulReader,
} from '@attest/customers-application';
import { PROFILE_FIELDS, type Profile } from '@attest/customers-domain';
import {
  ApiAuthenticatedProblems,
  commandContext,
  currentContext,
  currentPrincipal,
  ProblemException,
  QueryWholeNumber,
  RequirePermission,
} from '@attest/http';
import { uuidv7 } from '@attest/kernel';

const TAG = /^[a-z0-9][a-z0-9-]{0,39}$/;
const CONSISTENCY_DESCRIPTION =
  'A consistencyToken a command answered with: the read may then come from a read replica that has applied it, else from the primary (docs/scaling.md). Without it, the primary answers.';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ProfileDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'personal' }) @IsOptional() @IsString() @MaxLength(200) name?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'personal' }) @IsOptional() @IsString() @MaxLength(254) email?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'personal' }) @IsOptional() @Matches(/^\+?[0-9 ()-]{5,24}$/) phone?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'personal; under 14 → guardian consent (K4)' })
  @IsOptional()
  @Matches(DATE)
  @IsISO8601({ strict: true })
  birthDate?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'personal' }) @IsOptional() @IsString() @MaxLength(500) address?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: `sensitive: ${PROFILE_FIELDS.idNumber}` })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  idNumber?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: `sensitive: ${PROFILE_FIELDS.bankAccount}` })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  bankAccount?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: `sensitive: ${PROFILE_FIELDS.healthNotes}` })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  healthNotes?: string | null;
}

export class CreateCustomerRequestDto {
  @ApiProperty({ type: ProfileDto }) @IsObject() @ValidateNested() @Type(() => ProfileDto) profile!: ProfileDto;
  @ApiPropertyOptional({ type: String, isArray: true }) @IsOptional() @IsArray() @ArrayMaxSize(50) @Matches(TAG, { each: true }) tags?: string[];
}

export class TagsRequestDto {
  @ApiPropertyOptional({ type: String, isArray: true }) @IsOptional() @IsArray() @ArrayMaxSize(50) @Matches(TAG, { each: true }) add?: string[];
  @ApiPropertyOptional({ type: String, isArray: true }) @IsOptional() @IsArray() @ArrayMaxSize(50) @Matches(TAG, { each: true }) remove?: string[];
}

export class FollowUpRequestDto {
  @ApiProperty({ example: 'phone' }) @Matches(/^[a-z][a-z0-9-]{1,31}$/) channel!: string;
  @ApiProperty({ description: 'Free text; stored encrypted as personal data' }) @IsString() @MinLength(1) @MaxLength(4000) note!: string;
  @ApiPropertyOptional() @IsOptional() @Matches(DATE) @IsISO8601({ strict: true }) dueOn?: string | null;
}

export class RestrictionRequestDto {
  @ApiProperty({ example: 'accuracy-contested', description: 'Why processing stops (a code, no personal data)' })
  @Matches(/^[a-z][a-z0-9-]{2,63}$/)
  reason!: string;
}

const CONSENT_STATUSES = ['granted', 'withdrawn', 'none'] as const;
export class CustomersQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(TAG) tag?: string;
  @ApiPropertyOptional({ description: 'With consentStatus: filter by the consent for this purpose' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/)
  purpose?: string;
  @ApiPropertyOptional({ enum: CONSENT_STATUSES }) @IsOptional() @IsIn(CONSENT_STATUSES) consentStatus?: (typeof CONSENT_STATUSES)[number];
  @ApiPropertyOptional() @IsOptional() @IsUUID() after?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @QueryWholeNumber() @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: CONSISTENCY_DESCRIPTION }) @IsOptional() @IsString() @MinLength(1) @MaxLength(80) atLeastAsFresh?: string;
}

/** `GET /v1/customers/{id}`'s query. */
export class CustomerQueryDto {
  @ApiPropertyOptional({ description: CONSISTENCY_DESCRIPTION }) @IsOptional() @IsString() @MinLength(1) @MaxLength(80) atLeastAsFresh?: string;
}

export class CustomerDto {
  @ApiProperty() customerId!: string;
  @ApiProperty({ type: String, isArray: true }) tags!: string[];
  @ApiProperty({ description: 'K4: under 14 at the last profile change' }) under14!: boolean;
  @ApiProperty() restricted!: boolean;
  @ApiProperty({ description: 'purpose → channel → granted | withdrawn', type: Object }) consents!: Record<string, Record<string, string>>;
  @ApiProperty({ type: ProfileDto, nullable: true, description: 'Only with X-Purpose and personal-data:read; every such read is recorded (C3)' })
  profile!: Profile | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class FollowUpDto {
  @ApiProperty() followUpId!: string;
  @ApiProperty() channel!: string;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ nullable: true, type: String }) dueOn!: string | null;
  @ApiProperty() recordedBy!: string;
  @ApiProperty() recordedAt!: string;
}

export class CustomerDetailDto extends CustomerDto {
  @ApiProperty({ type: FollowUpDto, isArray: true }) followUps!: FollowUpDto[];
}

class IdDto {
  @ApiProperty() id!: string;
}

class IdAndTokenDto extends IdDto {
  @ApiPropertyOptional({
    description: 'The position the change committed at: send it as atLeastAsFresh with a decision that must see it (ADR 0016); absent when nothing changed',
  })
  consistencyToken?: string;
}

const withToken = (id: string, result: { readonly position: string | null }): IdAndTokenDto => ({
  id,
  ...(result.position ? { consistencyToken: result.position } : {}),
});

const toDto = (c: CustomerWithProfile): CustomerDto => ({
  customerId: c.customerId,
  tags: [...c.tags],
  under14: c.under14,
  restricted: c.restricted,
  consents: Object.fromEntries(Object.entries(c.consents).map(([k, v]) => [k, { ...v }])),
  profile: c.profile,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});
const toFollowUp = (f: FollowUpView): FollowUpDto => ({ ...f, recordedAt: f.recordedAt.toISOString() });

/** C3: personal fields only for a principal holding personal-data:read who states why (X-Purpose). */
function reader(purpose: string | undefined): PurposefulReader | null {
  if (purpose === undefined) return null;
  const principal = currentPrincipal();
  if (!principal.permissions.has('personal-data:read'))
    throw new ProblemException(403, 'AUTH.FORBIDDEN', 'Reading personal fields needs the permission personal-data:read.');
  const ctx = currentContext();
  if (!ctx?.purpose) throw new ProblemException(400, 'PURPOSE.INVALID', 'X-Purpose must be a purpose key such as `customer-support`.');
  return { actor: principal.actor, purpose: ctx.purpose, correlationId: ctx.correlationId };
}

const profileOf = (dto: ProfileDto): Profile => Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined));
const tenantId = (): string => currentPrincipal().tenantId;
const PURPOSE_HEADER = { name: 'X-Purpose', required: false, description: 'Why personal fields are read; without it, no personal fields (C3)' };

/** Customer profiles (C1, C2, K4) for the CRM UI and back-office apps. */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @RequirePermission('customers:manage')
  @ApiOperation({ summary: 'Create a customer profile; every field is classified and encrypted (C1, C2)' })
  @ApiCreatedResponse({ type: IdAndTokenDto })
  @ApiAuthenticatedProblems(400, 409)
  async create(@Body() body: CreateCustomerRequestDto): Promise<IdAndTokenDto> {
    const customerId = uuidv7();
    const result = await this.commands.execute(
      new RunCustomerCommand(commandContext(), { kind: 'CreateCustomer', customerId, profile: profileOf(body.profile), tags: body.tags ?? [] }),
    );
    return withToken(customerId, result);
  }

  @Get()
  @RequirePermission('customers:read')
  @ApiOperation({ summary: 'Customers, filtered by tag and consent status per purpose; paged by `after`' })
  @ApiHeader(PURPOSE_HEADER)
  @ApiOkResponse({ type: CustomerDto, isArray: true })
  @ApiAuthenticatedProblems(400)
  async list(@Query() q: CustomersQueryDto, @Headers('x-purpose') purpose?: string): Promise<CustomerDto[]> {
    if (q.consentStatus && !q.purpose)
      throw new ProblemException(400, 'VALIDATION.FAILED', 'consentStatus needs a purpose.', {
        errors: [{ field: 'purpose', code: 'isDefined', message: 'purpose is required with consentStatus' }],
      });
    const rows = await this.queries.execute(
      new ListCustomersQuery(
        tenantId(),
        {
          limit: q.limit ?? 50,
          ...(q.tag ? { tag: q.tag } : {}),
          ...(q.purpose ? { purpose: q.purpose } : {}),
          ...(q.consentStatus ? { consentStatus: q.consentStatus } : {}),
          ...(q.after ? { after: q.after } : {}),
          ...(q.atLeastAsFresh === undefined ? {} : { atLeastAsFresh: q.atLeastAsFresh }),
        },
        reader(purpose),
      ),
    );
    return rows.map(toDto);
  }

  @Get(':customerId')
  @RequirePermission('customers:read')
  @ApiOperation({ summary: 'One customer with follow-ups; personal fields only with X-Purpose (C3)' })
  @ApiHeader(PURPOSE_HEADER)
  @ApiOkResponse({ type: CustomerDetailDto })
  @ApiAuthenticatedProblems(400, 404)
  async get(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Query() q: CustomerQueryDto,
    @Headers('x-purpose') purpose?: string,
  ): Promise<CustomerDetailDto> {
    const c = await this.queries.execute(new GetCustomerQuery(tenantId(), customerId, reader(purpose), q.atLeastAsFresh));
    return Object.assign(toDto(c), { followUps: c.followUps.map(toFollowUp) });
  }

  @Patch(':customerId')
  @RequirePermission('customers:manage')
  @ApiOperation({ summary: 'Change profile fields (null clears one)' })
  @ApiOkResponse({ type: IdAndTokenDto })
  @ApiAuthenticatedProblems(400, 404)
  async update(@Param('customerId', ParseUUIDPipe) customerId: string, @Body() body: ProfileDto): Promise<IdAndTokenDto> {
    const result = await this.commands.execute(new RunCustomerCommand(commandContext(), { kind: 'UpdateCustomer', customerId, changes: profileOf(body) }));
    return withToken(customerId, result);
  }

  @Post(':customerId/tags')
  @HttpCode(200)
  @RequirePermission('customers:manage')
  @ApiOperation({ summary: 'Add and remove tags (C1)' })
  @ApiOkResponse({ type: IdDto })
  @ApiAuthenticatedProblems(400, 404)
  async tags(@Param('customerId', ParseUUIDPipe) customerId: string, @Body() body: TagsRequestDto): Promise<IdDto> {
    await this.commands.execute(new RunCustomerCommand(commandContext(), { kind: 'TagCustomer', customerId, add: body.add ?? [], remove: body.remove ?? [] }));
    return { id: customerId };
  }

  @Post(':customerId/follow-ups')
  @RequirePermission('customers:manage')
  @ApiOperation({ summary: 'Record a follow-up (C1); the note is encrypted' })
  @ApiCreatedResponse({ type: IdDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async followUp(@Param('customerId', ParseUUIDPipe) customerId: string, @Body() body: FollowUpRequestDto): Promise<IdDto> {
    const followUpId = uuidv7();
    await this.commands.execute(
      new RunCustomerCommand(commandContext(), {
        kind: 'RecordFollowUp',
        customerId,
        followUpId,
        channel: body.channel,
        note: body.note,
        dueOn: body.dueOn ?? null,
      }),
    );
    return { id: followUpId };
  }

  @Post(':customerId/restriction')
  @HttpCode(200)
  @RequirePermission('customers:manage')
  @ApiOperation({ summary: 'Restrict processing of the customer (PIPL 47): decisions deny until lifted' })
  @ApiOkResponse({ type: IdAndTokenDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async restrict(@Param('customerId', ParseUUIDPipe) customerId: string, @Body() body: RestrictionRequestDto): Promise<IdAndTokenDto> {
    const result = await this.commands.execute(new RunCustomerCommand(commandContext(), { kind: 'RestrictProcessing', customerId, reason: body.reason }));
    return withToken(customerId, result);
  }

  @Delete(':customerId/restriction')
  @RequirePermission('customers:manage')
  @ApiOperation({ summary: 'Lift the restriction of processing' })
  @ApiOkResponse({ type: IdAndTokenDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async lift(@Param('customerId', ParseUUIDPipe) customerId: string): Promise<IdAndTokenDto> {
    const result = await this.commands.execute(new RunCustomerCommand(commandContext(), { kind: 'LiftRestriction', customerId }));
    return withToken(customerId, result);
  }
}
