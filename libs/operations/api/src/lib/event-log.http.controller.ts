import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticatedProblems, currentPrincipal, RequirePermission } from '@attest/http';
import { EventLogStatsReader } from '@attest/operations-event-log-stats';

export class EventLogStatDto {
  @ApiProperty({ example: 'ApiKeyIssued.v1' }) eventType!: string;
  @ApiProperty() events!: number;
  @ApiProperty() firstRecordedAt!: string;
  @ApiProperty() lastRecordedAt!: string;
}

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/event-log')
export class EventLogController {
  constructor(@Inject(EventLogStatsReader) private readonly reader: EventLogStatsReader) {}

  @Get('stats')
  @RequirePermission('event-log:read')
  @ApiOperation({ summary: 'Events recorded for your tenant, by type' })
  @ApiOkResponse({ type: [EventLogStatDto] })
  @ApiAuthenticatedProblems()
  async stats(): Promise<EventLogStatDto[]> {
    return (await this.reader.forTenant(currentPrincipal().tenantId)).map((r) => ({
      eventType: r.eventType,
      events: r.events,
      firstRecordedAt: r.firstRecordedAt.toISOString(),
      lastRecordedAt: r.lastRecordedAt.toISOString(),
    }));
  }
}
