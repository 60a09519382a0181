import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import type { DataSource } from 'typeorm';
import { ApiAuthenticatedProblems, currentPrincipal, ProblemException, RequirePermission } from '@attest/http';
import { uuidv7, type Clock } from '@attest/kernel';
import { Outbox, OutboxReader, TenantEndpoints, type OutboxEntryView, type TenantEndpointView } from '@attest/notifications';
import { CLOCK } from '@attest/security';
import { DATA_SOURCE, PLATFORM_RECEIVER } from '../tokens';

const STATUSES = ['pending', 'delivered', 'dead', 'erased'] as const;

export class WebhookEndpointDto {
  @ApiProperty({ example: 'https://crm.example.com/attest-hooks' }) url!: string;
  @ApiProperty({ description: 'When the signing secret was set (shown once then)' }) secretSetAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty() updatedBy!: string;
}

export class WebhookSettingsDto {
  @ApiProperty({ nullable: true, type: WebhookEndpointDto, description: 'Your own endpoint; null: your notices go to the platform’s receiver' })
  endpoint!: WebhookEndpointDto | null;
  @ApiProperty({ description: 'Whether the platform has a receiver of its own (for messages to persons, and your notices without an endpoint)' })
  platformReceiver!: boolean;
}

export class WebhookSecretDto extends WebhookEndpointDto {
  @ApiPropertyOptional({ description: 'The signing secret (HMAC-SHA256, header Attest-Signature). Shown once: on creation and rotation only.' })
  secret?: string;
}

export class SetWebhookRequestDto {
  @ApiProperty({ example: 'https://crm.example.com/attest-hooks', description: 'https; not on a private network' })
  @IsString()
  @MaxLength(2000)
  url!: string;
}

export class WebhookDeliveryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'request-deadline' }) kind!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({
    enum: ['person', 'tenant'],
    description: '`tenant`: a notice for your systems (your endpoint); `person`: a message to a person (the platform’s gateway)',
  })
  audience!: string;
  @ApiProperty({ nullable: true, enum: ['deployment', 'tenant', null], description: 'Where the last attempt went' }) destination!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Why the last attempt failed (status code or error name, never a response body)' })
  lastError!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
}

class DeliveriesQueryDto {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ description: 'Older than this delivery id (the last of the previous page)' }) @IsOptional() @IsUUID() before?: string;
}

const endpointDto = (e: TenantEndpointView): { url: string; secretSetAt: string; updatedAt: string; updatedBy: string } => ({
  url: e.url,
  secretSetAt: e.secretSetAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
  updatedBy: e.updatedBy,
});

const deliveryDto = (r: OutboxEntryView): WebhookDeliveryDto => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  audience: r.audience,
  destination: r.destination,
  attempts: r.attempts,
  lastError: r.lastError,
  createdAt: r.createdAt.toISOString(),
  nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt.toISOString() : null,
  deliveredAt: r.deliveredAt?.toISOString() ?? null,
});

export const DELIVERY_PAGE = 100;

/**
 * An organization's own webhook endpoint (its URL, a signing secret shown once) and the delivery
 * log of its notifications: status, attempts and last error of each (never a payload), a test
 * delivery, and a retry of dead letters.
 */
@ApiTags('organization')
@ApiBearerAuth()
@Controller('v1/organization/webhook')
export class WebhookController {
  constructor(
    private readonly endpoints: TenantEndpoints,
    private readonly reader: OutboxReader,
    private readonly outbox: Outbox,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PLATFORM_RECEIVER) private readonly platformReceiver: boolean,
  ) {}

  @Get()
  @RequirePermission('organization:read')
  @ApiOperation({ summary: 'Your webhook endpoint (never its secret), or null when your notices go to the platform’s receiver' })
  @ApiOkResponse({ type: WebhookSettingsDto })
  @ApiAuthenticatedProblems()
  async get(): Promise<WebhookSettingsDto> {
    const endpoint = await this.endpoints.get(currentPrincipal().tenantId);
    return { endpoint: endpoint ? endpointDto(endpoint) : null, platformReceiver: this.platformReceiver };
  }

  @Put()
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Set your endpoint; a new one gets a signing secret, in this answer only (a changed URL keeps the secret)' })
  @ApiOkResponse({ type: WebhookSecretDto })
  @ApiAuthenticatedProblems(400, 422)
  async set(@Body() body: SetWebhookRequestDto): Promise<WebhookSecretDto> {
    const { tenantId, actor } = currentPrincipal();
    const { endpoint, secret } = await this.endpoints.set(tenantId, body.url.trim(), actor, this.clock.now());
    return { ...endpointDto(endpoint), ...(secret === null ? {} : { secret }) };
  }

  @Post('secret')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'A new signing secret, in this answer only; deliveries are signed with it from now on' })
  @ApiCreatedResponse({ type: WebhookSecretDto })
  @ApiAuthenticatedProblems(404)
  async rotate(): Promise<WebhookSecretDto> {
    const { tenantId, actor } = currentPrincipal();
    const { endpoint, secret } = await this.endpoints.rotateSecret(tenantId, actor, this.clock.now());
    return { ...endpointDto(endpoint), secret };
  }

  @Delete()
  @HttpCode(204)
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Remove your endpoint; your notices go to the platform’s receiver again' })
  @ApiNoContentResponse()
  @ApiAuthenticatedProblems(404)
  async remove(): Promise<void> {
    if (!(await this.endpoints.remove(currentPrincipal().tenantId))) {
      throw new ProblemException(404, 'WEBHOOK.NOT_SET', 'Your organization has no webhook endpoint.');
    }
  }

  @Post('test')
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Queue a `webhook-test` notice to your endpoint; its delivery appears in the log' })
  @ApiCreatedResponse({ type: WebhookDeliveryDto })
  @ApiAuthenticatedProblems(404)
  async test(): Promise<WebhookDeliveryDto> {
    const { tenantId, actor } = currentPrincipal();
    if (!(await this.endpoints.get(tenantId))) throw new ProblemException(404, 'WEBHOOK.NOT_SET', 'Your organization has no webhook endpoint; set one first.');
    const now = this.clock.now();
    const id = await this.dataSource.transaction((m) =>
      this.outbox.enqueue(
        m,
        {
          sourceKey: `webhook-test:${uuidv7(now.getTime())}`,
          tenantId,
          subjectId: `tenant:${tenantId}`,
          kind: 'webhook-test',
          payload: { tenantId, requestedBy: actor, requestedAt: now.toISOString() },
        },
        now,
      ),
    );
    const entry = id === null ? null : await this.reader.get(id);
    if (!entry) throw new Error('the test notice was not queued');
    return deliveryDto(entry);
  }

  @Get('deliveries')
  @RequirePermission('organization:read')
  @ApiOperation({ summary: 'Your notifications’ deliveries, newest first, 100 a page (status, attempts, last error; never a payload)' })
  @ApiOkResponse({ type: WebhookDeliveryDto, isArray: true })
  @ApiAuthenticatedProblems(400)
  async deliveries(@Query() q: DeliveriesQueryDto): Promise<WebhookDeliveryDto[]> {
    const rows = await this.reader.list({
      tenantId: currentPrincipal().tenantId,
      limit: DELIVERY_PAGE,
      ...(q.status ? { status: q.status } : {}),
      ...(q.before ? { before: q.before } : {}),
    });
    return rows.map(deliveryDto);
  }

  @Post('deliveries/:deliveryId/retry')
  @HttpCode(200)
  @RequirePermission('organization:manage')
  @ApiOperation({ summary: 'Put a dead letter of yours back in the delivery queue' })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  @ApiAuthenticatedProblems(400, 404)
  async retry(@Param('deliveryId', ParseUUIDPipe) id: string): Promise<WebhookDeliveryDto> {
    const tenantId = currentPrincipal().tenantId;
    if (!(await this.reader.retry(id, this.clock.now(), tenantId))) {
      throw new ProblemException(404, 'NOTIFICATION.NOT_DEAD', 'You have no dead letter with this id.');
    }
    const entry = await this.reader.get(id);
    if (!entry) throw new ProblemException(404, 'NOTIFICATION.NOT_DEAD', 'You have no dead letter with this id.');
    return deliveryDto(entry);
  }
}
