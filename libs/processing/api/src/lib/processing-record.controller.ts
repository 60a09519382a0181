import { Body, Controller, Get, Header, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsNotEmptyObject,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
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
import { DomainError, PROCESSING_KINDS } from '@attest/kernel';
import {
  PROCESSING_RECORD,
  PROCESSING_REGISTER,
  type CheckpointView,
  type LegalHold,
  type ProcessingRecordService,
  type ProcessingRegister,
  type RecordBundle,
  type RecordQuery,
  type VerificationReport,
  type VerificationRun,
} from '@attest/processing-application';
import {
  activitiesCsv,
  activitiesHtml,
  INCIDENT_KINDS,
  isRecordTableColumn,
  RECORD_TABLE_COLUMNS,
  recordTableColumns,
  recordTableCsv,
  recordTableJson,
  type RecordTableColumn,
  type ActivityVersion,
  type ImpactAssessment,
  type IncidentKind,
  type IncidentUpdate,
  type IncidentView,
  type ProcessingActivity,
} from '@attest/processing-domain';
import {
  ApiAnswer,
  ApiAuthenticatedProblems,
  ApiDocumentAnswer,
  currentContext,
  DocumentQueryDto,
  documentOptions,
  currentPrincipal,
  ParseSafeIntPipe,
  ProblemException,
  QueryWholeNumber,
  RequirePermission,
  RequireRecentSignIn,
} from '@attest/http';
import type { CheckpointHistoryPage, ProcessingRecordTableExport } from './processing.responses';

const DECISION_OUTCOMES = ['allow', 'deny'] as const;
const RECORD_ORDERS = ['newest', 'oldest'] as const;
const tenantId = (): string => currentPrincipal().tenantId;
const actor = (): string => currentPrincipal().actor;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const TEXT = /^[^\u0000-\u001f]{1,500}$/u;

export class RecordQueryDto {
  @ApiPropertyOptional({ description: 'The data subject (customer or account id); searched by its pseudonym' }) @IsOptional() @IsUUID() subjectId?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/) purpose?: string;
  @ApiPropertyOptional({ example: 'user:4f1c…' }) @IsOptional() @IsString() @MaxLength(200) actor?: string;
  @ApiPropertyOptional({ enum: PROCESSING_KINDS }) @IsOptional() @IsIn(PROCESSING_KINDS) kind?: string;
  @ApiPropertyOptional({ description: 'The channel of the processing (decisions and channel-bound processing)', example: 'email' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/)
  channel?: string;
  @ApiPropertyOptional({ enum: DECISION_OUTCOMES, description: 'A decision’s outcome' }) @IsOptional() @IsIn(DECISION_OUTCOMES) outcome?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) to?: string;
  @ApiPropertyOptional({ enum: RECORD_ORDERS, default: 'newest', description: 'Newest first (by time, then entry index) or oldest first' })
  @IsOptional()
  @IsIn(RECORD_ORDERS)
  order?: (typeof RECORD_ORDERS)[number];
}

export class RecordTableExportQueryDto extends RecordQueryDto {
  @ApiPropertyOptional({
    description: `Columns, comma-separated (${RECORD_TABLE_COLUMNS.join(', ')}); the entry index always comes first. Default: all.`,
    example: 'at,kind,purpose,actor',
  })
  @IsOptional()
  @Matches(/^[A-Za-z]{1,32}(,[A-Za-z]{1,32}){0,31}$/)
  columns?: string;
}

/** The columns of a table export; an unknown one is refused (400) rather than silently dropped. */
function exportColumns(text: string | undefined): RecordTableColumn[] {
  if (text === undefined) return [...RECORD_TABLE_COLUMNS];
  const names = text.split(',');
  const unknown = names.filter((n) => !isRecordTableColumn(n));
  if (unknown.length > 0)
    throw new ProblemException(400, 'RECORD.UNKNOWN_COLUMN', `Unknown column ${unknown.join(', ')}; the columns are ${RECORD_TABLE_COLUMNS.join(', ')}.`);
  return recordTableColumns(names.filter(isRecordTableColumn));
}

export class RecordPageQueryDto extends RecordQueryDto {
  @ApiPropertyOptional({ default: 50, maximum: 200 }) @IsOptional() @QueryWholeNumber() @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional() @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,200}$/) cursor?: string;
}

export class ExportRequestDto extends RecordQueryDto {
  @ApiPropertyOptional({ description: 'true: the whole log (the auditor recomputes the tree); otherwise the selection with proofs' })
  @IsOptional()
  @IsBoolean()
  complete?: boolean;
}

export class LegalHoldRequestDto {
  @ApiProperty({ example: 'Litigation 2026-117: preserve all processing records' }) @Matches(TEXT) reason!: string;
}

class ControllerDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ description: 'Role address, not a person' }) @IsString() @MinLength(1) @MaxLength(200) contact!: string;
}
class TransferDto {
  @ApiProperty({ example: 'US' }) @Matches(/^[A-Z]{2}$/) country!: string;
  @ApiProperty({ example: 'Standard contractual clauses 2021/914' }) @IsString() @MinLength(1) @MaxLength(500) safeguards!: string;
}
const list = (example: string) => ApiProperty({ type: String, isArray: true, example: [example] });

export class ActivityDto implements ProcessingActivity {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ type: ControllerDto }) @IsNotEmptyObject() @ValidateNested() @Type(() => ControllerDto) controller!: ControllerDto;
  @ApiProperty({ description: 'Role address of the data protection officer, or "none designated"' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  dataProtectionOfficer!: string;
  @list('newsletter') @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(200, { each: true }) purposes!: string[];
  @ApiProperty({ example: 'consent' }) @IsString() @MinLength(1) @MaxLength(100) legalBasis!: string;
  @list('customers') @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(200, { each: true }) dataSubjectCategories!: string[];
  @list('contact') @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(200, { each: true }) dataCategories!: string[];
  @list('mail service provider') @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(200, { each: true }) recipients!: string[];
  @ApiProperty({ type: TransferDto, isArray: true })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TransferDto)
  transfers!: TransferDto[];
  @ApiProperty({ example: '2 years after the last contact' }) @IsString() @MinLength(1) @MaxLength(500) erasureTimeLimit!: string;
  @list('per-subject encryption')
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  securityMeasures!: string[];
  @ApiProperty() @IsBoolean() sensitiveData!: boolean;
  @ApiProperty() @IsBoolean() automatedDecisionMaking!: boolean;
  @ApiProperty() @IsBoolean() entrustedProcessing!: boolean;
  @ApiProperty() @IsBoolean() providedToOthers!: boolean;
  @ApiProperty() @IsBoolean() publicDisclosure!: boolean;
}

export class AssessmentDto implements ImpactAssessment {
  @ApiProperty({ type: String, isArray: true }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsUUID('all', { each: true }) activityIds!: string[];
  @ApiProperty({ example: '2026-11-20' }) @Matches(/^\d{4}-\d{2}-\d{2}$/) assessedOn!: string;
  @ApiProperty({ description: 'Role or team, not a person' }) @IsString() @MinLength(1) @MaxLength(200) assessor!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(5000) lawfulnessAndNecessity!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(5000) impactOnRights!: string;
  @ApiProperty({ type: String, isArray: true }) @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(1000, { each: true }) risks!: string[];
  @ApiProperty({ type: String, isArray: true }) @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(1000, { each: true }) measures!: string[];
  @ApiProperty({ enum: ['acceptable', 'acceptable-with-measures', 'not-acceptable'] })
  @IsIn(['acceptable', 'acceptable-with-measures', 'not-acceptable'])
  conclusion!: ImpactAssessment['conclusion'];
}

export class IncidentDto {
  @ApiProperty({ enum: INCIDENT_KINDS }) @IsIn(INCIDENT_KINDS) kind!: IncidentKind;
  @ApiProperty({ description: 'What happened; no personal data' }) @IsString() @MinLength(1) @MaxLength(5000) description!: string;
  @ApiProperty({ description: 'When the controller became aware: the 72-hour clock starts here' }) @IsISO8601({ strict: true }) awareAt!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) @IsOptional() @IsISO8601({ strict: true }) occurredAt?: string | null;
  @ApiProperty({ type: String, isArray: true })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  dataCategories!: string[];
  @ApiProperty() @IsInt() @Min(0) affectedSubjectsEstimate!: number;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(5000) likelyConsequences!: string;
}

export class IncidentUpdateDto {
  @ApiProperty({ enum: ['authority-notified', 'subjects-notified', 'remedy', 'closed'] })
  @IsIn(['authority-notified', 'subjects-notified', 'remedy', 'closed'])
  type!: IncidentUpdate['type'];
  @ApiProperty() @IsISO8601({ strict: true }) at!: string;
  @ApiPropertyOptional({ description: 'authority-notified' }) @IsOptional() @IsString() @MaxLength(200) authority?: string;
  @ApiPropertyOptional({ description: 'authority-notified: the authority’s case reference' }) @IsOptional() @IsString() @MaxLength(200) reference?: string;
  @ApiPropertyOptional({ description: 'authority-notified later than 72 hours: why (GDPR 33(1))' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  delayReason?: string;
  @ApiPropertyOptional({ description: 'subjects-notified' }) @IsOptional() @IsString() @MaxLength(100) channel?: string;
  @ApiPropertyOptional({ description: 'subjects-notified' }) @IsOptional() @IsInt() @Min(0) count?: number;
  @ApiPropertyOptional({ description: 'remedy' }) @IsOptional() @IsString() @MaxLength(5000) description?: string;
  @ApiPropertyOptional({ description: 'closed' }) @IsOptional() @IsString() @MaxLength(5000) summary?: string;
}

function toUpdate(b: IncidentUpdateDto): IncidentUpdate {
  const missing = (field: string): never => {
    throw new DomainError('INCIDENT.UPDATE_INCOMPLETE', `${b.type} needs ${field}`, 'invalid');
  };
  switch (b.type) {
    case 'authority-notified':
      return {
        type: b.type,
        at: b.at,
        authority: b.authority ?? missing('authority'),
        reference: b.reference ?? missing('reference'),
        delayReason: b.delayReason ?? null,
      };
    case 'subjects-notified':
      return { type: b.type, at: b.at, channel: b.channel ?? missing('channel'), count: b.count ?? missing('count') };
    case 'remedy':
      return { type: b.type, at: b.at, description: b.description ?? missing('description') };
    case 'closed':
      return { type: b.type, at: b.at, summary: b.summary ?? missing('summary') };
  }
}

function toQuery(q: RecordQueryDto): RecordQuery {
  return {
    ...(q.subjectId !== undefined ? { subjectId: q.subjectId } : {}),
    ...(q.purpose !== undefined ? { purpose: q.purpose } : {}),
    ...(q.actor !== undefined ? { actor: q.actor } : {}),
    ...(q.kind !== undefined ? { kind: q.kind } : {}),
    ...(q.channel !== undefined ? { channel: q.channel } : {}),
    ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
    ...(q.from !== undefined ? { from: new Date(q.from) } : {}),
    ...(q.to !== undefined ? { to: new Date(q.to) } : {}),
    ...(q.order !== undefined ? { order: q.order } : {}),
  };
}

/** Checkpoints on one page of the history. */
const HISTORY_LIMIT = new ParseSafeIntPipe({ min: 1, max: 500, optional: true });
/** A cursor of the checkpoint history (base64url). */
const CURSOR = {
  transform(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(value)) return value;
    throw new DomainError('RECORD.BAD_CURSOR', 'the cursor is not one this API returned', 'invalid');
  },
};

/** How many kept verification runs one page lists. */
const RUNS_LIMIT = new ParseSafeIntPipe({ min: 1, max: 100, optional: true });

/** Entry indices start at 0; tree sizes at 1. */
const INDEX = new ParseSafeIntPipe({ min: 0 });
const SIZE = new ParseSafeIntPipe({ min: 1 });
const OPTIONAL_SIZE = new ParseSafeIntPipe({ min: 1, optional: true });

/** The tenant's processing record (P1, P2): checkpoints, entries, proofs, queries, exports, legal holds. */
@ApiTags('processing-record')
@ApiBearerAuth()
@Controller('v1/processing-record')
export class ProcessingRecordController {
  constructor(@Inject(PROCESSING_RECORD) private readonly record: ProcessingRecordService) {}

  @Get()
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'This log: origin, verifier key (name+id+key) and the latest signed checkpoint' })
  @ApiAnswer(200, 'ProcessingRecordInfo', 'This log: origin, verifier key and the latest signed checkpoint')
  @ApiAuthenticatedProblems()
  async describe(): Promise<{ origin: string; verifierKey: string; latestCheckpoint: CheckpointView | null }> {
    return { origin: this.record.origin(tenantId()), verifierKey: this.record.verifierKey(), latestCheckpoint: await this.record.latestCheckpoint(tenantId()) };
  }

  @Get('checkpoints/latest')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'The latest signed checkpoint (C2SP tlog-checkpoint, Ed25519 signed note)' })
  @ApiAnswer(200, 'Checkpoint', 'size, root (base64), note (the signed text), createdAt')
  @ApiAuthenticatedProblems(404)
  async latest(): Promise<CheckpointView> {
    const c = await this.record.latestCheckpoint(tenantId());
    if (!c) throw new DomainError('RECORD.NO_CHECKPOINT', 'this tenant has no signed checkpoint yet', 'not_found');
    return c;
  }

  @Get('checkpoints/history')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'Signed checkpoints newest first, a page at a time (a log signed every minute has hundreds of thousands)' })
  @ApiQuery({ name: 'limit', required: false, schema: { ...HISTORY_LIMIT.schema, default: 100 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' } })
  @ApiAnswer(200, 'CheckpointHistoryPage', 'Checkpoints, newest first, and the cursor of the next page')
  @ApiAuthenticatedProblems(400)
  checkpointHistory(@Query('limit', HISTORY_LIMIT) limit?: number, @Query('cursor', CURSOR) cursor?: string): Promise<CheckpointHistoryPage> {
    return this.record.checkpointHistory(tenantId(), limit ?? 100, cursor ?? null);
  }

  @Get('checkpoints')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'Signed checkpoints, oldest first; `size` selects those of one tree size' })
  @ApiQuery({ name: 'size', required: false, schema: SIZE.schema })
  @ApiAnswer(200, 'Checkpoint', 'Signed checkpoints, oldest first', { list: true })
  @ApiAuthenticatedProblems(400)
  checkpoints(@Query('size', OPTIONAL_SIZE) size?: number): Promise<CheckpointView[]> {
    return this.record.checkpoints(tenantId(), size);
  }

  @Post('checkpoints')
  @RequirePermission('processing-record:manage')
  @ApiOperation({ summary: 'Sign a checkpoint of the current size now (on demand)' })
  @ApiAnswer(201, 'Checkpoint', 'The latest checkpoint')
  @ApiAuthenticatedProblems(404)
  async checkpointNow(): Promise<CheckpointView> {
    const c = await this.record.checkpointNow(tenantId());
    if (!c) throw new DomainError('RECORD.EMPTY', 'the processing record of this tenant is empty', 'not_found');
    return c;
  }

  @Get('entries/:index')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'One entry: canonical body (null once purged), leaf hash, decoded record' })
  @ApiAnswer(200, 'ProcessingRecordEntry', 'One entry: canonical body (null once purged), leaf hash, decoded record')
  @ApiParam({ name: 'index', schema: INDEX.schema })
  @ApiAuthenticatedProblems(400, 404)
  entry(@Param('index', INDEX) index: number) {
    return this.record.entry(tenantId(), index);
  }

  @Get('proofs/inclusion')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'RFC 6962 inclusion proof of entry `index` in the tree of `size`' })
  @ApiAnswer(200, 'InclusionProof', 'RFC 6962 inclusion proof (base64 hashes)')
  @ApiQuery({ name: 'index', schema: INDEX.schema })
  @ApiQuery({ name: 'size', schema: SIZE.schema })
  @ApiAuthenticatedProblems(400, 404)
  inclusion(@Query('index', INDEX) index: number, @Query('size', SIZE) size: number) {
    return this.record.inclusionProof(tenantId(), index, size);
  }

  @Get('proofs/consistency')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'RFC 6962 consistency proof between tree sizes `from` and `to`' })
  @ApiAnswer(200, 'ConsistencyProof', 'RFC 6962 consistency proof (base64 hashes)')
  @ApiQuery({ name: 'from', schema: SIZE.schema })
  @ApiQuery({ name: 'to', schema: SIZE.schema })
  @ApiAuthenticatedProblems(400)
  consistency(@Query('from', SIZE) from: number, @Query('to', SIZE) to: number) {
    return this.record.consistencyProof(tenantId(), from, to);
  }

  @Get('records')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'Records by subject, purpose, actor, kind, channel, decision outcome and time range; newest first, paged by cursor' })
  @ApiAnswer(200, 'ProcessingRecordPage', 'Records, newest first, and the next cursor')
  @ApiAuthenticatedProblems(400)
  query(@Query() q: RecordPageQueryDto) {
    return this.record.query(tenantId(), toQuery(q), q.limit ?? 50, q.cursor ?? null);
  }

  @Get('records/export.csv')
  @RequirePermission('processing-record:read')
  @RequireRecentSignIn()
  @ApiOperation({ summary: 'Every record of the filter (at most 10,000) as CSV with exactly the chosen columns; the export is recorded' })
  @ApiDocumentAnswer('text/csv', 'The records as CSV, newest first')
  @ApiAuthenticatedProblems(400)
  async exportRecordsCsv(
    @Query() q: RecordTableExportQueryDto,
    @Res({ passthrough: true }) res: { header(name: string, value: string): unknown },
  ): Promise<string> {
    const columns = exportColumns(q.columns);
    const rows = await this.record.exportTable(tenantId(), toQuery(q), 'csv', { actor: actor(), correlationId: currentContext()?.correlationId ?? null });
    res.header('Content-Type', 'text/csv; charset=utf-8');
    res.header('Content-Disposition', 'attachment; filename="processing-record.csv"');
    return recordTableCsv(rows, columns);
  }

  @Get('records/export.json')
  @RequirePermission('processing-record:read')
  @RequireRecentSignIn()
  @ApiOperation({ summary: 'Every record of the filter (at most 10,000) as JSON with exactly the chosen columns; the export is recorded' })
  @ApiAnswer(200, 'ProcessingRecordTableExport', 'The columns and the records, newest first')
  @ApiAuthenticatedProblems(400)
  async exportRecordsJson(
    @Query() q: RecordTableExportQueryDto,
    @Res({ passthrough: true }) res: { header(name: string, value: string): unknown },
  ): Promise<ProcessingRecordTableExport> {
    const columns = exportColumns(q.columns);
    const rows = await this.record.exportTable(tenantId(), toQuery(q), 'json', { actor: actor(), correlationId: currentContext()?.correlationId ?? null });
    res.header('Content-Disposition', 'attachment; filename="processing-record.json"');
    return { columns, records: recordTableJson(rows, columns) };
  }

  @Get('verification')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'Recompute the tree on the server and check every signed checkpoint (auditors run `attest verify` themselves)' })
  @ApiAnswer(200, 'ProcessingRecordVerification', 'The verification report')
  @ApiAuthenticatedProblems()
  verify(): Promise<VerificationReport> {
    return this.record.verify(tenantId());
  }

  @Get('verification-runs')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'The kept verifications of this log (the daily job’s and those asked for), newest first' })
  @ApiQuery({ name: 'limit', required: false, schema: { ...RUNS_LIMIT.schema, default: 10 } })
  @ApiAnswer(200, 'ProcessingRecordVerificationRun', 'Runs, newest first', { list: true })
  @ApiAuthenticatedProblems(400)
  verificationRuns(@Query('limit', RUNS_LIMIT) limit?: number): Promise<VerificationRun[]> {
    return this.record.verificationRuns(tenantId(), limit ?? 10);
  }

  @Post('verification-runs')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'Verify this log on the server now (tree and every signed checkpoint) and keep the report' })
  @ApiAnswer(201, 'ProcessingRecordVerificationRun', 'The run, kept')
  @ApiAuthenticatedProblems()
  runVerification(): Promise<VerificationRun> {
    return this.record.runVerification(tenantId(), actor());
  }

  @Post('exports')
  @HttpCode(200)
  @RequirePermission('processing-record:manage')
  @ApiOperation({ summary: 'An export bundle for a regulator; verifies offline with `attest verify --bundle <file>`' })
  @ApiAnswer(200, 'ProcessingRecordBundle', 'attest-processing-record-bundle/v1')
  @ApiAuthenticatedProblems(400)
  exportBundle(@Body() body: ExportRequestDto): Promise<RecordBundle> {
    return this.record.exportBundle(tenantId(), body.complete ? null : toQuery(body), {
      actor: actor(),
      correlationId: currentContext()?.correlationId ?? null,
    });
  }

  @Get('legal-holds')
  @RequirePermission('processing-record:read')
  @ApiOperation({ summary: 'Legal holds (an active one blocks purging)' })
  @ApiAnswer(200, 'ProcessingRecordLegalHold', 'Legal holds', { list: true })
  @ApiAuthenticatedProblems()
  holds(): Promise<LegalHold[]> {
    return this.record.legalHolds(tenantId());
  }

  @Post('legal-holds')
  @RequirePermission('processing-record:manage')
  @ApiOperation({ summary: 'Place a legal hold: nothing of this tenant’s record is purged until it is released' })
  @ApiAnswer(201, 'ProcessingRecordLegalHold', 'The legal hold placed')
  @ApiAuthenticatedProblems(400)
  placeHold(@Body() body: LegalHoldRequestDto): Promise<LegalHold> {
    return this.record.placeLegalHold(tenantId(), body.reason, actor());
  }

  @Post('legal-holds/:holdId/release')
  @HttpCode(200)
  @RequirePermission('processing-record:manage')
  @ApiOperation({ summary: 'Release a legal hold' })
  @ApiAnswer(200, 'ProcessingRecordLegalHold', 'The legal hold released')
  @ApiAuthenticatedProblems(400, 404)
  releaseHold(@Param('holdId', ParseUUIDPipe) holdId: string): Promise<LegalHold> {
    return this.record.releaseLegalHold(tenantId(), holdId, actor());
  }
}

/** The register of processing activities (P4), impact assessments (P5), incidents (P6). */
@ApiTags('processing-register')
@ApiBearerAuth()
@Controller('v1')
export class ProcessingRegisterController {
  constructor(@Inject(PROCESSING_REGISTER) private readonly register: ProcessingRegister) {}

  @Get('processing-activities')
  @RequirePermission('register:read')
  @ApiOperation({ summary: 'The register of processing activities (current versions)' })
  @ApiAnswer(200, 'ProcessingActivityVersion', 'The current version of each activity', { list: true })
  @ApiAuthenticatedProblems()
  activities(): Promise<ActivityVersion[]> {
    return this.register.activities(tenantId());
  }

  @Get('processing-activities/export.json')
  @RequirePermission('register:read')
  @ApiOperation({ summary: 'Register export, JSON' })
  @ApiAnswer(200, 'ProcessingActivityVersion', 'Activity versions', { list: true })
  @ApiAuthenticatedProblems()
  @Header('Content-Disposition', 'attachment; filename="processing-activities.json"')
  exportJson(): Promise<ActivityVersion[]> {
    return this.register.activities(tenantId());
  }

  @Get('processing-activities/export.csv')
  @RequirePermission('register:read')
  @ApiOperation({ summary: 'Register export, CSV (one row per activity)' })
  @ApiDocumentAnswer('text/csv', 'The register as CSV')
  @ApiAuthenticatedProblems()
  async exportCsv(@Res({ passthrough: true }) res: { header(name: string, value: string): unknown }): Promise<string> {
    res.header('Content-Type', 'text/csv; charset=utf-8');
    res.header('Content-Disposition', 'attachment; filename="processing-activities.csv"');
    return activitiesCsv(await this.register.activities(tenantId()));
  }

  @Get('processing-activities/export.html')
  @RequirePermission('register:read')
  @ApiOperation({ summary: 'Register export, print-friendly HTML page' })
  @ApiDocumentAnswer('text/html', 'The register as a printable page')
  @ApiAuthenticatedProblems()
  async exportHtml(@Query() page: DocumentQueryDto, @Res({ passthrough: true }) res: { header(name: string, value: string): unknown }): Promise<string> {
    const options = documentOptions(page);
    res.header('Content-Type', 'text/html; charset=utf-8');
    res.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    return activitiesHtml(tenantId(), await this.register.activities(tenantId()), new Date().toISOString(), options);
  }

  @Post('processing-activities')
  @RequirePermission('register:manage')
  @ApiOperation({ summary: 'Record a processing activity (version 1)' })
  @ApiAnswer(201, 'ProcessingActivityVersion', 'The activity, version 1')
  @ApiAuthenticatedProblems(400)
  create(@Body() body: ActivityDto): Promise<ActivityVersion> {
    return this.register.recordActivity(tenantId(), null, Object.assign({}, body), actor());
  }

  @Put('processing-activities/:activityId')
  @RequirePermission('register:manage')
  @ApiOperation({ summary: 'Revise an activity: a new version; earlier versions stay' })
  @ApiAnswer(200, 'ProcessingActivityVersion', 'The new version')
  @ApiAuthenticatedProblems(400, 404)
  revise(@Param('activityId', ParseUUIDPipe) activityId: string, @Body() body: ActivityDto): Promise<ActivityVersion> {
    return this.register.recordActivity(tenantId(), activityId, Object.assign({}, body), actor());
  }

  @Get('processing-activities/:activityId/versions')
  @RequirePermission('register:read')
  @ApiOperation({ summary: 'Every version of an activity' })
  @ApiAnswer(200, 'ProcessingActivityVersion', 'Activity versions', { list: true })
  @ApiAuthenticatedProblems(400, 404)
  versions(@Param('activityId', ParseUUIDPipe) activityId: string): Promise<ActivityVersion[]> {
    return this.register.activityVersions(tenantId(), activityId);
  }

  @Get('impact-assessments')
  @RequirePermission('register:read')
  @ApiOperation({ summary: 'Personal information protection impact assessments (kept at least 3 years)' })
  @ApiAnswer(200, 'RecordedImpactAssessment', 'Impact assessments', { list: true })
  @ApiAuthenticatedProblems()
  assessments() {
    return this.register.assessments(tenantId());
  }

  @Post('impact-assessments')
  @RequirePermission('register:manage')
  @ApiOperation({ summary: 'Record an impact assessment linked to activities (P5)' })
  @ApiAnswer(201, 'NewImpactAssessment', 'The assessment with its id')
  @ApiAuthenticatedProblems(400)
  assess(@Body() body: AssessmentDto) {
    return this.register.recordAssessment(tenantId(), body, actor());
  }

  @Get('incidents')
  @RequirePermission('register:read')
  @ApiOperation({ summary: 'Security incidents with their 72-hour clock' })
  @ApiAnswer(200, 'Incident', 'Incidents', { list: true })
  @ApiAuthenticatedProblems()
  incidents(): Promise<IncidentView[]> {
    return this.register.incidents(tenantId());
  }

  @Post('incidents')
  @RequirePermission('register:manage')
  @ApiOperation({ summary: 'Register an incident (leak, tampering, loss …): the authority deadline is awareness + 72 h' })
  @ApiAnswer(201, 'Incident', 'The incident')
  @ApiAuthenticatedProblems(400)
  report(@Body() body: IncidentDto): Promise<IncidentView> {
    return this.register.reportIncident(tenantId(), Object.assign({}, body, { occurredAt: body.occurredAt ?? null }), actor());
  }

  @Get('incidents/:incidentId')
  @RequirePermission('register:read')
  @ApiOperation({ summary: 'One incident' })
  @ApiAnswer(200, 'Incident', 'The incident')
  @ApiAuthenticatedProblems(400, 404)
  incident(@Param('incidentId', ParseUUIDPipe) incidentId: string): Promise<IncidentView> {
    return this.register.incident(tenantId(), incidentId);
  }

  @Post('incidents/:incidentId/updates')
  @HttpCode(200)
  @RequirePermission('register:manage')
  @ApiOperation({ summary: 'Record a notification to the authority or the subjects, a remedy, or the closing' })
  @ApiAnswer(200, 'Incident', 'The incident')
  @ApiAuthenticatedProblems(400, 404, 409)
  update(@Param('incidentId', ParseUUIDPipe) incidentId: string, @Body() body: IncidentUpdateDto): Promise<IncidentView> {
    return this.register.updateIncident(tenantId(), incidentId, toUpdate(body), actor());
  }
}
