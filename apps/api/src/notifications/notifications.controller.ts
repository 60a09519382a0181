import { CLOCK } from '@attest/security';
import { Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ApiAuthenticatedProblems, ProblemException, RequirePermission } from '@attest/http';
import type { Clock } from '@attest/kernel';
import { OutboxReader, type OutboxEntryView } from '@attest/notifications';

const STATUSES = ['pending', 'delivered', 'dead', 'erased'] as const;

class NotificationsQueryDto {
  @ApiPropertyOptional({ enum: STATUSES, default: 'dead' }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
}

class NotificationDto {
  @ApiProperty() id!: string;
  @ApiProperty() tenantId!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
}

const toDto = (r: OutboxEntryView): NotificationDto => ({
  id: r.id,
  tenantId: r.tenantId,
  kind: r.kind,
  status: r.status,
  attempts: r.attempts,
  lastError: r.lastError,
  createdAt: r.createdAt.toISOString(),
  deliveredAt: r.deliveredAt?.toISOString() ?? null,
});

/** The operator's view of the notification outbox: dead letters, and re-queueing them. Never payloads. */
@ApiTags('platform')
@ApiBearerAuth()
@RequirePermission('platform:operate')
@Controller('v1/platform/notifications')
export class NotificationsController {
  constructor(
    private readonly outbox: OutboxReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Outbox entries by status, newest first; dead letters by default' })
  @ApiOkResponse({ type: NotificationDto, isArray: true })
  @ApiAuthenticatedProblems(400)
  async list(@Query() q: NotificationsQueryDto): Promise<NotificationDto[]> {
    return (await this.outbox.list({ status: q.status ?? 'dead', limit: 200 })).map(toDto);
  }

  @Post(':notificationId/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put a dead letter back in the delivery queue' })
  @ApiOkResponse({ type: NotificationDto })
  @ApiAuthenticatedProblems(400, 404)
  async retry(@Param('notificationId', ParseUUIDPipe) id: string): Promise<NotificationDto> {
    if (!(await this.outbox.retry(id, this.clock.now()))) throw new ProblemException(404, 'NOTIFICATION.NOT_DEAD', 'There is no dead letter with this id.');
    const entry = await this.outbox.get(id);
    if (!entry) throw new ProblemException(404, 'NOTIFICATION.NOT_DEAD', 'There is no dead letter with this id.');
    return toDto(entry);
  }
}
