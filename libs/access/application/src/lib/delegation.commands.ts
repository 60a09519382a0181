import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { delegationDecider, delegationStreamId, type Permission } from '@attest/access-domain';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import { DomainError, type Clock } from '@attest/kernel';
import { metadataFor, type CommandContext } from '@attest/security';
import { RevokeKeysOfIssuerCommand } from './api-key.commands';
import { ACCESS_PROJECTOR, ACCESS_READ_MODEL, CLOCK, DELEGATION_TARGETS, type AccessProjector, type AccessReadModel, type DelegationTargets } from './ports';

export class ChangeDelegationCommand extends Command<{ permissions: Permission[] }> {
  constructor(
    readonly context: CommandContext,
    readonly action: 'delegate' | 'revoke',
    readonly userId: string,
    readonly permissions: readonly Permission[],
    /** What the principal asking holds now: nobody delegates beyond it. */
    readonly delegatorPermissions: ReadonlySet<Permission>,
  ) {
    super();
  }
}

/** Delegates or revokes; answers with the permissions the user holds afterwards. */
@CommandHandler(ChangeDelegationCommand)
export class ChangeDelegationHandler implements ICommandHandler<ChangeDelegationCommand, { permissions: Permission[] }> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCESS_PROJECTOR) private readonly projector: AccessProjector,
    @Inject(ACCESS_READ_MODEL) private readonly readModel: AccessReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DELEGATION_TARGETS) private readonly targets: DelegationTargets,
    private readonly commands: CommandBus,
  ) {}

  async execute(command: ChangeDelegationCommand): Promise<{ permissions: Permission[] }> {
    const { tenantId, actor } = command.context;
    // Only an account of this tenant receives rights; another tenant's account is indistinguishable from none.
    if (command.action === 'delegate' && !(await this.targets.isAccountOf(tenantId, command.userId))) {
      throw new DomainError('DELEGATION.USER_NOT_FOUND', 'no such user in this organization', 'not_found');
    }
    const streamId = delegationStreamId(tenantId, command.userId);
    const result = await handleWithDecider(
      this.store,
      delegationDecider,
      streamId,
      command.action === 'delegate'
        ? {
            kind: 'DelegatePermissions',
            tenantId,
            userId: command.userId,
            permissions: command.permissions,
            delegatedBy: actor,
            delegatorPermissions: command.delegatorPermissions,
          }
        : { kind: 'RevokeDelegatedPermissions', tenantId, userId: command.userId, permissions: command.permissions, revokedBy: actor },
      metadataFor(command.context, this.clock.now()),
      {
        // Keys the user issued never carry more than the user holds: those resting on what is revoked stop
        // working, before the revocation is recorded (if that fails, nothing is, and the admin retries).
        beforeAppend: async () => {
          if (command.action !== 'revoke') return;
          await this.commands.execute(new RevokeKeysOfIssuerCommand(command.context, `user:${command.userId}`, 'issuer-lost-permission', command.permissions));
        },
      },
    );
    if (result.events.length > 0) await this.projector.projectStream(streamId);
    return { permissions: await this.readModel.delegatedPermissions(tenantId, command.userId) };
  }
}
