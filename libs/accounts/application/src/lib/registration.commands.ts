import { createHash, randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { isoDate, refuseUnderage, type Contact, type LicenceEvidence } from '@attest/accounts-domain';
import { DomainError, uuidv7, type Clock } from '@attest/kernel';
import { CLOCK, type CommandContext } from '@attest/security';
import { RunAccountCommand, type AccountCommandResult } from './account.commands';
import {
  ACCOUNT_CONTACTS,
  ACCOUNTS_READ_MODEL,
  IDENTIFIER_CLAIMS,
  ONE_TIME_CODES,
  type AccountContacts,
  type AccountsReadModel,
  type IdentifierClaims,
  type IssuedCode,
  type OneTimeCodes,
} from './ports';

/** Context of a public flow: no credential yet, the account being registered is the actor. */
export type PublicContext = (tenantId: string, accountId: string) => CommandContext;

const taken = (): DomainError => new DomainError('ACCOUNT.IDENTIFIER_TAKEN', 'an account is already registered with these identifiers', 'conflict');

/** A1/A2: an enterprise registers as a legal entity, pending verification by licence. */
export class RegisterEnterpriseCommand extends Command<AccountCommandResult> {
  constructor(
    readonly context: PublicContext,
    readonly tenantId: string,
    readonly legalName: string,
    readonly registrationNumber: string,
    readonly contact: Contact,
    readonly evidence: LicenceEvidence,
  ) {
    super();
  }
}

@CommandHandler(RegisterEnterpriseCommand)
export class RegisterEnterpriseHandler implements ICommandHandler<RegisterEnterpriseCommand, AccountCommandResult> {
  constructor(
    private readonly commands: CommandBus,
    @Inject(IDENTIFIER_CLAIMS) private readonly claims: IdentifierClaims,
  ) {}

  async execute(command: RegisterEnterpriseCommand): Promise<AccountCommandResult> {
    const accountId = uuidv7();
    // A2: the same tenant id or registration number cannot register twice.
    const normalisedNumber = command.registrationNumber.replace(/[\s-]/g, '').toUpperCase();
    if (
      !(await this.claims.claim('tenant-id', command.tenantId, accountId)) ||
      !(await this.claims.claim('registration-number', normalisedNumber, accountId))
    ) {
      await this.claims.release(accountId);
      throw taken();
    }
    try {
      return await this.commands.execute(
        new RunAccountCommand(command.context(command.tenantId, accountId), {
          kind: 'RegisterEnterprise',
          accountId,
          legalName: command.legalName,
          registrationNumber: command.registrationNumber,
          contact: command.contact,
          evidence: command.evidence,
        }),
      );
    } catch (error) {
      await this.claims.release(accountId);
      throw error;
    }
  }
}

/** Sends a one-time code: to a new phone number (registration) or to an account's contact (reactivation, evidence). */
export class SendOneTimeCodeCommand extends Command<IssuedCode & { accountId: string }> {
  constructor(
    readonly purpose: 'registration' | 'reactivation' | 'evidence',
    /** The phone number for registration; the account id otherwise. */
    readonly target: { readonly phone: string } | { readonly accountId: string },
  ) {
    super();
  }
}

@CommandHandler(SendOneTimeCodeCommand)
export class SendOneTimeCodeHandler implements ICommandHandler<SendOneTimeCodeCommand, IssuedCode & { accountId: string }> {
  constructor(
    @Inject(ONE_TIME_CODES) private readonly codes: OneTimeCodes,
    @Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel,
    @Inject(ACCOUNT_CONTACTS) private readonly contacts: AccountContacts,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: SendOneTimeCodeCommand): Promise<IssuedCode & { accountId: string }> {
    const now = this.clock.now();
    if ('phone' in command.target) {
      // The account id is chosen now: the code, its outbox message and later the account share one data subject.
      const accountId = uuidv7();
      const tenantId = personalTenantId(accountId);
      const issued = await this.codes.issue({ purpose: 'registration', accountId, tenantId, target: { phone: command.target.phone, email: null }, now });
      return { ...issued, accountId };
    }
    const accountId = command.target.accountId;
    const account = await this.readModel.find(accountId);
    const expected =
      command.purpose === 'reactivation' ? account?.status === 'restricted' : account?.kind === 'enterprise' && account.verification === 'rejected';
    if (!account || !expected) {
      throw new DomainError('ACCOUNT.CODE_NOT_APPLICABLE', `no ${command.purpose} code can be sent for this account`, 'conflict');
    }
    const contact = await this.contacts.contactOf(accountId);
    if (!contact || (!contact.phone && !contact.email)) throw new DomainError('ACCOUNT.NO_CONTACT', 'the account has no contact to send a code to', 'conflict');
    const issued = await this.codes.issue({ purpose: command.purpose, accountId, tenantId: account.tenantId, target: contact, now });
    return { ...issued, accountId };
  }
}

/** Personal users are tenants of their own: `p-` and the account id's 32 hex digits. */
export function personalTenantId(accountId: string): string {
  return `p-${accountId.replace(/-/g, '')}`;
}

/** A2: the phone number proven by the code registers an adult. */
export class RegisterPersonalUserCommand extends Command<AccountCommandResult> {
  constructor(
    readonly context: PublicContext,
    readonly challengeId: string,
    readonly code: string,
    readonly birthDate: string,
  ) {
    super();
  }
}

@CommandHandler(RegisterPersonalUserCommand)
export class RegisterPersonalUserHandler implements ICommandHandler<RegisterPersonalUserCommand, AccountCommandResult> {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ONE_TIME_CODES) private readonly codes: OneTimeCodes,
    @Inject(IDENTIFIER_CLAIMS) private readonly claims: IdentifierClaims,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RegisterPersonalUserCommand): Promise<AccountCommandResult> {
    const now = this.clock.now();
    // Before the code is spent: an underage birth date must not use up a right code.
    refuseUnderage(command.birthDate, isoDate(now));
    const verified = await this.codes.verify({ purpose: 'registration', challengeId: command.challengeId, code: command.code, now });
    const phone = verified.target.phone;
    if (!phone) throw new DomainError('OTP.INVALID', 'the code is not valid', 'invalid');
    // A2: one account per phone number; repeated registration is refused.
    if (!(await this.claims.claim('phone', phone, verified.accountId))) throw taken();
    try {
      return await this.commands.execute(
        new RunAccountCommand(command.context(verified.tenantId, verified.accountId), {
          kind: 'RegisterPersonalUser',
          accountId: verified.accountId,
          phone,
          birthDate: command.birthDate,
        }),
      );
    } catch (error) {
      await this.claims.release(verified.accountId);
      throw error;
    }
  }
}

/** A7: a restricted account is reactivated by the code sent to its contact; A1: a rejected enterprise resubmits evidence. */
export class ProveWithCodeCommand extends Command<AccountCommandResult> {
  constructor(
    readonly context: PublicContext,
    readonly accountId: string,
    readonly challengeId: string,
    readonly code: string,
    readonly then: { readonly kind: 'reactivate' } | { readonly kind: 'submit-evidence'; readonly evidence: LicenceEvidence },
  ) {
    super();
  }
}

@CommandHandler(ProveWithCodeCommand)
export class ProveWithCodeHandler implements ICommandHandler<ProveWithCodeCommand, AccountCommandResult> {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ONE_TIME_CODES) private readonly codes: OneTimeCodes,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: ProveWithCodeCommand): Promise<AccountCommandResult> {
    const purpose = command.then.kind === 'reactivate' ? 'reactivation' : 'evidence';
    const verified = await this.codes.verify({ purpose, challengeId: command.challengeId, code: command.code, now: this.clock.now() });
    if (verified.accountId !== command.accountId) throw new DomainError('OTP.INVALID', 'the code is not valid', 'invalid');
    const context = command.context(verified.tenantId, verified.accountId);
    return this.commands.execute(
      new RunAccountCommand(
        context,
        command.then.kind === 'reactivate'
          ? { kind: 'Reactivate', accountId: verified.accountId, method: 'one-time-code', note: null }
          : { kind: 'SubmitLicenceEvidence', accountId: verified.accountId, evidence: command.then.evidence },
      ),
    );
  }
}

export interface InvitationRequest {
  readonly departmentId: string | null;
  readonly contact: Contact;
  readonly birthDate: string | null;
  /** A missing reference refuses this entry alone, not the batch (A12). */
  readonly minor: {
    readonly guardian: { readonly name: string; readonly relationship: 'parent' | 'legal-guardian' };
    readonly guardianConsentRef: string | null;
    readonly minorIdentityRef: string | null;
    readonly guardianIdentityRef: string | null;
  } | null;
}

export type InvitationOutcome =
  | { readonly index: number; readonly accountId: string; readonly status: 'invited'; readonly expiresAt: string }
  | { readonly index: number; readonly status: 'refused'; readonly code: string; readonly detail: string };

export const INVITATION_TTL_DAYS = 7;

/** A3/A12: invites end users from a contact list; each entry succeeds or is refused on its own. */
export class InviteEndUsersCommand extends Command<InvitationOutcome[]> {
  constructor(
    readonly context: CommandContext,
    readonly invitations: readonly InvitationRequest[],
  ) {
    super();
  }
}

export const hashInvitationToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

@CommandHandler(InviteEndUsersCommand)
export class InviteEndUsersHandler implements ICommandHandler<InviteEndUsersCommand, InvitationOutcome[]> {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: InviteEndUsersCommand): Promise<InvitationOutcome[]> {
    const departments = new Set((await this.readModel.departments(command.context.tenantId)).map((d) => d.departmentId));
    const outcomes: InvitationOutcome[] = [];
    for (const [index, invitation] of command.invitations.entries()) {
      if (invitation.departmentId !== null && !departments.has(invitation.departmentId)) {
        outcomes.push({ index, status: 'refused', code: 'DEPARTMENT.NOT_FOUND', detail: 'no such department' });
        continue;
      }
      // The same person invited twice would get two accounts: say which one exists, and what to do.
      const [existing] = await this.readModel.openMembersWithContact(command.context.tenantId, {
        email: invitation.contact.email,
        phone: invitation.contact.phone,
      });
      if (existing) {
        outcomes.push(
          existing.status === 'invited'
            ? {
                index,
                status: 'refused',
                code: 'INVITATION.ALREADY_INVITED',
                detail: `this contact already has an open invitation (account ${existing.accountId}); let it be answered, or close it (POST /v1/organization/invitations/${existing.accountId}/expire) once expired and invite again`,
              }
            : {
                index,
                status: 'refused',
                code: 'INVITATION.ALREADY_A_MEMBER',
                detail: `this contact is already a member (account ${existing.accountId}, ${existing.status})`,
              },
        );
        continue;
      }
      const accountId = uuidv7();
      // The token reaches the invitee through the outbox only; the stream keeps it encrypted, the read model its hash.
      const token = randomBytes(24).toString('base64url');
      const now = this.clock.now();
      const expiresAt = new Date(now.getTime() + INVITATION_TTL_DAYS * 86_400_000);
      try {
        await this.commands.execute(
          new RunAccountCommand(
            command.context,
            { kind: 'InviteEndUser', accountId, ...invitation, token, tokenHash: hashInvitationToken(token), expiresAt },
            now,
          ),
        );
        outcomes.push({ index, accountId, status: 'invited', expiresAt: expiresAt.toISOString() });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        outcomes.push({ index, status: 'refused', code: error.code, detail: error.message });
      }
    }
    return outcomes;
  }
}

/** The invitee answers with the token from the invitation. */
export class RespondToInvitationCommand extends Command<AccountCommandResult> {
  constructor(
    readonly context: PublicContext,
    readonly accountId: string,
    readonly token: string,
    readonly answer: 'accept' | 'decline',
  ) {
    super();
  }
}

@CommandHandler(RespondToInvitationCommand)
export class RespondToInvitationHandler implements ICommandHandler<RespondToInvitationCommand, AccountCommandResult> {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel,
  ) {}

  async execute(command: RespondToInvitationCommand): Promise<AccountCommandResult> {
    const account = await this.readModel.find(command.accountId);
    if (account?.kind !== 'member') throw new DomainError('INVITATION.NOT_FOUND', 'no such invitation', 'not_found');
    return this.commands.execute(
      new RunAccountCommand(command.context(account.tenantId, account.accountId), {
        kind: command.answer === 'accept' ? 'AcceptInvitation' : 'DeclineInvitation',
        accountId: account.accountId,
        tokenHash: hashInvitationToken(command.token),
      }),
    );
  }
}

/** A9: an end user leaves the enterprise; approval first when the enterprise requires it. */
export class RequestUnbindingCommand extends Command<AccountCommandResult> {
  constructor(
    readonly context: CommandContext,
    readonly accountId: string,
  ) {
    super();
  }
}

@CommandHandler(RequestUnbindingCommand)
export class RequestUnbindingHandler implements ICommandHandler<RequestUnbindingCommand, AccountCommandResult> {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel,
  ) {}

  async execute(command: RequestUnbindingCommand): Promise<AccountCommandResult> {
    const approvalRequired = await this.readModel.unbindingApprovalRequired(command.context.tenantId);
    return this.commands.execute(new RunAccountCommand(command.context, { kind: 'RequestUnbinding', accountId: command.accountId, approvalRequired }));
  }
}
