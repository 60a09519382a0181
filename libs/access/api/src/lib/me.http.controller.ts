import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsObject, Matches } from 'class-validator';
import { CONSOLE_VIEWS, type ConsoleView, type ConsoleViews } from '@attest/access-application';
import { DomainError, type Clock } from '@attest/kernel';
import { CLOCK } from '@attest/security';
import { ApiAnswer, ApiAuthenticatedProblems, currentPrincipal, RequirePermission } from '@attest/http';

export class MeResponseDto {
  @ApiProperty({ example: 'apiKey:0190…' }) actor!: string;
  @ApiProperty({ example: 'demo' }) tenantId!: string;
  @ApiProperty({ example: ['service'] }) roles!: string[];
  @ApiProperty({ example: ['profile:read', 'event-log:read'] }) permissions!: string[];
  @ApiProperty({ enum: ['api-key', 'jwt', 'session'] }) via!: 'api-key' | 'jwt' | 'session';
}

/** A view's name: letters, digits, spaces and a few marks (it is the person's own label, not personal data of anyone). */
const VIEW_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ,._()-]{0,59}$/u;
/** A console page path such as `/requests` or `/records`. */
const VIEW_PAGE = /^\/[a-z0-9/-]{0,100}$/;

export class ConsoleViewDto {
  @ApiProperty({ example: '/requests', description: 'The console page (path under /console)' }) @Matches(VIEW_PAGE) page!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { urgency: 'at-risk', who: 'all' },
    description: "The page's filters (its address's search parameters)",
  })
  @IsObject()
  search!: Record<string, string>;
}

@ApiTags('access')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(
    @Inject(CONSOLE_VIEWS) private readonly views: ConsoleViews,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @RequirePermission('profile:read')
  @ApiOperation({ summary: 'Who am I: actor, tenant, roles and permissions of the credential' })
  @ApiOkResponse({ type: MeResponseDto })
  @ApiAuthenticatedProblems()
  me(): MeResponseDto {
    const principal = currentPrincipal();
    return {
      actor: principal.actor,
      tenantId: principal.tenantId,
      roles: [...principal.roles],
      permissions: [...principal.permissions].sort(),
      via: principal.via,
    };
  }

  @Get('console-views')
  @RequirePermission('profile:read')
  @ApiOperation({ summary: 'The views you saved in the console (a page and its filters, by name)' })
  @ApiAnswer(200, 'SavedConsoleView', 'Your saved views, by name', { list: true })
  @ApiAuthenticatedProblems()
  listViews(): Promise<ConsoleView[]> {
    const { tenantId, actor } = currentPrincipal();
    return this.views.list(tenantId, actor);
  }

  @Put('console-views/:name')
  @RequirePermission('profile:read')
  @ApiOperation({ summary: 'Save a console view under a name (replaces one of that name); at most 50' })
  @ApiAnswer(200, 'SavedConsoleView', 'The view as saved')
  @ApiAuthenticatedProblems(400, 409)
  saveView(@Param('name') name: string, @Body() body: ConsoleViewDto): Promise<ConsoleView> {
    const { tenantId, actor } = currentPrincipal();
    checkName(name);
    const search = Object.entries(body.search);
    if (search.length > 30 || search.some(([k, v]) => !/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(k) || typeof v !== 'string' || v.length > 500)) {
      throw new DomainError('VALIDATION.FAILED', 'search: at most 30 parameters, names of letters and digits, text values up to 500 characters', 'invalid');
    }
    return this.views.save(tenantId, actor, { name, page: body.page, search: Object.fromEntries(search) }, this.clock.now());
  }

  @Delete('console-views/:name')
  @HttpCode(204)
  @RequirePermission('profile:read')
  @ApiOperation({ summary: 'Remove a saved console view' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiAuthenticatedProblems(400, 404)
  async removeView(@Param('name') name: string): Promise<void> {
    const { tenantId, actor } = currentPrincipal();
    checkName(name);
    if (!(await this.views.remove(tenantId, actor, name))) throw new DomainError('CONSOLE_VIEW.NOT_FOUND', 'no saved view of that name', 'not_found');
  }
}

function checkName(name: string): void {
  if (!VIEW_NAME.test(name)) throw new DomainError('VALIDATION.FAILED', 'name: 1–60 letters, digits, spaces or , . _ ( ) -', 'invalid');
}
