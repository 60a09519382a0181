import type { EventMetadata } from '@attest/event-store';

/** Who runs a command, for which tenant, why, and as part of which request. */
export interface CommandContext {
  readonly tenantId: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly commandId: string;
  readonly purpose?: string;
}

export function metadataFor(context: CommandContext, occurredAt: Date): EventMetadata {
  return {
    tenantId: context.tenantId,
    actor: context.actor,
    correlationId: context.correlationId,
    causationId: context.commandId,
    commandId: context.commandId,
    occurredAt: occurredAt.toISOString(),
    ...(context.purpose ? { purpose: context.purpose } : {}),
  };
}
