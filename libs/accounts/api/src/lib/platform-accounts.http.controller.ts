import { CLOCK } from '@attest/security';
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import {
  GetAccountQuery,
  GetStatusHistoryQuery,
  ListAccountsQuery,
  RunAccountCommand,
  type AccountAction,
  type AccountCommandResult,
} from '@attest/accounts-application';
import { isoDate } from '@attest/accounts-domain';
import { ApiAuthenticatedProblems, operatorCommandContext, ProblemException, RequirePermission } from '@attest/http';

const required = (field: string): ProblemException =>
  new ProblemException(400, 'VALIDATION.FAILED', `${field} is required for this action.`, {
    errors: [{ field, code: 'isDefined', message: `${field} is required` }],
  });
import { uuidv7, type Clock } from '@attest/kernel';
import {
  AccountDetailDto,
  AccountDto,
  AgreementRequestDto,
  HoldRequestDto,
  ListQueryDto,
  StatusRequestDto,
  toAccountDto,
  toHistoryDto,
  VerificationRequestDto,
} from './accounts.dto';

const KINDS = ['enterprise', 'personal', 'member'] as const;
const STATUSES = ['invited', 'active', 'restricted', 'suspended', 'revoked', 'cancelled', 'unbound', 'invitation-closed'] as const;
class PlatformAccountsQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/) tenantId?: string;
  @ApiPropertyOptional({ enum: KINDS }) @IsOptional() @IsIn(KINDS) kind?: (typeof KINDS)[number];
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ enum: ['pending', 'verified', 'rejected'], description: '`pending` is the verification queue (A1)' })
  @IsOptional()
  @IsIn(['pending', 'verified', 'rejected'])
  verification?: 'pending' | 'verified' | 'rejected';
  @ApiPropertyOptional({ enum: ['true'], description: 'Only accounts with an open cancellation request (A9)' })
  @IsOptional()
  @IsIn(['true'])
  cancellationRequested?: 'true';
}

const account = (r: AccountCommandResult): AccountDto => {
  if (!r.account) throw new Error('the account was not projected');
  return toAccountDto(r.account);
};

/**
 * The platform operator's room: the verification queue (A1), account states
 * (A6), holds and cancellation approvals (A9), business agreements (A10),
 * completion of function-data deletions (A11). Acts across tenants; every event names the operator.
 */
@ApiTags('platform')
@ApiBearerAuth()
@RequirePermission('platform:operate')
@Controller('v1/platform')
export class PlatformAccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async run(accountId: string, action: AccountAction): Promise<AccountDto> {
    const target = await this.queries.execute(new GetAccountQuery(null, accountId));
    return account(await this.commands.execute(new RunAccountCommand(operatorCommandContext(target.tenantId), action)));
  }

  @Get('accounts')
  @ApiOperation({ summary: 'Accounts of every tenant, filtered: the verification queue, open cancellations, by status; paged by `after`' })
  @ApiOkResponse({ type: AccountDto, isArray: true })
  @ApiAuthenticatedProblems(400)
  async list(@Query() q: PlatformAccountsQueryDto): Promise<AccountDto[]> {
    const rows = await this.queries.execute(
      new ListAccountsQuery(q.tenantId ?? null, {
        limit: q.limit ?? 50,
        ...(q.after ? { after: q.after } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.verification ? { verification: q.verification } : {}),
        ...(q.cancellationRequested ? { cancellationRequested: true } : {}),
      }),
    );
    return rows.map(toAccountDto);
  }

  @Get('accounts/:accountId')
  @ApiOperation({ summary: 'One account of any tenant with its status history' })
  @ApiOkResponse({ type: AccountDetailDto })
  @ApiAuthenticatedProblems(400, 404)
  async get(@Param('accountId', ParseUUIDPipe) accountId: string): Promise<AccountDetailDto> {
    const found = await this.queries.execute(new GetAccountQuery(null, accountId));
    const history = await this.queries.execute(new GetStatusHistoryQuery(found.tenantId, accountId));
    return Object.assign(toAccountDto(found), { history: history.map(toHistoryDto) });
  }

  @Post('accounts/:accountId/verification')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify an enterprise by its licence evidence, or reject it with reasons (A1)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  verify(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: VerificationRequestDto): Promise<AccountDto> {
    return this.run(
      accountId,
      body.outcome === 'verified' ? { kind: 'VerifyEnterprise', accountId } : { kind: 'RejectEnterprise', accountId, reasons: body.reasons ?? [] },
    );
  }

  @Post('accounts/:accountId/status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restrict, suspend, revoke or reactivate an account, with a reason (A6, A7)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  status(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: StatusRequestDto): Promise<AccountDto> {
    const note = body.note ?? null;
    switch (body.action) {
      case 'restrict':
        return this.run(accountId, { kind: 'Restrict', accountId, reason: body.reason, note });
      case 'suspend':
        return this.run(accountId, { kind: 'Suspend', accountId, reason: body.reason, note });
      case 'revoke':
        return this.run(accountId, { kind: 'Revoke', accountId, reason: body.reason, note });
      case 'reactivate':
        return this.run(accountId, { kind: 'Reactivate', accountId, method: 'operator', note });
    }
  }

  @Post('accounts/:accountId/holds')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record an open dispute, complaint, authority restriction, unfinished transaction or obligation (A9)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  hold(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: HoldRequestDto): Promise<AccountDto> {
    return this.run(accountId, { kind: 'PlaceHold', accountId, holdId: uuidv7(), holdKind: body.kind, reference: body.reference });
  }

  @Post('accounts/:accountId/holds/:holdId/release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record that a hold is resolved (A9)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  release(@Param('accountId', ParseUUIDPipe) accountId: string, @Param('holdId', ParseUUIDPipe) holdId: string): Promise<AccountDto> {
    return this.run(accountId, { kind: 'ReleaseHold', accountId, holdId });
  }

  @Post('accounts/:accountId/cancellation/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a cancellation request: checks again, then cancels and erases personal data (A8, A9)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  approve(@Param('accountId', ParseUUIDPipe) accountId: string): Promise<AccountDto> {
    return this.run(accountId, { kind: 'ApproveCancellation', accountId });
  }

  @Post('accounts/:accountId/agreement')
  @HttpCode(200)
  @ApiOperation({ summary: "Start, renew, terminate or expire a tenant's business agreement; its end schedules deletion 6 months later (A10)" })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  agreement(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: AgreementRequestDto): Promise<AccountDto> {
    switch (body.action) {
      case 'start':
        if (!body.endsOn) throw required('endsOn');
        return this.run(accountId, {
          kind: 'StartAgreement',
          accountId,
          agreementId: uuidv7(),
          startsOn: body.startsOn ?? isoDate(this.clock.now()),
          endsOn: body.endsOn,
        });
      case 'renew':
        if (!body.endsOn) throw required('endsOn');
        return this.run(accountId, { kind: 'RenewAgreement', accountId, endsOn: body.endsOn });
      case 'terminate':
        return this.run(accountId, { kind: 'TerminateAgreement', accountId });
      case 'expire':
        return this.run(accountId, { kind: 'ExpireAgreement', accountId });
    }
  }

  @Post('accounts/:accountId/function-data-deletions/:requestId/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record that the data of a function was deleted (A11)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  complete(@Param('accountId', ParseUUIDPipe) accountId: string, @Param('requestId', ParseUUIDPipe) requestId: string): Promise<AccountDto> {
    return this.run(accountId, { kind: 'CompleteFunctionDataDeletion', accountId, requestId });
  }
}
