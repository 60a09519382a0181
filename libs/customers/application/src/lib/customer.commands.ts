import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { customerDecider, customerStreamId, type CustomerCommand } from '@attest/customers-domain';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import type { Clock } from '@attest/kernel';
import { CLOCK, metadataFor, type CommandContext } from '@attest/security';
import { CUSTOMERS_PROJECTOR, type CustomersProjector } from './ports';

export type CustomerAction = CustomerCommand extends infer C ? (C extends CustomerCommand ? Omit<C, 'tenantId' | 'actor' | 'today'> : never) : never;

/** Creates and changes customer profiles (C1): load, decide, append, project at once. */
export class RunCustomerCommand extends Command<{ customerId: string; events: string[]; position: string | null }> {
  constructor(
    readonly context: CommandContext,
    readonly action: CustomerAction,
  ) {
    super();
  }
}

@CommandHandler(RunCustomerCommand)
export class RunCustomerCommandHandler implements ICommandHandler<RunCustomerCommand, { customerId: string; events: string[]; position: string | null }> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CUSTOMERS_PROJECTOR) private readonly projector: CustomersProjector,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RunCustomerCommand): Promise<{ customerId: string; events: string[]; position: string | null }> {
    const now = this.clock.now();
    const { tenantId, actor } = command.context;
    const streamId = customerStreamId(command.action.customerId);
    const domain = { ...command.action, tenantId, actor, today: now.toISOString().slice(0, 10) } as CustomerCommand;
    const result = await handleWithDecider(this.store, customerDecider, streamId, domain, metadataFor(command.context, now));
    if (result.events.length > 0) await this.projector.projectStream(streamId);
    return { customerId: command.action.customerId, events: result.events.map((e) => e.type), position: result.position };
  }
}
