import { Body, Controller, Get, Header, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query, Res, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmptyObject,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DomainError, uuidv7, type Clock } from '@attest/kernel';
import {
  ApiAnswer,
  ApiAuthenticatedProblems,
  ApiDocumentAnswer,
  DocumentQueryDto,
  documentOptions,
  commandContext,
  currentPrincipal,
  QueryWholeNumber,
  RequirePermission,
  RequirePurpose,
  currentContext,
} from '@attest/http';
import { CLOCK } from '@attest/security';
import {
  accessExportHtml,
  AnswerVerificationCodeCommand,
  BulkActions,
  DELETION_LEDGER,
  SUBJECT_EXPORT,
  SUBJECT_RIGHTS,
  ExecuteRequestCommand,
  ReceiveRequestCommand,
  REQUEST_POLICIES,
  REQUESTS_READ_MODEL,
  RequestTimelines,
  RequesterContacts,
  RunRequestStepCommand,
  SendVerificationCodeCommand,
  type AccessExport,
  type BulkAction,
  type BulkJobView,
  type DeletionLedger,
  type RetainedValue,
  type SubjectExport,
  type SubjectRights,
  type RequestPolicies,
  type RequestQueueFilter,
  type SignedCertificate,
  type RequestsReadModel,
  type RequestStep,
  type RequesterContactView,
  type RequestTimeline,
  type RequestView,
  type TenantRequestPolicy,
  type TimelineEntry,
} from '@attest/requests-application';
import type { DeletionProgress } from './requests.responses';
import {
  MAX_COMMENT_LENGTH,
  REQUEST_CHANNELS,
  REQUEST_TYPES,
  REQUESTER_RELATIONS,
  type DeadlinePolicy,
  type RequestChannel,
  type RequesterRelation,
  type RequestOutcome,
  type RequestType,
} from '@attest/requests-domain';

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const TEXT = /^[^\u0000-\u001f]{1,2000}$/u;
const KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;
const FIELD = /^[a-zA-Z][a-zA-Z0-9]{0,63}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const STATUSES = ['open', 'all', 'received', 'verifying', 'verified', 'in-progress', 'completed', 'rejected'] as const;

class RequesterContactDto {
  @ApiPropertyOptional({ example: 'li.wei@example.org' }) @IsOptional() @IsEmail() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ example: '+86 138 1234 5678' }) @IsOptional() @Matches(/^\+?[0-9 ()-]{6,32}$/) phone?: string;
}
class RequesterDto {
  @ApiProperty({ enum: REQUESTER_RELATIONS }) @IsIn(REQUESTER_RELATIONS) relation!: RequesterRelation;
  @ApiProperty({ type: RequesterContactDto, description: 'Where the code and the answer go; personal data, stored encrypted' })
  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => RequesterContactDto)
  contact!: RequesterContactDto;
}

export class ReceiveRequestDto {
  @ApiProperty({ description: 'The customer (data subject) the request is about' }) @IsUUID() customerId!: string;
  @ApiProperty({ enum: REQUEST_TYPES }) @IsIn(REQUEST_TYPES) type!: RequestType;
  @ApiProperty({ enum: REQUEST_CHANNELS }) @IsIn(REQUEST_CHANNELS) channel!: RequestChannel;
  @ApiProperty({ type: RequesterDto }) @IsNotEmptyObject() @ValidateNested() @Type(() => RequesterDto) requester!: RequesterDto;
  @ApiPropertyOptional({ type: String, isArray: true, description: 'correction: the profile fields to correct', example: ['email'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(FIELD, { each: true })
  fields?: string[];
  @ApiPropertyOptional({ type: String, isArray: true, description: 'withdrawal: the purposes (none = all)', example: ['newsletter'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(KEY, { each: true })
  purposes?: string[];
  @ApiPropertyOptional({
    description:
      'A request received by phone, letter, e-mail or in person: when it actually arrived (the deadline counts from that day); not in the future, at most 60 days back. Web and API requests arrive when they are sent.',
    format: 'date-time',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  receivedAt?: string;
}

export class QueueQueryDto {
  @ApiPropertyOptional({ enum: STATUSES, default: 'open' }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ enum: ['on-track', 'at-risk', 'overdue'] }) @IsOptional() @IsIn(['on-track', 'at-risk', 'overdue']) urgency?:
    'on-track' | 'at-risk' | 'overdue';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) handler?: string;
  @ApiPropertyOptional() @IsOptional() @IsIn(['true', 'false']) escalated?: 'true' | 'false';
  @ApiPropertyOptional({ enum: REQUEST_TYPES }) @IsOptional() @IsIn(REQUEST_TYPES) type?: RequestType;
  @ApiPropertyOptional({ description: 'Identity verified (by code or another check) or not' })
  @IsOptional()
  @IsIn(['true', 'false'])
  verified?: 'true' | 'false';
  @ApiPropertyOptional({ enum: REQUEST_CHANNELS }) @IsOptional() @IsIn(REQUEST_CHANNELS) channel?: RequestChannel;
  @ApiPropertyOptional({ description: 'Due on or after this day', format: 'date' }) @IsOptional() @Matches(DAY) dueFrom?: string;
  @ApiPropertyOptional({ description: 'Due on or before this day', format: 'date' }) @IsOptional() @Matches(DAY) dueTo?: string;
  @ApiPropertyOptional({
    description:
      "`true`: only open, unverified requests received more than the tenant's `unverifiedAfterDays` ago (their own tab); `false`: every request but those",
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  stale?: 'true' | 'false';
  @ApiPropertyOptional({ description: 'The last request of the previous page: the queue goes on after it (due date, then id)', format: 'uuid' })
  @IsOptional()
  @IsUUID()
  after?: string;
  @ApiPropertyOptional({ default: 100, maximum: 500 }) @IsOptional() @QueryWholeNumber() @IsInt() @Min(1) @Max(500) limit?: number;
}

/** The queue's filter, in a body: what a bulk action reaches. */
export class BulkFilterDto {
  @ApiPropertyOptional({ enum: STATUSES, default: 'open' }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ enum: ['on-track', 'at-risk', 'overdue'] }) @IsOptional() @IsIn(['on-track', 'at-risk', 'overdue']) urgency?:
    'on-track' | 'at-risk' | 'overdue';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) handler?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() escalated?: boolean;
  @ApiPropertyOptional({ enum: REQUEST_TYPES }) @IsOptional() @IsIn(REQUEST_TYPES) type?: RequestType;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() verified?: boolean;
  @ApiPropertyOptional({ enum: REQUEST_CHANNELS }) @IsOptional() @IsIn(REQUEST_CHANNELS) channel?: RequestChannel;
  @ApiPropertyOptional({ format: 'date' }) @IsOptional() @Matches(DAY) dueFrom?: string;
  @ApiPropertyOptional({ format: 'date' }) @IsOptional() @Matches(DAY) dueTo?: string;
  @ApiPropertyOptional({ description: 'As the queue: true = only stale unverified requests, false = all but those' })
  @IsOptional()
  @IsBoolean()
  stale?: boolean;
}

export class BulkActionDto {
  @ApiProperty({ enum: ['assign', 'send-codes', 'reject'] }) @IsIn(['assign', 'send-codes', 'reject']) action!: 'assign' | 'send-codes' | 'reject';
  @ApiProperty({ type: BulkFilterDto, description: 'The requests reached: every one the queue would list for this filter, not just a page' })
  @IsNotEmptyObject({ nullable: false })
  @ValidateNested()
  @Type(() => BulkFilterDto)
  filter!: BulkFilterDto;
  @ApiPropertyOptional({ type: String, isArray: true, description: 'Requests the filter reaches that the action leaves alone', format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20_000)
  @IsUUID('all', { each: true })
  exclude?: string[];
  @ApiPropertyOptional({ description: 'assign (required): the handler', example: 'user:0192…' })
  @ValidateIf((o: BulkActionDto) => o.action === 'assign' || o.handler !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  handler?: string;
  @ApiPropertyOptional({ type: String, isArray: true, description: 'reject (required): the reasons' })
  @ValidateIf((o: BulkActionDto) => o.action === 'reject' || o.reasons !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @Matches(TEXT, { each: true })
  reasons?: string[];
  @ApiPropertyOptional({ description: 'reject (required): how the requester can complain (PIPL 50)' })
  @ValidateIf((o: BulkActionDto) => o.action === 'reject' || o.complaint !== undefined)
  @Matches(TEXT)
  complaint?: string;
}

export class BulkJobsQueryDto {
  @ApiPropertyOptional({ default: 20, maximum: 100 }) @IsOptional() @QueryWholeNumber() @IsInt() @Min(1) @Max(100) limit?: number;
}

export class AnswerCodeDto {
  @ApiProperty() @IsUUID() challengeId!: string;
  @ApiProperty({ example: '123456' }) @Matches(/^[0-9]{6}$/) code!: string;
}
export class IdentityCheckDto {
  @ApiProperty({ example: 'Identity card checked at the service desk' }) @Matches(TEXT) note!: string;
}
export class AssignDto {
  @ApiProperty({ example: 'user:0192…' }) @IsString() @MinLength(1) @MaxLength(200) handler!: string;
}
// A comment may break lines; other control characters are refused.
const COMMENT = new RegExp(`^[^\\u0000-\\u0009\\u000b-\\u001f]{1,${String(MAX_COMMENT_LENGTH)}}$`, 'u');
export class CommentDto {
  @ApiProperty({
    example: 'Called the branch: the paper file is archived off-site, retrieval booked for Monday.',
    description: `A note for the other handlers, up to ${String(MAX_COMMENT_LENGTH)} characters (line breaks allowed). Not for the subject's personal data: it is kept as written, with the request.`,
  })
  @Matches(COMMENT)
  text!: string;
}

export class ReasonDto {
  @ApiProperty() @Matches(TEXT) reason!: string;
}
export class ExtendDto {
  @ApiProperty() @Matches(TEXT) reason!: string;
  @ApiProperty({ example: '2027-02-22' }) @Matches(/^\d{4}-\d{2}-\d{2}$/) dueOn!: string;
  @ApiProperty({ description: 'When the requester was told of the extension and why' }) @IsISO8601({ strict: true }) requesterToldAt!: string;
}
export class RejectDto {
  @ApiProperty({ type: String, isArray: true }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @Matches(TEXT, { each: true }) reasons!: string[];
  @ApiProperty({ description: 'How the requester can complain (PIPL 50): the authority and how to reach it' }) @Matches(TEXT) complaint!: string;
}
class LegalHoldDto {
  @ApiProperty({ example: 'email', description: 'A profile field' }) @Matches(FIELD) field!: string;
  @ApiProperty({ example: 'Legal claim 2026-117 pending' }) @Matches(TEXT) reason!: string;
  @ApiProperty({ example: '2028-12-31' }) @Matches(/^\d{4}-\d{2}-\d{2}$/) until!: string;
}
export class ExecuteDto {
  @ApiPropertyOptional({ type: LegalHoldDto, isArray: true, description: 'deletion (D5): fields kept under a legal hold (legal claims)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => LegalHoldDto)
  legalHolds?: LegalHoldDto[];
  @ApiPropertyOptional({
    description: 'correction: the corrected value of each field the request names (null clears it)',
    example: { email: 'li.wei@new.example' },
  })
  @IsOptional()
  @IsObject()
  corrections?: Record<string, string | null>;
}
class PolicyDto {
  @ApiProperty({ enum: ['gdpr-month', 'working-days', 'custom'] }) @IsIn(['gdpr-month', 'working-days', 'custom']) kind!: DeadlinePolicy['kind'];
  @ApiPropertyOptional({ description: 'working-days, custom' }) @IsOptional() @IsInt() @Min(1) @Max(366) days?: number;
  @ApiPropertyOptional({ enum: ['calendar-days', 'working-days'], description: 'custom' }) @IsOptional() @IsIn(['calendar-days', 'working-days']) unit?:
    'calendar-days' | 'working-days';
  @ApiPropertyOptional({ description: 'custom: how far an extension may reach' }) @IsOptional() @IsInt() @Min(0) @Max(366) extensionDays?: number;
}
class RetentionDutyDto {
  @ApiProperty({ example: 'bankAccount', description: 'A profile field' }) @Matches(FIELD) field!: string;
  @ApiProperty({ example: 'Tax law: accounting records are kept 10 years' }) @Matches(TEXT) reason!: string;
  @ApiProperty({ example: 10 }) @IsInt() @Min(1) @Max(30) years!: number;
}
export class PolicyRequestDto {
  @ApiProperty({ type: PolicyDto }) @IsNotEmptyObject() @ValidateNested() @Type(() => PolicyDto) policy!: PolicyDto;
  @ApiProperty({ type: RetentionDutyDto, isArray: true, description: 'D5: profile fields kept after a deletion' })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => RetentionDutyDto)
  retentionDuties!: RetentionDutyDto[];
  @ApiProperty({ type: String, isArray: true, example: ['2026-12-25'] })
  @IsArray()
  @ArrayMaxSize(400)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { each: true })
  holidays!: string[];
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 365,
    description: 'Unverified requests older than this many days leave the queue for their own tab; unchanged when absent (default 14)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  unverifiedAfterDays?: number;
}

function policyOf(p: PolicyDto): DeadlinePolicy {
  const need = (field: string): never => {
    throw new DomainError('DSR.POLICY_INVALID', `a ${p.kind} policy needs ${field}`, 'invalid');
  };
  switch (p.kind) {
    case 'gdpr-month':
      return { kind: 'gdpr-month' };
    case 'working-days':
      return { kind: 'working-days', days: p.days ?? need('days') };
    case 'custom':
      return { kind: 'custom', unit: p.unit ?? need('unit'), days: p.days ?? need('days'), extensionDays: p.extensionDays ?? need('extensionDays') };
  }
}

/** D1–D3: data-subject requests from receipt to completion, and each tenant's deadline policy. */
@ApiTags('data-subject-requests')
@ApiBearerAuth()
@Controller('v1')
export class RequestsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(REQUESTS_READ_MODEL) private readonly requests: RequestsReadModel,
    @Inject(REQUEST_POLICIES) private readonly policies: RequestPolicies,
    @Inject(DELETION_LEDGER) private readonly deletions: DeletionLedger,
    @Inject(SUBJECT_EXPORT) private readonly exports: SubjectExport,
    @Inject(SUBJECT_RIGHTS) private readonly subjects: SubjectRights,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly bulk: BulkActions,
    private readonly timelines: RequestTimelines,
    private readonly contacts: RequesterContacts,
  ) {}

  /** The export of an access request being answered or answered; each download is recorded as processing. */
  private async accessExport(requestId: string): Promise<AccessExport> {
    return this.exports.build(commandContext(), await this.exportable(requestId), requestId);
  }

  /** The subject of an access request that may be exported now. */
  private async exportable(requestId: string): Promise<string> {
    const request = await this.view(requestId);
    if (request.requestType !== 'access') throw new DomainError('DSR.NOT_AN_ACCESS_REQUEST', 'only an access request has an export', 'conflict');
    if (request.status !== 'in-progress' && request.status !== 'completed')
      throw new DomainError('DSR.NOT_IN_PROGRESS', 'start the request before exporting', 'conflict');
    return request.customerId;
  }

  private async view(requestId: string): Promise<RequestView> {
    const found = await this.requests.get(currentPrincipal().tenantId, requestId, this.clock.now());
    if (!found) throw new DomainError('DSR.NOT_FOUND', 'no such request', 'not_found');
    return found;
  }

  private async step(requestId: string, step: RequestStep): Promise<RequestView> {
    await this.commands.execute(new RunRequestStepCommand(commandContext(), step));
    return this.view(requestId);
  }

  @Post('data-subject-requests')
  @RequirePermission('requests:submit')
  @ApiOperation({ summary: 'Receive a request (access, correction, deletion, withdrawal, restriction); the due date follows the tenant policy' })
  @ApiAnswer(201, 'DataSubjectRequest', 'The request, with its due date')
  @ApiAuthenticatedProblems(400, 404)
  async receive(@Body() body: ReceiveRequestDto): Promise<RequestView> {
    const { requestId } = await this.commands.execute(
      new ReceiveRequestCommand(commandContext(), {
        customerId: body.customerId,
        requestType: body.type,
        channel: body.channel,
        requester: { relation: body.requester.relation, contact: { email: body.requester.contact.email ?? null, phone: body.requester.contact.phone ?? null } },
        scope: { fields: body.fields ?? [], purposes: body.purposes ?? [] },
        ...(body.receivedAt ? { receivedAt: new Date(body.receivedAt).toISOString() } : {}),
      }),
    );
    return this.view(requestId);
  }

  @Post('data-subject-requests/bulk-actions')
  @RequirePermission('requests:manage')
  @ApiOperation({
    summary:
      'Assign, send verification codes to, or reject every request a queue filter reaches, less the excluded ones (at most 20,000): a durable job, carried out in the background, with a result per request',
  })
  @ApiAnswer(201, 'BulkJob', 'The job as started: the requests it reaches, and their results so far')
  @ApiAuthenticatedProblems(400)
  startBulk(@Body() body: BulkActionDto): Promise<BulkJobView> {
    // The DTO requires these for their action; the checks only narrow the types.
    const need = (field: string): never => {
      throw new DomainError('VALIDATION.FAILED', `${body.action} needs ${field}`, 'invalid');
    };
    const action: BulkAction =
      body.action === 'assign'
        ? { kind: 'assign', handler: body.handler ?? need('handler') }
        : body.action === 'reject'
          ? { kind: 'reject', reasons: body.reasons ?? need('reasons'), complaint: body.complaint ?? need('complaint') }
          : { kind: 'send-codes' };
    return this.startBulkJob(action, body.filter, body.exclude ?? []);
  }

  @Get('data-subject-requests/bulk-actions')
  @RequirePermission('requests:read')
  @ApiOperation({ summary: 'The latest bulk actions of your tenant, newest first, with their counts' })
  @ApiAnswer(200, 'BulkJob', 'Jobs, newest first (failures are listed on each job)', { list: true })
  @ApiAuthenticatedProblems(400)
  bulkJobs(@Query() q: BulkJobsQueryDto): Promise<BulkJobView[]> {
    return this.bulk.list(currentPrincipal().tenantId, q.limit ?? 20);
  }

  @Get('data-subject-requests/bulk-actions/:jobId')
  @RequirePermission('requests:read')
  @ApiOperation({ summary: 'One bulk action: how many requests it reached, how many are done, failed or pending, and why each failed one failed' })
  @ApiAnswer(200, 'BulkJob', 'The job')
  @ApiAuthenticatedProblems(400, 404)
  bulkJob(@Param('jobId', ParseUUIDPipe) jobId: string): Promise<BulkJobView> {
    return this.bulk.get(currentPrincipal().tenantId, jobId);
  }

  private async startBulkJob(action: BulkAction, f: BulkFilterDto, exclude: readonly string[]): Promise<BulkJobView> {
    return this.bulk.start(commandContext(), action, await this.queueFilter(f), exclude, Object.fromEntries(Object.entries(f)));
  }

  /** The queue's filter (query or bulk body, flags as booleans) for the read model; staleness by the tenant's age. */
  private async queueFilter(f: {
    readonly status?: (typeof STATUSES)[number] | undefined;
    readonly urgency?: 'on-track' | 'at-risk' | 'overdue' | undefined;
    readonly handler?: string | undefined;
    readonly escalated?: boolean | undefined;
    readonly type?: RequestType | undefined;
    readonly verified?: boolean | undefined;
    readonly channel?: RequestChannel | undefined;
    readonly dueFrom?: string | undefined;
    readonly dueTo?: string | undefined;
    readonly stale?: boolean | undefined;
  }): Promise<Omit<RequestQueueFilter, 'limit' | 'after'>> {
    if (f.dueFrom && f.dueTo && f.dueFrom > f.dueTo) throw new DomainError('DSR.DUE_WINDOW_EMPTY', 'dueFrom is after dueTo', 'invalid');
    const now = this.clock.now();
    const staleDays = f.stale === undefined ? null : (await this.policies.get(currentPrincipal().tenantId)).unverifiedAfterDays;
    return {
      ...(f.status ? { status: f.status } : {}),
      ...(f.urgency ? { urgency: f.urgency } : {}),
      ...(f.handler ? { handler: f.handler } : {}),
      ...(f.escalated === undefined ? {} : { escalated: f.escalated }),
      ...(f.type ? { requestType: f.type } : {}),
      ...(f.verified === undefined ? {} : { verified: f.verified }),
      ...(f.channel ? { channel: f.channel } : {}),
      ...(f.dueFrom ? { dueFrom: f.dueFrom } : {}),
      ...(f.dueTo ? { dueTo: f.dueTo } : {}),
      ...(f.stale !== undefined && staleDays !== null ? { stale: { only: f.stale, receivedBefore: new Date(now.getTime() - staleDays * 86_400_000) } } : {}),
    };
  }

  @Get('data-subject-requests')
  @RequirePermission('requests:read')
  @ApiOperation({
    summary:
      'The queue: open requests oldest due first, with urgency (on-track, at-risk, overdue) and open duplicates; filtered by status, urgency, handler, type, verification, channel, due window and staleness; paged by `after`',
  })
  @ApiAnswer(200, 'DataSubjectRequest', 'Requests', { list: true })
  @ApiAuthenticatedProblems(400)
  async queue(@Query() q: QueueQueryDto): Promise<RequestView[]> {
    const flag = (v: 'true' | 'false' | undefined): boolean | undefined => (v === undefined ? undefined : v === 'true');
    const filter = await this.queueFilter({
      status: q.status,
      urgency: q.urgency,
      handler: q.handler,
      escalated: flag(q.escalated),
      type: q.type,
      verified: flag(q.verified),
      channel: q.channel,
      dueFrom: q.dueFrom,
      dueTo: q.dueTo,
      stale: flag(q.stale),
    });
    return this.requests.queue(currentPrincipal().tenantId, { ...filter, limit: q.limit ?? 100, ...(q.after ? { after: q.after } : {}) }, this.clock.now());
  }

  @Get('data-subject-requests/:requestId')
  @RequirePermission('requests:read')
  @ApiOperation({ summary: 'One request' })
  @ApiAnswer(200, 'DataSubjectRequest', 'The request')
  @ApiAuthenticatedProblems(400, 404)
  get(@Param('requestId', ParseUUIDPipe) requestId: string): Promise<RequestView> {
    return this.view(requestId);
  }

  @Post('data-subject-requests/:requestId/verification-codes')
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'Send a one-time code to the requester (through the notification outbox); valid 15 minutes, 5 attempts, 3 codes per request' })
  @ApiAnswer(201, 'VerificationCodeSent', 'The challenge the code answers, and when it expires')
  @ApiAuthenticatedProblems(400, 404, 409, 429)
  sendCode(@Param('requestId', ParseUUIDPipe) requestId: string): Promise<{ challengeId: string; expiresAt: string }> {
    return this.commands.execute(new SendVerificationCodeCommand(commandContext(), requestId));
  }

  @Post('data-subject-requests/:requestId/verification')
  @HttpCode(200)
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'Check the code the requester gave; a wrong one counts as an attempt' })
  @ApiAnswer(200, 'DataSubjectRequest', 'The request, verified')
  @ApiAuthenticatedProblems(400, 404, 409)
  async verify(@Param('requestId', ParseUUIDPipe) requestId: string, @Body() body: AnswerCodeDto): Promise<RequestView> {
    await this.commands.execute(new AnswerVerificationCodeCommand(commandContext(), requestId, body.challengeId, body.code));
    return this.view(requestId);
  }

  @Post('data-subject-requests/:requestId/identity-checks')
  @HttpCode(200)
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'Record that the handler verified the identity another way (no copy of the document is kept)' })
  @ApiAnswer(200, 'DataSubjectRequest', 'The request')
  @ApiAuthenticatedProblems(400, 404, 409)
  identityCheck(@Param('requestId', ParseUUIDPipe) requestId: string, @Body() body: IdentityCheckDto): Promise<RequestView> {
    return this.step(requestId, { kind: 'VerifyByHandler', requestId, note: body.note });
  }

  @Post('data-subject-requests/:requestId/assignment')
  @HttpCode(200)
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'Assign the request to a handler' })
  @ApiAnswer(200, 'DataSubjectRequest', 'The request')
  @ApiAuthenticatedProblems(400, 404, 409)
  assign(@Param('requestId', ParseUUIDPipe) requestId: string, @Body() body: AssignDto): Promise<RequestView> {
    return this.step(requestId, { kind: 'AssignRequest', requestId, handler: body.handler });
  }

  @Post('data-subject-requests/:requestId/escalations')
  @HttpCode(200)
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'Escalate to the platform operator (EC 3.12.5)' })
  @ApiAnswer(200, 'DataSubjectRequest', 'The request')
  @ApiAuthenticatedProblems(400, 404, 409)
  escalate(@Param('requestId', ParseUUIDPipe) requestId: string, @Body() body: ReasonDto): Promise<RequestView> {
    return this.step(requestId, { kind: 'EscalateRequest', requestId, reason: body.reason });
  }

  @Get('data-subject-requests/:requestId/timeline')
  @RequirePermission('requests:read')
  @ApiOperation({
    summary:
      "The request's timeline: every event of the request (received, code sent or failed, verified, assigned, escalated, extended, started, comments, completed or rejected) and its deletion's steps (erased, certified, stopped with an error code), oldest first; no personal data",
  })
  @ApiAnswer(200, 'RequestTimelineDocument', 'The timeline')
  @ApiAuthenticatedProblems(400, 404)
  timeline(@Param('requestId', ParseUUIDPipe) requestId: string): Promise<RequestTimeline> {
    return this.timelines.get(currentPrincipal().tenantId, requestId);
  }

  @Get('data-subject-requests/:requestId/requester')
  @RequirePermission('personal-data:read')
  @RequirePurpose()
  @ApiOperation({
    summary:
      "The requester's contact (e-mail, phone), decrypted for this read; needs X-Purpose (C3), and from a console session a recent sign-in; recorded in the processing record before it is answered",
  })
  @ApiHeader({ name: 'X-Purpose', required: true, description: 'Why you read it, e.g. `data-subject-request`' })
  @ApiAnswer(200, 'RequesterContact', 'The contact, and the journal entry the read was recorded as')
  @ApiAuthenticatedProblems(400, 404)
  requester(@Param('requestId', ParseUUIDPipe) requestId: string): Promise<RequesterContactView> {
    const ctx = currentContext();
    return this.contacts.reveal(currentPrincipal().tenantId, requestId, {
      actor: currentPrincipal().actor,
      purpose: ctx?.purpose ?? '',
      correlationId: ctx?.correlationId ?? '',
    });
  }

  @Post('data-subject-requests/:requestId/comments')
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'A comment between handlers on the request (open or closed); it appears on the timeline' })
  @ApiAnswer(201, 'RequestTimelineEntry', 'The comment as the timeline shows it')
  @ApiAuthenticatedProblems(400, 404)
  async comment(@Param('requestId', ParseUUIDPipe) requestId: string, @Body() body: CommentDto): Promise<TimelineEntry> {
    const commentId = uuidv7();
    await this.commands.execute(new RunRequestStepCommand(commandContext(), { kind: 'CommentOnRequest', requestId, commentId, text: body.text }));
    const { entries } = await this.timelines.get(currentPrincipal().tenantId, requestId);
    const made = entries.find((e) => e.kind === 'commented' && e.facts['commentId'] === commentId);
    if (!made) throw new Error(`comment ${commentId} was appended but is not on the timeline`);
    return made;
  }

  @Post('data-subject-requests/:requestId/extension')
  @HttpCode(200)
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'Extend the deadline once, within the policy, with the reason and when the requester was told' })
  @ApiAnswer(200, 'DataSubjectRequest', 'The request')
  @ApiAuthenticatedProblems(400, 404, 409)
  extend(@Param('requestId', ParseUUIDPipe) requestId: string, @Body() body: ExtendDto): Promise<RequestView> {
    return this.step(requestId, {
      kind: 'ExtendRequest',
      requestId,
      reason: body.reason,
      dueOn: body.dueOn,
      requesterToldAt: new Date(body.requesterToldAt).toISOString(),
    });
  }

  @Post('data-subject-requests/:requestId/start')
  @HttpCode(200)
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'Start work on a verified request (in progress)' })
  @ApiAnswer(200, 'DataSubjectRequest', 'The request')
  @ApiAuthenticatedProblems(400, 404, 409)
  start(@Param('requestId', ParseUUIDPipe) requestId: string): Promise<RequestView> {
    return this.step(requestId, { kind: 'StartRequest', requestId });
  }

  @Post('data-subject-requests/:requestId/execution')
  @HttpCode(200)
  @RequirePermission('requests:manage')
  @ApiOperation({
    summary: 'Carry out the request (access export, restriction, withdrawal, correction, deletion) and complete it; a deletion resumes where it stopped',
  })
  @ApiAnswer(200, 'RequestExecution', 'What was done')
  @ApiAuthenticatedProblems(400, 404, 409)
  execute(@Param('requestId', ParseUUIDPipe) requestId: string, @Body() body: ExecuteDto): Promise<{ requestId: string; outcome: RequestOutcome }> {
    if (body.corrections) {
      for (const [field, value] of Object.entries(body.corrections)) {
        if (!FIELD.test(field) || (value !== null && (typeof value !== 'string' || value.length > 500))) {
          throw new DomainError(
            'DSR.CORRECTION_INVALID',
            `the corrected value of ${field.slice(0, 64)} must be a text of at most 500 characters, or null`,
            'invalid',
          );
        }
      }
    }
    const holds = (body.legalHolds ?? []).map((h) => ({ field: h.field, reason: h.reason, until: h.until }));
    return this.commands.execute(new ExecuteRequestCommand(commandContext(), requestId, body.corrections ?? null, holds));
  }

  @Get('data-subject-requests/:requestId/export')
  @RequirePermission('requests:manage')
  @ApiOperation({
    summary: 'The access export (JSON, portable): profile, follow-ups, consents with evidence, processing records, requests; recorded as processing',
  })
  @ApiAnswer(200, 'AccessExportDocument', 'attest-access-export/v1')
  @ApiAuthenticatedProblems(400, 404, 409)
  @Header('Content-Disposition', 'attachment; filename="access-export.json"')
  @Header('Cache-Control', 'no-store')
  async exportJson(@Param('requestId', ParseUUIDPipe) requestId: string): Promise<StreamableFile> {
    // Streamed: the processing records go out a page at a time. A read that fails after the first
    // piece cuts the connection (Fastify destroys the response), so a client never takes a cut
    // document for a whole one; every failure before it is answered as a problem.
    const pieces = await this.exports.open(commandContext(), await this.exportable(requestId), requestId);
    return new StreamableFile(Readable.from(pieces), { type: 'application/json; charset=utf-8' });
  }

  @Get('data-subject-requests/:requestId/export.html')
  @RequirePermission('requests:manage')
  @ApiOperation({
    summary: 'The access export as a readable, printable page (English or Simplified Chinese, dates in the given time zone); recorded as processing',
  })
  @ApiDocumentAnswer('text/html', 'The access export as a readable page')
  @ApiAuthenticatedProblems(400, 404, 409)
  async exportHtml(
    @Param('requestId', ParseUUIDPipe) requestId: string,
    @Query() page: DocumentQueryDto,
    @Res({ passthrough: true }) res: { header(name: string, value: string): unknown },
  ): Promise<string> {
    const options = documentOptions(page);
    const made = await this.accessExport(requestId);
    res.header('Content-Type', 'text/html; charset=utf-8');
    res.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.header('Cache-Control', 'no-store');
    return accessExportHtml(made, options);
  }

  @Get('data-subject-requests/:requestId/deletion')
  @RequirePermission('requests:read')
  @ApiOperation({
    summary:
      'D7: where a deletion stands (erase, certify, notify, complete, done) and, when a run stopped, at which step and with which error code; carrying the request out again continues from there',
  })
  @ApiAnswer(200, 'DeletionProgress', 'The deletion’s step and its last failure')
  @ApiAuthenticatedProblems(400, 404)
  async deletion(@Param('requestId', ParseUUIDPipe) requestId: string): Promise<DeletionProgress> {
    const { tenantId } = currentPrincipal();
    await this.view(requestId);
    const state = await this.deletions.get(tenantId, requestId);
    if (!state) throw new DomainError('DSR.DELETION_NOT_STARTED', 'this request has no deletion under way or done', 'not_found');
    return { requestId, step: state.step, failure: state.failure };
  }

  @Get('data-subject-requests/:requestId/retained')
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'D5: what a deletion kept under retention duties, with reasons and until when (decrypted for this read)' })
  @ApiAnswer(200, 'RetainedField', 'Fields kept under a retention duty', { list: true })
  @ApiAuthenticatedProblems(400, 404)
  async retained(@Param('requestId', ParseUUIDPipe) requestId: string): Promise<RetainedValue[]> {
    await this.view(requestId);
    return this.subjects.retained(commandContext(), requestId);
  }

  @Get('data-subject-requests/:requestId/certificate')
  @RequirePermission('requests:read')
  @ApiOperation({
    summary: 'The deletion certificate (D4): what was erased and when, its delete entry in the processing record with an inclusion proof, signed',
  })
  @ApiAnswer(200, 'DeletionCertificateDocument', 'The certificate and its signed note')
  @ApiAuthenticatedProblems(400, 404)
  async certificate(@Param('requestId', ParseUUIDPipe) requestId: string): Promise<SignedCertificate> {
    const found = (await this.deletions.get(currentPrincipal().tenantId, requestId))?.certificate;
    if (!found) throw new DomainError('DSR.NO_CERTIFICATE', 'this request has no deletion certificate (not a deletion, or not carried out yet)', 'not_found');
    return found;
  }

  @Post('data-subject-requests/:requestId/rejection')
  @HttpCode(200)
  @RequirePermission('requests:manage')
  @ApiOperation({ summary: 'Reject with reasons and how to complain (PIPL 50)' })
  @ApiAnswer(200, 'DataSubjectRequest', 'The request')
  @ApiAuthenticatedProblems(400, 404, 409)
  reject(@Param('requestId', ParseUUIDPipe) requestId: string, @Body() body: RejectDto): Promise<RequestView> {
    return this.step(requestId, { kind: 'RejectRequest', requestId, reasons: body.reasons, complaint: body.complaint });
  }

  @Get('data-subject-request-policy')
  @RequirePermission('requests:read')
  @ApiOperation({ summary: "The tenant's deadline policy and holidays (default: GDPR month)" })
  @ApiAnswer(200, 'RequestPolicy', 'The deadline policy, holidays and retention duties')
  @ApiAuthenticatedProblems()
  policy(): Promise<TenantRequestPolicy> {
    return this.policies.get(currentPrincipal().tenantId);
  }

  @Put('data-subject-request-policy')
  @RequirePermission('requests:policy')
  @ApiOperation({ summary: 'Set the deadline policy for requests received from now on (requests keep the deadline they were received with)' })
  @ApiAnswer(200, 'RequestPolicy', 'The deadline policy, holidays and retention duties')
  @ApiAuthenticatedProblems(400)
  setPolicy(@Body() body: PolicyRequestDto): Promise<TenantRequestPolicy> {
    const { tenantId, actor } = currentPrincipal();
    return this.policies.set(
      tenantId,
      policyOf(body.policy),
      { holidays: body.holidays },
      body.retentionDuties.map((d) => ({ field: d.field, reason: d.reason, years: d.years })),
      body.unverifiedAfterDays,
      actor,
      this.clock.now(),
    );
  }
}

/** D2: escalated requests of every tenant (EC 3.12.5). */
@ApiTags('platform')
@ApiBearerAuth()
@Controller('v1/platform/data-subject-requests')
export class PlatformRequestsController {
  constructor(
    @Inject(REQUESTS_READ_MODEL) private readonly requests: RequestsReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('escalated')
  @RequirePermission('platform:operate')
  @ApiOperation({ summary: 'Open escalated requests of every tenant, oldest due first' })
  @ApiAnswer(200, 'DataSubjectRequest', 'Requests', { list: true })
  @ApiAuthenticatedProblems()
  escalated(): Promise<RequestView[]> {
    return this.requests.escalated(this.clock.now(), 500);
  }
}
