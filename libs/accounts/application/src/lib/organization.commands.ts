import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { organizationDecider, organizationStreamId, type OrganizationCommand } from '@attest/accounts-domain';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import { CLOCK, metadataFor, type CommandContext } from '@attest/security';
import {
  ACCOUNTS_PROJECTOR,
  ACCOUNTS_READ_MODEL,
  IDENTIFIER_CLAIMS,
  SUBJECT_ERASER,
  type AccountsProjector,
  type AccountsReadModel,
  type IdentifierClaims,
  type SubjectEraser,
} from './ports';
import { DomainError, type Clock } from '@attest/kernel';

export type OrganizationAction = OrganizationCommand extends infer C ? (C extends OrganizationCommand ? Omit<C, 'tenantId' | 'actor'> : never) : never;

/** Departments, channel bindings and policies of the caller's tenant (A3, A5, A9). */
export class RunOrganizationCommand extends Command<{ events: string[] }> {
  constructor(
    readonly context: CommandContext,
    readonly action: OrganizationAction,
  ) {
    super();
  }
}

@CommandHandler(RunOrganizationCommand)
export class RunOrganizationCommandHandler implements ICommandHandler<RunOrganizationCommand, { events: string[] }> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCOUNTS_PROJECTOR) private readonly projector: AccountsProjector,
    @Inject(ACCOUNTS_READ_MODEL) private readonly readModel: AccountsReadModel,
    @Inject(IDENTIFIER_CLAIMS) private readonly claims: IdentifierClaims,
    @Inject(SUBJECT_ERASER) private readonly eraser: SubjectEraser,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RunOrganizationCommand): Promise<{ events: string[] }> {
    const { tenantId, actor } = command.context;
    let action = command.action;
    if (action.kind === 'RemoveDepartment') {
      const departmentId = action.departmentId;
      const members = (await this.readModel.departments(tenantId)).find((d) => d.departmentId === departmentId)?.memberCount ?? 0;
      action = { ...action, memberCount: members };
    }
    if (action.kind === 'BindChannelAccount') {
      // A5: one channel account belongs to one tenant only.
      const claimed = await this.claims.claim('channel-account', `${action.channel}:${action.externalAccountId}`, action.bindingId);
      if (!claimed) throw new DomainError('CHANNEL.BOUND_ELSEWHERE', 'this channel account is bound to another tenant', 'conflict');
    }
    const streamId = organizationStreamId(tenantId);
    try {
      const result = await handleWithDecider(
        this.store,
        organizationDecider,
        streamId,
        { ...action, tenantId, actor },
        metadataFor(command.context, this.clock.now()),
      );
      if (result.events.length > 0) await this.projector.projectStream(streamId);
      const unbound = result.events.find((e) => e.type === 'ChannelAccountUnbound.v1');
      // The external number is personal data of the binding: gone with the binding.
      if (unbound?.type === 'ChannelAccountUnbound.v1') await this.eraser.erase(unbound.data.bindingId, unbound.type);
      return { events: result.events.map((e) => e.type) };
    } catch (error) {
      if (action.kind === 'BindChannelAccount') await this.claims.release(action.bindingId);
      throw error;
    }
  }
}
