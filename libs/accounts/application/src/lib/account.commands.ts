import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { IssuerChange } from '@attest/access-application';
import { accountDecider, accountStreamId, type AccountCommand, type AccountEvent } from '@attest/accounts-domain';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import { DomainError, type Clock } from '@attest/kernel';
import { CLOCK, metadataFor, type CommandContext } from '@attest/security';
import {
  ACCOUNTS_PROJECTOR,
  ACCOUNTS_READ_MODEL,
  ISSUED_KEYS,
  SUBJECT_ERASER,
  type AccountsProjector,
  type IssuedKeys,
  type AccountsReadModel,
  type AccountView,
  type SubjectEraser,
} from './ports';

/** A domain command without the fields the handler fills in (tenant, actor, time). */
export type AccountAction = AccountCommand extends infer C ? (C extends AccountCommand ? Omit<C, 'tenantId' | 'actor' | 'now'> : never) : never;

export interface AccountCommandResult {
  readonly events: readonly AccountEvent['type'][];
  readonly account: AccountView | null;
}

/**
 * Runs one account command: load the stream, decide, append with the
 * revision read, project the new events at once. Closing events erase the
 * account's personal data (crypto-shredding, A8/A9); the refused owner change
 * is recorded and then answered as a refusal (A4).
 */
export class RunAccountCommand extends Command<AccountCommandResult> {
  constructor(
    readonly context: CommandContext,
    readonly action: AccountAction,
    /** When the command runs; by default the handler's clock. */
    readonly now?: Date,
  ) {
    super();
  }
}

const ERASING: ReadonlySet<AccountEvent['type']> = new Set(['AccountCancelled.v1', 'MemberUnbound.v1', 'InvitationDeclined.v1', 'InvitationExpired.v1']);

/** A person who stops being able to act for the tenant takes the API keys they issued with them (A3, A6). */
const ISSUER_ENDS: ReadonlyMap<AccountEvent['type'], IssuerChange> = new Map<AccountEvent['type'], IssuerChange>([
  ['MemberUnbound.v1', 'issuer-unbound'],
  ['AccountSuspended.v1', 'issuer-suspended'],
  ['AccountReportedStolen.v1', 'issuer-suspended'],
  ['AccountRevoked.v1', 'issuer-revoked'],
  ['AccountCancelled.v1', 'issuer-cancelled'],
]);

@CommandHandler(RunAccountCommand)
export class RunAccountCommandHandler implements ICommandHandler<RunAccountCommand, AccountCommandResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCOUNTS_PROJECTOR) private readonly projector: AccountsProjector,
    @Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel,
    @Inject(SUBJECT_ERASER) private readonly eraser: SubjectEraser,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ISSUED_KEYS) private readonly issuedKeys: IssuedKeys,
  ) {}

  async execute(command: RunAccountCommand): Promise<AccountCommandResult> {
    const { context } = command;
    const now = command.now ?? this.clock.now();
    const domainCommand = { ...command.action, tenantId: context.tenantId, actor: context.actor, now } as AccountCommand;
    const streamId = accountStreamId(domainCommand.accountId);
    const result = await handleWithDecider(this.store, accountDecider, streamId, domainCommand, metadataFor(context, now), {
      // The keys the person issued are revoked before the change is recorded: if that fails, nothing is
      // written and the command can be retried, instead of a suspended person whose keys still work.
      // (Should the append then lose a race, the keys are gone and the account unchanged: it fails closed.)
      beforeAppend: async (events) => {
        const ended = events.map((e) => ISSUER_ENDS.get(e.type)).find((r) => r !== undefined);
        if (!ended) return;
        // Keys are the tenant's: revoked there, each with an event naming why.
        const account = await this.readModel.find(domainCommand.accountId);
        await this.issuedKeys.revokeIssuedBy({ ...context, tenantId: account?.tenantId ?? context.tenantId }, domainCommand.accountId, ended);
      },
    });
    if (result.events.length > 0) await this.projector.projectStream(streamId);
    const closing = result.events.find((e) => ERASING.has(e.type));
    if (closing) {
      // The events are committed; now the personal data they and the read models hold becomes unreadable everywhere.
      await this.eraser.erase(domainCommand.accountId, closing.type);
      if (closing.type === 'AccountCancelled.v1' && closing.data.reason !== 'tenant-cancelled') {
        await this.cancelMembersOf(domainCommand.accountId, command.context, now);
      }
    }
    if (domainCommand.kind === 'ChangeOwner') {
      throw new DomainError('ACCOUNT.NOT_TRANSFERABLE', 'accounts cannot be transferred to another owner; the attempt was recorded', 'forbidden');
    }
    return { events: result.events.map((e) => e.type), account: await this.readModel.find(domainCommand.accountId) };
  }

  /**
   * A cancelled enterprise (or personal user) takes its members with it: each
   * member account is cancelled and erased (A8: all information the users
   * entered). Idempotent: a member already closed is skipped, so a retry after a
   * crash finishes the job (`attest accounts complete-closures`).
   */
  async cancelMembersOf(tenantAccountId: string, context: CommandContext, now: Date): Promise<number> {
    const tenant = await this.readModel.find(tenantAccountId);
    if (tenant?.kind === 'member' || tenant?.status !== 'cancelled') return 0;
    let cancelled = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.readModel.list(tenant.tenantId, { kind: 'member', limit: 200, ...(after ? { after } : {}) });
      for (const member of page) {
        if (ERASED_STATES.has(member.status)) continue;
        await this.execute(new RunAccountCommand({ ...context, tenantId: tenant.tenantId }, { kind: 'CancelWithTenant', accountId: member.accountId }, now));
        cancelled += 1;
      }
      if (page.length < 200) return cancelled;
      after = page[page.length - 1]?.accountId;
    }
  }
}

/** States whose personal data is already erased. */
const ERASED_STATES: ReadonlySet<string> = new Set(['cancelled', 'unbound', 'invitation-closed']);
