import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ProveWithCodeCommand,
  RegisterEnterpriseCommand,
  RegisterPersonalUserCommand,
  RespondToInvitationCommand,
  SendOneTimeCodeCommand,
  type AccountCommandResult,
} from '@attest/accounts-application';
import { ApiPublicProblems, Public, publicCommandContext } from '@attest/http';
import {
  AccountCodeRequestDto,
  CodeProofDto,
  EvidenceWithCodeRequestDto,
  InvitationTokenDto,
  IssuedCodeDto,
  PhoneCodeRequestDto,
  RegisteredDto,
  RegisterEnterpriseRequestDto,
  RegisterPersonalUserRequestDto,
} from './accounts.dto';
import { PublicFlowGuard } from './public-flow.limiter';

function registered(result: AccountCommandResult): RegisteredDto {
  const account = result.account;
  if (!account) throw new Error('the account was not projected');
  return { accountId: account.accountId, tenantId: account.tenantId, status: account.status, verification: account.verification };
}

/**
 * The flows that run before a credential exists: registration (A1, A2),
 * one-time codes for reactivation (A7) and licence resubmission (A1), and
 * answers to invitations (A3). Limited per client address.
 */
@ApiTags('registration')
@Public()
@UseGuards(PublicFlowGuard)
@Controller('v1')
export class RegistrationsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('registrations/enterprise')
  @ApiOperation({ summary: 'Register an enterprise (tenant) with legal-entity data and licence evidence; pending verification (A1)' })
  @ApiCreatedResponse({ type: RegisteredDto })
  @ApiPublicProblems(400, 409)
  async registerEnterprise(@Body() body: RegisterEnterpriseRequestDto): Promise<RegisteredDto> {
    const contact = { name: body.contact.name, email: body.contact.email ?? null, phone: body.contact.phone ?? null };
    return registered(
      await this.commands.execute(
        new RegisterEnterpriseCommand(publicCommandContext, body.tenantId, body.legalName, body.registrationNumber, contact, body.evidence),
      ),
    );
  }

  @Post('registrations/personal/code')
  @ApiOperation({ summary: 'Send a one-time code to a phone number to register a personal user (A2)' })
  @ApiCreatedResponse({ type: IssuedCodeDto })
  @ApiPublicProblems(400, 409)
  async personalCode(@Body() body: PhoneCodeRequestDto): Promise<IssuedCodeDto> {
    const issued = await this.commands.execute(new SendOneTimeCodeCommand('registration', { phone: body.phone }));
    return { challengeId: issued.challengeId, expiresAt: issued.expiresAt.toISOString() };
  }

  @Post('registrations/personal')
  @ApiOperation({ summary: 'Register a personal user with the code sent to their phone; adults only (A2)' })
  @ApiCreatedResponse({ type: RegisteredDto })
  @ApiPublicProblems(400, 409)
  async registerPersonal(@Body() body: RegisterPersonalUserRequestDto): Promise<RegisteredDto> {
    return registered(await this.commands.execute(new RegisterPersonalUserCommand(publicCommandContext, body.challengeId, body.code, body.birthDate)));
  }

  @Post('accounts/:accountId/codes')
  @ApiOperation({ summary: "Send a one-time code to the account's contact: to reactivate a restricted login (A7) or resubmit licence evidence (A1)" })
  @ApiCreatedResponse({ type: IssuedCodeDto })
  @ApiPublicProblems(400, 409)
  async accountCode(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: AccountCodeRequestDto): Promise<IssuedCodeDto> {
    const issued = await this.commands.execute(new SendOneTimeCodeCommand(body.purpose, { accountId }));
    return { challengeId: issued.challengeId, expiresAt: issued.expiresAt.toISOString() };
  }

  @Post('accounts/:accountId/reactivation')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reactivate a restricted account with the one-time code (A7)' })
  @ApiOkResponse({ type: RegisteredDto })
  @ApiPublicProblems(400, 409)
  async reactivate(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: CodeProofDto): Promise<RegisteredDto> {
    return registered(
      await this.commands.execute(new ProveWithCodeCommand(publicCommandContext, accountId, body.challengeId, body.code, { kind: 'reactivate' })),
    );
  }

  @Post('accounts/:accountId/evidence')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resubmit licence evidence after a rejection, proven by a one-time code (A1)' })
  @ApiOkResponse({ type: RegisteredDto })
  @ApiPublicProblems(400, 409)
  async resubmit(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: EvidenceWithCodeRequestDto): Promise<RegisteredDto> {
    return registered(
      await this.commands.execute(
        new ProveWithCodeCommand(publicCommandContext, accountId, body.challengeId, body.code, { kind: 'submit-evidence', evidence: body.evidence }),
      ),
    );
  }

  @Post('invitations/:accountId/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation with its token (A3)' })
  @ApiOkResponse({ type: RegisteredDto })
  @ApiPublicProblems(400, 403, 404, 409)
  async accept(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: InvitationTokenDto): Promise<RegisteredDto> {
    return registered(await this.commands.execute(new RespondToInvitationCommand(publicCommandContext, accountId, body.token, 'accept')));
  }

  @Post('invitations/:accountId/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline an invitation with its token; the contact data is erased (A3)' })
  @ApiOkResponse({ type: RegisteredDto })
  @ApiPublicProblems(400, 403, 404, 409)
  async decline(@Param('accountId', ParseUUIDPipe) accountId: string, @Body() body: InvitationTokenDto): Promise<RegisteredDto> {
    return registered(await this.commands.execute(new RespondToInvitationCommand(publicCommandContext, accountId, body.token, 'decline')));
  }
}
