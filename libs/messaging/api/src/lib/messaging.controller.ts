import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  IsObject,
  ArrayMinSize,
} from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiAnswer,
  ApiDocumentAnswer,
  ApiAuthenticatedProblems,
  ApiPublicProblems,
  commandContext,
  currentPrincipal,
  ProblemException,
  Public,
  RequirePermission,
} from '@attest/http';
import { DomainError } from '@attest/kernel';
import {
  MESSAGE_LOG,
  MESSAGING_NUMBERS,
  MESSAGING_READ_MODEL,
  MessagingService,
  WHATSAPP_INTAKE,
  type CampaignView,
  type GateSummary,
  type MessageLog,
  type MessageState,
  type MessageView,
  type MessagingNumbers,
  type MessagingReadModel,
  type MessagingSettingsView,
  type NumberView,
  type StatsRow,
  type TemplateView,
  type WhatsAppIntake,
} from '@attest/messaging-application';
import { MAX_CAMPAIGN_RECIPIENTS } from '@attest/messaging-domain';
import type { WhatsAppNumber, WhatsAppWebhookReceipt } from './messaging.responses';

const MESSAGE_STATES: readonly MessageState[] = [
  'blocked',
  'queued',
  'held',
  'sending',
  'accepted',
  'in-doubt',
  'sent',
  'delivered',
  'read',
  'failed',
  'cancelled',
];
const CAMPAIGN_STATES = ['draft', 'running', 'paused', 'cancelled'] as const;
const PAGE = 100;
const tenantId = (): string => currentPrincipal().tenantId;
const webhookPath = (bindingId: string): string => `/v1/whatsapp/webhooks/${bindingId}`;
const numberDto = (n: NumberView): WhatsAppNumber => ({ ...n, configuredAt: n.configuredAt.toISOString(), webhookPath: webhookPath(n.bindingId) });

export class ConfigureNumberDto {
  @ApiProperty({ example: 'https://graph.facebook.com', description: 'The Cloud API base URL (the local stand-in: http://127.0.0.1:4020)' })
  @IsString()
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, { message: 'baseUrl must be an origin such as https://graph.facebook.com' })
  baseUrl!: string;
  @ApiProperty({ example: 'v23.0' }) @IsString() @Matches(/^v\d+\.\d+$/) version!: string;
  @ApiProperty({ example: '100000000000001', description: 'The business phone number id (not the number)' })
  @IsString()
  @Matches(/^\d{1,32}$/)
  phoneNumberId!: string;
  @ApiProperty({ example: '200000000000001', description: 'The WhatsApp Business Account id' }) @IsString() @Matches(/^\d{1,32}$/) businessAccountId!: string;
  @ApiPropertyOptional({ example: 80, description: 'Messages per second (Meta’s default is 80)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  ratePerSecond?: number;
  @ApiPropertyOptional({ description: 'A system user access token; sealed at rest, never answered. Required the first time.' })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(2000)
  accessToken?: string;
  @ApiPropertyOptional({ description: 'The Meta app’s secret (webhook signatures); sealed, never answered. Required the first time.' })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(500)
  appSecret?: string;
  @ApiPropertyOptional({ description: 'The token Meta echoes in the webhook handshake; sealed, never answered. Required the first time.' })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(500)
  verifyToken?: string;
}

export class MapTemplateDto {
  @ApiProperty({ example: 'newsletter', description: 'A purpose of your register (a MARKETING template: legal basis consent, channel whatsapp)' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  purposeKey!: string;
}

class CampaignFilterDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) purpose?: string;
  @ApiPropertyOptional({ enum: ['granted', 'withdrawn', 'none'] }) @IsOptional() @IsIn(['granted', 'withdrawn', 'none']) consentStatus?:
    'granted' | 'withdrawn' | 'none';
}

export class CreateCampaignDto {
  @ApiProperty({ example: 'December offers' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() bindingId!: string;
  @ApiProperty({ example: '1234567890123456' }) @IsString() @Matches(/^\d{1,32}$/) templateId!: string;
  @ApiProperty({ type: [String], description: 'The template’s body parameters, in order ({{1}}, {{2}} …)' })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(1000, { each: true })
  parameters!: string[];
  @ApiPropertyOptional({ type: [String], description: `Customer ids (up to ${String(MAX_CAMPAIGN_RECIPIENTS)}); or give a filter` })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CAMPAIGN_RECIPIENTS)
  @IsUUID('all', { each: true })
  customerIds?: string[];
  @ApiPropertyOptional({ type: CampaignFilterDto, description: 'A saved filter of the customer list, resolved when the campaign is created' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CampaignFilterDto)
  filter?: CampaignFilterDto;
}

export class CampaignActionDto {
  @ApiPropertyOptional({ example: 'wrong offer' }) @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class SendMessageDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() bindingId!: string;
  @ApiProperty({ example: '1234567890123456' }) @IsString() @Matches(/^\d{1,32}$/) templateId!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() customerId!: string;
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(1000, { each: true }) parameters!: string[];
}

class QuietHoursDto {
  @ApiProperty({ example: '21:00' }) @Matches(/^([01]\d|2[0-3]):[0-5]\d$/) from!: string;
  @ApiProperty({ example: '08:00' }) @Matches(/^([01]\d|2[0-3]):[0-5]\d$/) to!: string;
}

export class MessagingSettingsDto {
  @ApiProperty({ nullable: true, type: Number, example: 4, description: 'Marketing messages per subject within the window; null: no cap' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  marketingCap!: number | null;
  @ApiProperty({ example: 7 }) @IsInt() @Min(1) @Max(365) frequencyWindowDays!: number;
  @ApiProperty({ nullable: true, type: QuietHoursDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours!: QuietHoursDto | null;
  @ApiProperty({ example: 'Asia/Shanghai', description: 'The zone of quiet hours when a recipient’s own is not known' })
  @IsString()
  @MaxLength(64)
  defaultZone!: string;
  @ApiProperty({ example: { en: ['UNSUBSCRIBE'] }, description: 'Stop words per language, added to the defaults' }) @IsObject() stopKeywords!: Record<
    string,
    string[]
  >;
  @ApiProperty({ example: 'Meta Platforms' }) @IsString() @MinLength(1) @MaxLength(200) thirdParty!: string;
  @ApiProperty({ nullable: true, type: String, example: 'US', description: 'ISO 3166 alpha-2; null: no cross-border transfer is asked' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/)
  transferCountry!: string | null;
  @ApiProperty({ example: 400 }) @IsInt() @Min(30) @Max(3650) logRetentionDays!: number;
}

class MessagesQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() campaignId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ enum: MESSAGE_STATES }) @IsOptional() @IsIn(MESSAGE_STATES) state?: MessageState;
  @ApiPropertyOptional({ description: 'A phone number (found by its keyed hash; never stored)' }) @IsOptional() @IsString() @MaxLength(40) phone?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Older than this message id (the last of the previous page)' }) @IsOptional() @IsUUID() after?: string;
}

class CampaignsQueryDto {
  @ApiPropertyOptional({ enum: CAMPAIGN_STATES }) @IsOptional() @IsIn(CAMPAIGN_STATES) status?: (typeof CAMPAIGN_STATES)[number];
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() after?: string;
}

class StatsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() campaignId?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{1,32}$/) templateId?: string;
  @ApiPropertyOptional({ example: '2026-12-01' }) @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) from?: string;
  @ApiPropertyOptional({ example: '2026-12-31' }) @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) to?: string;
}

class TemplatesQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() bindingId?: string;
}

/** P7, K8: bound numbers, templates, campaigns, single sends, the message log and statistics. */
@ApiTags('whatsapp')
@ApiBearerAuth()
@Controller('v1/whatsapp')
export class WhatsAppController {
  constructor(
    private readonly messaging: MessagingService,
    @Inject(MESSAGING_NUMBERS) private readonly numbers: MessagingNumbers,
    @Inject(MESSAGING_READ_MODEL) private readonly readModel: MessagingReadModel,
    @Inject(MESSAGE_LOG) private readonly log: MessageLog,
  ) {}

  @Get('numbers')
  @RequirePermission('messaging:read')
  @ApiOperation({ summary: 'Your bound WhatsApp numbers with Cloud API settings (never their secrets)' })
  @ApiAnswer(200, 'WhatsAppNumber', 'Per number: ids, base URL, version, rate, webhook path', { list: true })
  @ApiAuthenticatedProblems()
  async listNumbers(): Promise<WhatsAppNumber[]> {
    return (await this.numbers.list(tenantId())).map(numberDto);
  }

  @Put('numbers/:bindingId')
  @RequirePermission('messaging:manage')
  @ApiOperation({ summary: 'Configure a bound number for the Cloud API (its secrets are sealed and never answered)' })
  @ApiAnswer(200, 'WhatsAppNumber', 'The number’s settings')
  @ApiAuthenticatedProblems(400, 404, 409)
  async configureNumber(@Param('bindingId', new ParseUUIDPipe()) bindingId: string, @Body() body: ConfigureNumberDto): Promise<WhatsAppNumber> {
    const secrets = {
      ...(body.accessToken !== undefined ? { accessToken: body.accessToken } : {}),
      ...(body.appSecret !== undefined ? { appSecret: body.appSecret } : {}),
      ...(body.verifyToken !== undefined ? { verifyToken: body.verifyToken } : {}),
    };
    const view = await this.messaging.configureNumber(
      commandContext(),
      bindingId,
      {
        baseUrl: body.baseUrl.replace(/\/+$/, ''),
        version: body.version,
        phoneNumberId: body.phoneNumberId,
        businessAccountId: body.businessAccountId,
        ratePerSecond: body.ratePerSecond ?? 80,
      },
      secrets,
    );
    return numberDto(view);
  }

  @Delete('numbers/:bindingId')
  @HttpCode(204)
  @RequirePermission('messaging:manage')
  @ApiOperation({ summary: 'Forget a number’s Cloud API settings and destroy its secrets (the binding stays)' })
  @ApiNoContentResponse()
  @ApiAuthenticatedProblems(404)
  async removeNumber(@Param('bindingId', new ParseUUIDPipe()) bindingId: string): Promise<void> {
    if (!(await this.numbers.remove(tenantId(), bindingId)))
      throw new DomainError('WHATSAPP.NUMBER_NOT_CONFIGURED', 'this number has no Cloud API settings', 'not_found');
  }

  @Post('numbers/:bindingId/templates/sync')
  @HttpCode(200)
  @RequirePermission('messaging:manage')
  @ApiOperation({ summary: 'Read the number’s templates from Meta and record what changed' })
  @ApiAnswer(200, 'WhatsAppTemplate', 'The number’s templates after the sync', { list: true })
  @ApiAuthenticatedProblems(404, 502)
  async syncTemplates(@Param('bindingId', new ParseUUIDPipe()) bindingId: string): Promise<TemplateView[]> {
    try {
      return await this.messaging.syncTemplates(commandContext(), bindingId);
    } catch (error) {
      if (error instanceof Error && error.name === 'CloudApiError') {
        throw new ProblemException(502, 'WHATSAPP.CLOUD_API_UNAVAILABLE', `the Cloud API did not give the template list: ${error.message}`);
      }
      throw error;
    }
  }

  @Get('templates')
  @RequirePermission('messaging:read')
  @ApiOperation({ summary: 'Templates of your numbers, with their purpose and whether they can be sent' })
  @ApiAnswer(200, 'WhatsAppTemplate', 'Templates', { list: true })
  @ApiAuthenticatedProblems(400)
  templates(@Query() query: TemplatesQueryDto): Promise<TemplateView[]> {
    return this.readModel.templates(tenantId(), query.bindingId ?? null);
  }

  @Put('numbers/:bindingId/templates/:templateId/purpose')
  @RequirePermission('messaging:manage')
  @ApiOperation({ summary: 'Map a template to a purpose of your register (a MARKETING template only to consent on whatsapp)' })
  @ApiAnswer(200, 'WhatsAppTemplate', 'The template')
  @ApiAuthenticatedProblems(400, 404, 409)
  mapTemplate(
    @Param('bindingId', new ParseUUIDPipe()) bindingId: string,
    @Param('templateId') templateId: string,
    @Body() body: MapTemplateDto,
  ): Promise<TemplateView> {
    if (!/^\d{1,32}$/.test(templateId)) throw new ProblemException(400, 'TEMPLATE.ID_INVALID', 'a template id is the number Meta gave it');
    return this.messaging.mapTemplate(commandContext(), bindingId, templateId, body.purposeKey);
  }

  @Get('settings')
  @RequirePermission('messaging:read')
  @ApiOperation({ summary: 'Your messaging rules: frequency cap, quiet hours, stop words, provider and transfer country, log retention' })
  @ApiAnswer(200, 'WhatsAppSettings', 'The rules (defaults until set)')
  @ApiAuthenticatedProblems()
  settings(): Promise<MessagingSettingsView> {
    return this.messaging.getSettings(tenantId());
  }

  @Put('settings')
  @RequirePermission('messaging:manage')
  @ApiOperation({ summary: 'Set your messaging rules' })
  @ApiAnswer(200, 'WhatsAppSettings', 'The rules')
  @ApiAuthenticatedProblems(400)
  async setSettings(@Body() body: MessagingSettingsDto): Promise<MessagingSettingsView> {
    if (body.quietHours && body.quietHours.from === body.quietHours.to)
      throw new ProblemException(400, 'MESSAGING.QUIET_HOURS', 'quiet hours start and end at different times');
    try {
      new Intl.DateTimeFormat('en', { timeZone: body.defaultZone });
    } catch {
      throw new ProblemException(400, 'MESSAGING.ZONE', 'defaultZone is not an IANA time zone (e.g. Asia/Shanghai)');
    }
    const stopKeywords: Record<string, string[]> = {};
    for (const [language, words] of Object.entries(body.stopKeywords)) {
      if (
        !/^[a-z]{2,3}(-[A-Z]{2})?$/.test(language) ||
        !Array.isArray(words) ||
        words.length > 50 ||
        !words.every((w) => typeof w === 'string' && w.trim() !== '' && w.length <= 40)
      ) {
        throw new ProblemException(400, 'MESSAGING.STOP_KEYWORDS', 'stopKeywords maps a language code to up to 50 words of at most 40 characters');
      }
      stopKeywords[language] = words.map((w) => w.trim());
    }
    return this.messaging.setSettings(commandContext(), {
      marketingCap: body.marketingCap ?? null,
      frequencyWindowDays: body.frequencyWindowDays,
      quietHours: body.quietHours ? { from: body.quietHours.from, to: body.quietHours.to } : null,
      defaultZone: body.defaultZone,
      stopKeywords,
      thirdParty: body.thirdParty,
      transferCountry: body.transferCountry ?? null,
      logRetentionDays: body.logRetentionDays,
    });
  }

  @Post('campaigns')
  @RequirePermission('messaging:send')
  @ApiOperation({ summary: `Create a group send (a draft) over customer ids or a saved filter, up to ${String(MAX_CAMPAIGN_RECIPIENTS)} recipients` })
  @ApiAnswer(201, 'WhatsAppCampaign', 'The draft campaign')
  @ApiAuthenticatedProblems(400, 404)
  createCampaign(@Body() body: CreateCampaignDto): Promise<CampaignView> {
    if ((body.customerIds === undefined) === (body.filter === undefined)) {
      throw new ProblemException(400, 'CAMPAIGN.RECIPIENTS', 'give either customerIds or a filter');
    }
    return this.messaging.createCampaign(commandContext(), {
      name: body.name,
      bindingId: body.bindingId,
      templateId: body.templateId,
      parameters: body.parameters,
      ...(body.customerIds ? { customerIds: body.customerIds } : {}),
      ...(body.filter
        ? {
            filter: {
              ...(body.filter.tag !== undefined ? { tag: body.filter.tag } : {}),
              ...(body.filter.purpose !== undefined ? { purpose: body.filter.purpose } : {}),
              ...(body.filter.consentStatus !== undefined ? { consentStatus: body.filter.consentStatus } : {}),
            },
          }
        : {}),
    });
  }

  @Get('campaigns')
  @RequirePermission('messaging:read')
  @ApiOperation({ summary: 'Your campaigns, newest first, 100 per page' })
  @ApiAnswer(200, 'WhatsAppCampaign', 'Campaigns', { list: true })
  @ApiAuthenticatedProblems(400)
  campaigns(@Query() query: CampaignsQueryDto): Promise<CampaignView[]> {
    return this.readModel.campaigns(tenantId(), {
      ...(query.status ? { status: query.status } : {}),
      ...(query.after ? { after: query.after } : {}),
      limit: PAGE,
    });
  }

  @Get('campaigns/:campaignId')
  @RequirePermission('messaging:read')
  @ApiOperation({ summary: 'One campaign: its state and, once started, how many were queued and blocked by reason' })
  @ApiAnswer(200, 'WhatsAppCampaign', 'The campaign')
  @ApiAuthenticatedProblems(404)
  campaign(@Param('campaignId', new ParseUUIDPipe()) campaignId: string): Promise<CampaignView> {
    return this.messaging.campaign(tenantId(), campaignId);
  }

  @Post('campaigns/:campaignId/preview')
  @HttpCode(200)
  @RequirePermission('messaging:send')
  @ApiOperation({ summary: 'Who would be blocked and why, before sending (the decisions are made and recorded; nothing is queued)' })
  @ApiAnswer(200, 'WhatsAppGateSummary', 'Counts by step and reason, and the first blocked recipients')
  @ApiAuthenticatedProblems(404, 409)
  preview(@Param('campaignId', new ParseUUIDPipe()) campaignId: string): Promise<GateSummary> {
    return this.messaging.previewCampaign(commandContext(), campaignId);
  }

  @Post('campaigns/:campaignId/start')
  @HttpCode(200)
  @RequirePermission('messaging:send')
  @ApiOperation({ summary: 'Gate every recipient and queue the allowed ones; the dispatcher sends them at the number’s rate' })
  @ApiAnswer(200, 'WhatsAppCampaign', 'The running campaign')
  @ApiAuthenticatedProblems(404, 409)
  start(@Param('campaignId', new ParseUUIDPipe()) campaignId: string): Promise<CampaignView> {
    return this.messaging.startCampaign(commandContext(), campaignId);
  }

  @Post('campaigns/:campaignId/pause')
  @HttpCode(200)
  @RequirePermission('messaging:send')
  @ApiOperation({ summary: 'Hold the campaign’s unsent messages' })
  @ApiAnswer(200, 'WhatsAppCampaign', 'The paused campaign')
  @ApiAuthenticatedProblems(400, 404, 409)
  pause(@Param('campaignId', new ParseUUIDPipe()) campaignId: string, @Body() body: CampaignActionDto): Promise<CampaignView> {
    return this.messaging.pauseCampaign(commandContext(), campaignId, body.reason ?? null);
  }

  @Post('campaigns/:campaignId/resume')
  @HttpCode(200)
  @RequirePermission('messaging:send')
  @ApiOperation({ summary: 'Release a paused campaign’s messages again' })
  @ApiAnswer(200, 'WhatsAppCampaign', 'The running campaign')
  @ApiAuthenticatedProblems(404, 409)
  resume(@Param('campaignId', new ParseUUIDPipe()) campaignId: string): Promise<CampaignView> {
    return this.messaging.resumeCampaign(commandContext(), campaignId);
  }

  @Post('campaigns/:campaignId/cancel')
  @HttpCode(200)
  @RequirePermission('messaging:send')
  @ApiOperation({ summary: 'Cancel the campaign: its unsent messages are never sent' })
  @ApiAnswer(200, 'WhatsAppCampaign', 'The cancelled campaign')
  @ApiAuthenticatedProblems(400, 404, 409)
  cancel(@Param('campaignId', new ParseUUIDPipe()) campaignId: string, @Body() body: CampaignActionDto): Promise<CampaignView> {
    return this.messaging.cancelCampaign(commandContext(), campaignId, body.reason ?? null);
  }

  @Post('messages')
  @RequirePermission('messaging:send')
  @ApiOperation({ summary: 'One template message to one customer, through the same gate as a campaign (blocked ones are answered with why)' })
  @ApiAnswer(201, 'WhatsAppMessage', 'The message: queued, or blocked with its step and reasons')
  @ApiAuthenticatedProblems(400, 404, 409)
  send(@Body() body: SendMessageDto): Promise<MessageView> {
    return this.messaging.send(commandContext(), body);
  }

  @Get('messages')
  @RequirePermission('messaging:read')
  @ApiOperation({ summary: 'The message log, newest first, 100 per page: states and times, never content or number' })
  @ApiAnswer(200, 'WhatsAppMessage', 'Messages', { list: true })
  @ApiAuthenticatedProblems(400)
  messages(@Query() query: MessagesQueryDto): Promise<MessageView[]> {
    return this.log.messages(tenantId(), {
      ...(query.campaignId !== undefined ? { campaignId: query.campaignId } : {}),
      ...(query.customerId !== undefined ? { customerId: query.customerId } : {}),
      ...(query.state !== undefined ? { state: query.state } : {}),
      ...(query.phone !== undefined ? { phone: query.phone } : {}),
      ...(query.after !== undefined ? { after: query.after } : {}),
      limit: PAGE,
    });
  }

  @Get('messages/:messageId')
  @RequirePermission('messaging:read')
  @ApiOperation({ summary: 'One message of the log' })
  @ApiAnswer(200, 'WhatsAppMessage', 'The message')
  @ApiAuthenticatedProblems(404)
  async message(@Param('messageId', new ParseUUIDPipe()) messageId: string): Promise<MessageView> {
    const found = await this.log.message(tenantId(), messageId);
    if (!found) throw new DomainError('MESSAGE.NOT_FOUND', 'no such message', 'not_found');
    return found;
  }

  @Get('statistics')
  @RequirePermission('messaging:read')
  @ApiOperation({ summary: 'Per day, campaign and template: requested, blocked by reason, queued, sent, delivered, read, failed by code (no personal data)' })
  @ApiAnswer(200, 'WhatsAppStatistic', 'Counts', { list: true })
  @ApiAuthenticatedProblems(400)
  statistics(@Query() query: StatsQueryDto): Promise<StatsRow[]> {
    return this.log.stats(tenantId(), query);
  }
}

/** Meta's webhooks for a bound number: the GET handshake and signed POSTs (ADR 0015, 9). */
@ApiTags('whatsapp')
@Controller('v1/whatsapp/webhooks')
export class WhatsAppWebhookController {
  constructor(@Inject(WHATSAPP_INTAKE) private readonly intake: WhatsAppIntake) {}

  @Get(':bindingId')
  @Public()
  @ApiOperation({ summary: 'The webhook verification handshake: answers hub.challenge when hub.verify_token is the number’s' })
  @ApiDocumentAnswer('text/plain', 'The challenge, echoed')
  @ApiPublicProblems(403, 404)
  async handshake(
    @Param('bindingId', new ParseUUIDPipe()) bindingId: string,
    @Query() query: Record<string, unknown>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const answer = await this.intake.handshake(bindingId, query);
    if (answer.status !== 200)
      throw new ProblemException(answer.status, answer.status === 404 ? 'WHATSAPP.NUMBER_NOT_CONFIGURED' : 'WHATSAPP.VERIFY_TOKEN', answer.body);
    await reply.status(200).header('content-type', 'text/plain; charset=utf-8').send(answer.body);
  }

  @Post(':bindingId')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Statuses, inbound messages, template status changes and user preferences, signed by Meta (X-Hub-Signature-256)' })
  @ApiAnswer(200, 'WhatsAppWebhookReceipt', 'How many notifications were applied and skipped')
  @ApiPublicProblems(401, 404, 503)
  async receive(
    @Param('bindingId', new ParseUUIDPipe()) bindingId: string,
    @Req() request: FastifyRequest,
    @Headers('x-hub-signature-256') signature: string | undefined,
  ): Promise<WhatsAppWebhookReceipt> {
    const raw = (request as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    const result = await this.intake.receive(bindingId, raw, signature);
    if (result.outcome === 'unknown-number') throw new ProblemException(404, 'WHATSAPP.NUMBER_NOT_CONFIGURED', 'no number is configured under this id');
    if (result.outcome === 'refused')
      throw new ProblemException(401, 'WHATSAPP.SIGNATURE_INVALID', 'the X-Hub-Signature-256 header does not sign this body with the number’s app secret');
    if (result.outcome === 'retry-later')
      throw new ProblemException(
        503,
        'WHATSAPP.SEND_NOT_RECORDED_YET',
        'a status arrived for a message whose send is still being recorded; the rest of the webhook was applied; deliver it again',
      );
    return { applied: result.applied, skipped: result.skipped };
  }
}
