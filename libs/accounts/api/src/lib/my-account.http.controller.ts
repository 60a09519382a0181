import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiExtension, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetAccountQuery, GetStatusHistoryQuery, RequestUnbindingCommand, RunAccountCommand, type AccountCommandResult } from '@attest/accounts-application';
import { isUuid } from '@attest/kernel';
import { ApiAuthenticatedProblems, commandContext, currentPrincipal, ProblemException, RequirePermission } from '@attest/http';
import { AccountDetailDto, AccountDto, NoteRequestDto, toAccountDto, toHistoryDto, TransferRequestDto } from './accounts.dto';

/** The caller's own account: the OIDC subject of a user token is the account id. */
function myAccountId(): string {
  const principal = currentPrincipal();
  const subject = principal.via === 'jwt' ? principal.actor.slice('user:'.length) : '';
  if (!isUuid(subject)) throw new ProblemException(403, 'ACCOUNT.NOT_AN_ACCOUNT_HOLDER', 'This route is for users signed in to their own Attest account.');
  return subject;
}

function result(r: AccountCommandResult): AccountDto {
  if (!r.account) throw new Error('the account was not projected');
  return toAccountDto(r.account);
}

/** What account holders do themselves: see their status, report theft, cancel or unbind (A4, A6, A9). */
@ApiTags('accounts')
@ApiBearerAuth()
@RequirePermission('account:self')
@Controller('v1/accounts/me')
export class MyAccountController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your account with its status history' })
  @ApiOkResponse({ type: AccountDetailDto })
  @ApiAuthenticatedProblems(404)
  async get(): Promise<AccountDetailDto> {
    const id = myAccountId();
    const { tenantId } = currentPrincipal();
    const account = await this.queries.execute(new GetAccountQuery(tenantId, id));
    const history = await this.queries.execute(new GetStatusHistoryQuery(tenantId, id));
    return Object.assign(toAccountDto(account), { history: history.map(toHistoryDto) });
  }

  @Post('stolen-report')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report your account as stolen: it is suspended at once (A6)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(400, 404, 409)
  async reportStolen(@Body() body: NoteRequestDto): Promise<AccountDto> {
    return result(
      await this.commands.execute(new RunAccountCommand(commandContext(), { kind: 'ReportStolen', accountId: myAccountId(), note: body.note ?? null })),
    );
  }

  @Post('cancellation')
  @HttpCode(200)
  @ApiOperation({ summary: 'Request cancellation of your personal account; refused with the blocking checks (A9)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(404, 409)
  async cancel(): Promise<AccountDto> {
    return result(await this.commands.execute(new RunAccountCommand(commandContext(), { kind: 'RequestCancellation', accountId: myAccountId() })));
  }

  @Post('unbinding')
  @HttpCode(200)
  @ApiOperation({ summary: 'Leave your enterprise; with its approval when it requires one (A9)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiAuthenticatedProblems(404, 409)
  async unbind(): Promise<AccountDto> {
    return result(await this.commands.execute(new RequestUnbindingCommand(commandContext(), myAccountId())));
  }

  @Post('transfer')
  @HttpCode(403)
  @ApiOperation({ summary: 'Accounts are not transferable: always refused, and the attempt is recorded (A4)' })
  @ApiExtension('x-always-refused', true)
  @ApiAuthenticatedProblems(400, 404)
  async transfer(@Body() _body: TransferRequestDto): Promise<never> {
    // The would-be owner is not stored: it may be personal data of someone else.
    await this.commands.execute(new RunAccountCommand(commandContext(), { kind: 'ChangeOwner', accountId: myAccountId() }));
    throw new Error('unreachable: the handler refuses every owner change');
  }
}
