import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { delegationDecider, delegationStreamId, type Permission } from '@attest/access-domain';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import type { Clock } from '@attest/kernel';
import { metadataFor, type CommandContext } from '@attest/security';
import { ACCESS_PROJECTOR, ACCESS_READ_MODEL, CLOCK, type AccessProjector, type AccessReadModel } from './ports';

export class ChangeDelegationCommand extends Command<{ permissions: Permission[] }> {
  constructor(
    readonly context: CommandContext,
    readonly action: 'delegate' | 'revoke',
    readonly userId: string,
    readonly permissions: readonly Permission[],
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
  ) {}

  async execute(command: ChangeDelegationCommand): Promise<{ permissions: Permission[] }> {
    const { tenantId, actor } = command.context;
    const streamId = delegationStreamId(tenantId, command.userId);
    const result = await handleWithDecider(
      this.store,
      delegationDecider,
      streamId,
      command.action === 'delegate'
        ? { kind: 'DelegatePermissions', tenantId, userId: command.userId, permissions: command.permissions, delegatedBy: actor }
        : { kind: 'RevokeDelegatedPermissions', tenantId, userId: command.userId, permissions: command.permissions, revokedBy: actor },
      metadataFor(command.context, this.clock.now()),
    );
    if (result.events.length > 0) await this.projector.projectStream(streamId);
    return { permissions: await this.readModel.delegatedPermissions(tenantId, command.userId) };
  }
}
