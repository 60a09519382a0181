import type { ConsentOverview } from './consent.responses';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmptyObject,
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
  BULK_DECISION_LIMIT,
  ChangeConsentCommand,
  ConsentAtQuery,
  ConsentHistoryQuery,
  ConsentOverviewQuery,
  DecideCommand,
  ListPurposesQuery,
  ReceiptOfEventQuery,
  ReceiptQuery,
  RunPurposeCommand,
  type ConsentAtView,
  type ConsentReceipt,
  type Consistency,
  type RecordedDecision,
} from '@attest/consent-application';
import {
  CHANNELS,
  CONSENT_SCOPES,
  DATA_CATEGORIES,
  DENY_REASONS,
  LEGAL_BASES,
  type Channel,
  type ConsentScope,
  type DataCategory,
  type LegalBasis,
  type Purpose,
} from '@attest/consent-domain';
import { DomainError } from '@attest/kernel';
import { ApiAnswer, ApiAuthenticatedProblems, commandContext, currentPrincipal, RequirePermission } from '@attest/http';

const KEY = /^[a-z0-9][a-z0-9-]{1,63}$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9 ._:/@-]{0,199}$/;
const COUNTRY = /^[A-Z]{2}$/;

export class ReceiptOfEventQueryDto {
  @ApiPropertyOptional({ description: 'The id of the consent event (given or withdrawn)', format: 'uuid' }) @IsOptional() @IsUUID() eventId?: string;
  @ApiPropertyOptional({ description: 'The id of a consent (one a decision rested on): the receipt of its grant', format: 'uuid' })
  @IsOptional()
  @IsUUID()
  consentId?: string;
}

export class PurposeTermsDto {
  @ApiProperty({ example: 'Newsletter' }) @IsString() @MinLength(1) @MaxLength(120) name!: string;
  @ApiProperty({ example: 'Monthly product news by e-mail' }) @IsString() @MinLength(1) @MaxLength(2000) description!: string;
  @ApiProperty({ enum: LEGAL_BASES }) @IsIn(LEGAL_BASES) legalBasis!: LegalBasis;
  @ApiProperty({ example: 'bulk-email' }) @Matches(KEY) method!: string;
  @ApiProperty({ enum: DATA_CATEGORIES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(DATA_CATEGORIES, { each: true })
  dataCategories!: DataCategory[];
  @ApiProperty({ enum: CHANNELS, isArray: true }) @IsArray() @ArrayMinSize(1) @ArrayUnique() @IsIn(CHANNELS, { each: true }) channels!: Channel[];
  @ApiProperty({ example: 730 }) @IsInt() @Min(1) @Max(36_500) retentionDays!: number;
  @ApiProperty({ example: 'privacy-notice-2026-11' }) @Matches(REF) noticeVersion!: string;
}

export class DefinePurposeRequestDto extends PurposeTermsDto {
  @ApiProperty({ example: 'newsletter' }) @Matches(KEY) purposeKey!: string;
}

export class EvidenceDto {
  @ApiProperty({ example: 'privacy-notice-2026-11' }) @Matches(REF) noticeVersion!: string;
  @ApiProperty({ example: 'checkbox' }) @Matches(KEY) method!: string;
  @ApiProperty({ example: 'web-signup-form' }) @Matches(REF) source!: string;
  @ApiProperty({ example: 'system:web-shop', description: 'A staff or system reference, not a name' }) @Matches(REF) collector!: string;
  @ApiProperty() @IsISO8601({ strict: true }) collectedAt!: string;
}

export class ThirdPartyDto {
  @ApiProperty({ example: 'Partner Logistics Ltd' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
}

export class CrossBorderDto {
  @ApiProperty({ example: 'Acme GmbH' }) @IsString() @MinLength(1) @MaxLength(200) recipient!: string;
  @ApiProperty({ example: 'DE' }) @Matches(COUNTRY) country!: string;
  @ApiProperty({ example: 'customer support' }) @IsString() @MinLength(1) @MaxLength(500) purpose!: string;
  @ApiProperty({ enum: DATA_CATEGORIES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(DATA_CATEGORIES, { each: true })
  dataTypes!: DataCategory[];
}

export class ConsentGuardianDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ enum: ['parent', 'legal-guardian'] }) @IsIn(['parent', 'legal-guardian']) relationship!: 'parent' | 'legal-guardian';
}

export class GrantConsentRequestDto {
  @ApiProperty({ example: 'newsletter' }) @Matches(KEY) purposeKey!: string;
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel!: Channel;
  @ApiProperty({ enum: CONSENT_SCOPES }) @IsIn(CONSENT_SCOPES) scope!: ConsentScope;
  @ApiProperty({ type: EvidenceDto }) @IsNotEmptyObject() @ValidateNested() @Type(() => EvidenceDto) evidence!: EvidenceDto;
  @ApiPropertyOptional({ type: ThirdPartyDto }) @IsOptional() @ValidateNested() @Type(() => ThirdPartyDto) thirdParty?: ThirdPartyDto;
  @ApiPropertyOptional({ type: CrossBorderDto }) @IsOptional() @ValidateNested() @Type(() => CrossBorderDto) crossBorder?: CrossBorderDto;
  @ApiPropertyOptional({ type: ConsentGuardianDto, description: 'K4: required for a subject under 14' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ConsentGuardianDto)
  guardian?: ConsentGuardianDto;
}

export class WithdrawConsentRequestDto {
  @ApiProperty({ example: 'newsletter' }) @Matches(KEY) purposeKey!: string;
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel!: Channel;
  @ApiProperty({ enum: CONSENT_SCOPES }) @IsIn(CONSENT_SCOPES) scope!: ConsentScope;
  @ApiProperty({ example: 'unsubscribe-link' }) @Matches(KEY) method!: string;
  @ApiProperty({ example: 'email-footer' }) @Matches(REF) source!: string;
  @ApiPropertyOptional({ type: ThirdPartyDto }) @IsOptional() @ValidateNested() @Type(() => ThirdPartyDto) thirdParty?: ThirdPartyDto;
  @ApiPropertyOptional({ example: 'DE' }) @IsOptional() @Matches(COUNTRY) country?: string;
}

export class ConsentStateQueryDto {
  @ApiProperty() @Matches(KEY) purpose!: string;
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel!: Channel;
  @ApiPropertyOptional({ description: 'Instant to answer for (default: now)' }) @IsOptional() @IsISO8601({ strict: true }) at?: string;
}

/** What every decision asks (single or bulk), and how fresh its facts must be (ADR 0016). */
class DecisionQuestionDto {
  @ApiProperty({ example: 'newsletter' }) @Matches(KEY) purpose!: string;
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel!: Channel;
  @ApiProperty({ enum: DATA_CATEGORIES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(DATA_CATEGORIES, { each: true })
  dataCategories!: DataCategory[];
  @ApiPropertyOptional({ description: 'Provision to this third party (K3)' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(200) thirdParty?: string;
  @ApiPropertyOptional({ description: 'Transfer to this country, ISO 3166-1 alpha-2 (K3)' }) @IsOptional() @Matches(COUNTRY) transferCountry?: string;
  @ApiPropertyOptional({
    description:
      'Answer only from facts at least as fresh as this consistencyToken (answered by the command that changed them); the API waits briefly for them, then reads the database (ADR 0016)',
    example: 'pg:00000001.0000000000000a3c.0000000000000001',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  atLeastAsFresh?: string;
  @ApiPropertyOptional({
    enum: ['default', 'full'],
    description: '`full`: read the read models, not the process memory (slower; every acknowledged write is seen)',
  })
  @IsOptional()
  @IsIn(['default', 'full'])
  consistency?: 'default' | 'full';
}

export class DecisionRequestDto extends DecisionQuestionDto {
  @ApiProperty() @IsUUID() customerId!: string;
}

export class BulkDecisionRequestDto extends DecisionQuestionDto {
  @ApiProperty({ type: String, isArray: true, description: `Up to ${String(BULK_DECISION_LIMIT)} recipients` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_DECISION_LIMIT)
  @IsUUID('all', { each: true })
  customerIds!: string[];
}

export class DecisionDto {
  @ApiProperty({ description: 'Id of the recorded decision in the processing journal' }) decisionId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() allow!: boolean;
  @ApiProperty({ enum: DENY_REASONS, isArray: true }) reasons!: string[];
  @ApiProperty({ enum: LEGAL_BASES, nullable: true }) legalBasis!: string | null;
  @ApiProperty({ type: String, isArray: true }) consentIds!: string[];
  @ApiProperty() decidedAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The facts reflected every event of the log through this position (also in the decision record); null when the process could not tell',
  })
  asOf!: string | null;
}

export class BulkDecisionDto {
  @ApiProperty() allowed!: number;
  @ApiProperty() denied!: number;
  @ApiProperty({ type: String, nullable: true, description: 'The position every decision of the call reflected' }) asOf!: string | null;
  @ApiProperty({ type: DecisionDto, isArray: true }) decisions!: DecisionDto[];
}

const tenantId = (): string => currentPrincipal().tenantId;
const toDecision = (d: RecordedDecision): DecisionDto => ({ ...d, reasons: [...d.reasons], consentIds: [...d.consentIds] });

/** A command's commit position, for a decision that must see the change (ADR 0016); absent when nothing changed. */
type Token = { consistencyToken?: string };
const tokenOf = (result: { readonly position: string | null }): Token => (result.position ? { consistencyToken: result.position } : {});

/** One decision command for a single or a bulk request: the same question, the caller's consistency. */
function decideCommand(customerIds: readonly string[], body: DecisionQuestionDto): DecideCommand {
  const question = {
    purposeKey: body.purpose,
    channel: body.channel,
    dataCategories: body.dataCategories,
    thirdParty: body.thirdParty ?? null,
    transferCountry: body.transferCountry ?? null,
  };
  return new DecideCommand(commandContext(), customerIds, question, consistencyOf(body));
}

/** The caller's consistency (ADR 0016): a token, `full`, or the default; a token and `full` together are refused. */
function consistencyOf(body: { readonly atLeastAsFresh?: string; readonly consistency?: 'default' | 'full' }): Consistency {
  if (body.atLeastAsFresh !== undefined && body.consistency === 'full') {
    throw new DomainError('DECISION.CONSISTENCY_CONFLICT', 'send atLeastAsFresh or consistency "full", not both');
  }
  if (body.atLeastAsFresh !== undefined) return { kind: 'atLeastAsFresh', token: body.atLeastAsFresh };
  return body.consistency === 'full' ? { kind: 'full' } : { kind: 'default' };
}

/** The purpose register (K5, K6). */
@ApiTags('consent')
@ApiBearerAuth()
@Controller('v1/purposes')
export class PurposesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @RequirePermission('consent:read')
  @ApiOperation({ summary: 'The purposes of your tenant with legal basis, categories, channels, retention and version' })
  @ApiOkResponse({ type: DefinePurposeRequestDto, isArray: true })
  @ApiAuthenticatedProblems()
  list(): Promise<Purpose[]> {
    return this.queries.execute(new ListPurposesQuery(tenantId()));
  }

  @Post()
  @RequirePermission('purposes:manage')
  @ApiOperation({ summary: 'Define a purpose with its legal basis (K6)' })
  @ApiCreatedResponse({ type: DefinePurposeRequestDto })
  @ApiAuthenticatedProblems(400, 409)
  async define(@Body() body: DefinePurposeRequestDto): Promise<DefinePurposeRequestDto & Token> {
    const { purposeKey, ...terms } = body;
    const result = await this.commands.execute(new RunPurposeCommand(commandContext(), { kind: 'DefinePurpose', purposeKey, terms }));
    return { purposeKey, ...terms, ...tokenOf(result) };
  }

  @Put(':purposeKey')
  @RequirePermission('purposes:manage')
  @ApiOperation({ summary: 'Revise a purpose; a new description, method, notice or added category makes earlier consents outdated (K5)' })
  @ApiOkResponse({ type: PurposeTermsDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async revise(@Param('purposeKey') purposeKey: string, @Body() body: PurposeTermsDto): Promise<PurposeTermsDto & Token> {
    const { ...terms } = body;
    const result = await this.commands.execute(new RunPurposeCommand(commandContext(), { kind: 'RevisePurpose', purposeKey, terms }));
    return { ...terms, ...tokenOf(result) };
  }

  @Post(':purposeKey/retire')
  @HttpCode(200)
  @RequirePermission('purposes:manage')
  @ApiOperation({ summary: 'Retire a purpose: nothing may be processed for it any more' })
  @ApiOkResponse({ schema: { type: 'object', properties: { purposeKey: { type: 'string' } }, required: ['purposeKey'] }, description: 'The purpose retired' })
  @ApiAuthenticatedProblems(404, 409)
  async retire(@Param('purposeKey') purposeKey: string): Promise<{ purposeKey: string } & Token> {
    const result = await this.commands.execute(new RunPurposeCommand(commandContext(), { kind: 'RetirePurpose', purposeKey }));
    return { purposeKey, ...tokenOf(result) };
  }
}

/** Consents of a subject (K1–K4, K7) and their receipts. */
@ApiTags('consent')
@ApiBearerAuth()
@Controller('v1')
export class ConsentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('customers/:customerId/consents')
  @RequirePermission('consent:manage')
  @ApiOperation({ summary: 'Record a consent with its evidence; answers with the consent receipt (K1, K3, K4)' })
  @ApiAnswer(201, 'ConsentReceiptDocument', 'The consent receipt (JSON) to give the subject')
  @ApiAuthenticatedProblems(400, 404, 409)
  grant(@Param('customerId', ParseUUIDPipe) customerId: string, @Body() body: GrantConsentRequestDto): Promise<ConsentReceipt> {
    return this.commands.execute(
      new ChangeConsentCommand(commandContext(), customerId, {
        action: 'grant',
        purposeKey: body.purposeKey,
        channel: body.channel,
        scope: body.scope,
        evidence: {
          noticeVersion: body.evidence.noticeVersion,
          method: body.evidence.method,
          source: body.evidence.source,
          collector: body.evidence.collector,
          collectedAt: body.evidence.collectedAt,
        },
        thirdParty: body.thirdParty ? { name: body.thirdParty.name } : null,
        crossBorder: body.crossBorder
          ? {
              recipient: body.crossBorder.recipient,
              country: body.crossBorder.country,
              purpose: body.crossBorder.purpose,
              dataTypes: body.crossBorder.dataTypes,
            }
          : null,
        guardian: body.guardian ? { name: body.guardian.name, relationship: body.guardian.relationship } : null,
      }),
    );
  }

  @Post('customers/:customerId/consents/withdraw')
  @HttpCode(200)
  @RequirePermission('consent:manage')
  @ApiOperation({ summary: 'Withdraw a consent: one call, effective for future processing (K2); answers with the receipt' })
  @ApiAnswer(200, 'ConsentReceiptDocument', 'The withdrawal receipt')
  @ApiAuthenticatedProblems(400, 404, 409)
  withdraw(@Param('customerId', ParseUUIDPipe) customerId: string, @Body() body: WithdrawConsentRequestDto): Promise<ConsentReceipt> {
    return this.commands.execute(
      new ChangeConsentCommand(commandContext(), customerId, {
        action: 'withdraw',
        purposeKey: body.purposeKey,
        channel: body.channel,
        scope: body.scope,
        method: body.method,
        source: body.source,
        thirdParty: body.thirdParty ? { name: body.thirdParty.name } : null,
        country: body.country ?? null,
      }),
    );
  }

  @Get('customers/:customerId/consents')
  @RequirePermission('consent:read')
  @ApiOperation({ summary: 'The full consent history of a subject, as receipts (K7)' })
  @ApiAnswer(200, 'ConsentReceiptDocument', 'Receipts, oldest first', { list: true })
  @ApiAuthenticatedProblems(400, 404)
  history(@Param('customerId', ParseUUIDPipe) customerId: string): Promise<ConsentReceipt[]> {
    return this.queries.execute(new ConsentHistoryQuery(tenantId(), customerId));
  }

  @Get('customers/:customerId/consents/state')
  @RequirePermission('consent:read')
  @ApiOperation({ summary: 'Did the subject validly consent to the purpose on the channel at an instant? With the proving events (K7)' })
  @ApiAnswer(200, 'ConsentState', 'valid, reasons, purposeVersion and proof (event ids, types, positions, times)')
  @ApiAuthenticatedProblems(400, 404)
  state(@Param('customerId', ParseUUIDPipe) customerId: string, @Query() q: ConsentStateQueryDto): Promise<ConsentAtView> {
    return this.queries.execute(new ConsentAtQuery(tenantId(), customerId, q.purpose, q.channel, new Date(q.at ?? Date.now()).toISOString()));
  }

  @Get('consent-receipts/:receiptId')
  @RequirePermission('consent:read')
  @ApiOperation({ summary: 'A consent receipt by id' })
  @ApiAnswer(200, 'ConsentReceiptDocument', 'The receipt')
  @ApiAuthenticatedProblems(400, 404)
  receipt(@Param('receiptId', ParseUUIDPipe) receiptId: string): Promise<ConsentReceipt> {
    return this.queries.execute(new ReceiptQuery(tenantId(), receiptId));
  }

  @Get('consent-receipts')
  @RequirePermission('consent:read')
  @ApiOperation({
    summary:
      'The consent receipt made by a consent event (`eventId`: the event of a processing record of the grant or withdrawal), or of the grant of a consent (`consentId`: one a decision record names); exactly one of the two',
  })
  @ApiAnswer(200, 'ConsentReceiptDocument', 'The receipt')
  @ApiAuthenticatedProblems(400, 404)
  receiptOfEvent(@Query() q: ReceiptOfEventQueryDto): Promise<ConsentReceipt> {
    const of = q.eventId !== undefined ? { eventId: q.eventId } : q.consentId !== undefined ? { consentId: q.consentId } : null;
    if (!of || (q.eventId !== undefined && q.consentId !== undefined)) {
      throw new DomainError('RECEIPT.LOOKUP_AMBIGUOUS', 'give exactly one of eventId and consentId', 'invalid');
    }
    return this.queries.execute(new ReceiptOfEventQuery(tenantId(), of));
  }

  @Get('consents/overview')
  @RequirePermission('consent:read')
  @ApiOperation({ summary: 'Consent overview per purpose and per channel: subjects with a consent in force, and withdrawn' })
  @ApiAnswer(200, 'ConsentOverview', 'Per purpose: key, version, granted, withdrawn, and the same per channel', { list: true })
  @ApiAuthenticatedProblems()
  overview(): Promise<ConsentOverview[]> {
    return this.queries.execute(new ConsentOverviewQuery(tenantId()));
  }
}

/** P3: processing decisions for back-office apps; every decision is recorded. */
@ApiTags('decisions')
@ApiBearerAuth()
@Controller('v1/decisions')
export class DecisionsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @RequirePermission('decisions:request')
  @ApiOperation({ summary: 'May these data categories of this subject be processed for this purpose on this channel now?' })
  @ApiOkResponse({ type: DecisionDto })
  @ApiAuthenticatedProblems(400)
  async decide(@Body() body: DecisionRequestDto): Promise<DecisionDto> {
    const [decision] = await this.commands.execute(decideCommand([body.customerId], body));
    if (!decision) throw new Error('no decision was made');
    return toDecision(decision);
  }

  @Post('bulk')
  @HttpCode(200)
  @RequirePermission('decisions:request')
  @ApiOperation({ summary: `Decisions for a group send, up to ${String(BULK_DECISION_LIMIT)} recipients per call, one result each (K8, P7)` })
  @ApiOkResponse({ type: BulkDecisionDto })
  @ApiAuthenticatedProblems(400)
  async bulk(@Body() body: BulkDecisionRequestDto): Promise<BulkDecisionDto> {
    const decisions = await this.commands.execute(decideCommand(body.customerIds, body));
    const allowed = decisions.filter((d) => d.allow).length;
    return { allowed, denied: decisions.length - allowed, asOf: decisions[0]?.asOf ?? null, decisions: decisions.map(toDecision) };
  }
}
