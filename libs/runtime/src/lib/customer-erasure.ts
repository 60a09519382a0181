import { readWholeStream } from '@attest/event-store';
import { customerProcessingMap, RunCustomerCommand, RunCustomerCommandHandler } from '@attest/customers-application';
import type { EventStore, RecordedEvent } from '@attest/event-store';
import { systemClock, type Clock } from '@attest/kernel';
import { draftFromEvent, type PostgresRecordLog } from '@attest/processing-infrastructure';
import type { PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import { InlineProjector } from '@attest/projections';
import { NON_PROCESSING, type CommandContext } from '@attest/security';
import type { Infrastructure } from './infrastructure';

export interface ErasureDependencies {
  readonly store: EventStore;
  readonly recordLog: PostgresRecordLog;
  readonly privacy: ReadModelPrivacy;
  readonly vault: PostgresKeyVault;
}

/**
 * D4/A10, after `CustomerErased.v1` was appended: the processing record's
 * delete entry is written with the subject's pseudonym while its key still
 * exists and merged (the projection later finds it recorded), then the key is
 * destroyed. Idempotent: with the key gone it only destroys nothing again.
 */
export async function closeErasedCustomer(deps: ErasureDependencies, tenantId: string, customerId: string, reason: string): Promise<RecordedEvent> {
  const event = (await readWholeStream(deps.store, `customer-${customerId}`)).find((e) => e.type === 'CustomerErased.v1');
  if (!event) throw new Error(`customer ${customerId} has no erasure event`);
  const rule = customerProcessingMap['CustomerErased.v1'];
  if (rule && rule !== NON_PROCESSING && !(await deps.vault.isErased(customerId))) {
    const pseudonym = (await deps.privacy.pseudonyms(tenantId, [customerId])).get(customerId) ?? null;
    await deps.recordLog.stage([draftFromEvent(event, rule, pseudonym)]);
    await deps.recordLog.mergePending(tenantId, { wait: true });
  }
  await deps.vault.erase(customerId, reason);
  return event;
}

/** Erases one customer without HTTP (jobs): the customers context's own command, then `closeErasedCustomer`. */
export async function eraseCustomer(
  infra: Infrastructure,
  context: CommandContext,
  customerId: string,
  reason: string,
  clock: Clock = systemClock,
): Promise<void> {
  const inline = infra.projections.filter((p) => p.name === 'customers' || p.name === 'consent');
  const handler = new RunCustomerCommandHandler(infra.store, new InlineProjector(infra.dataSource, infra.store, inline), clock);
  await handler.execute(new RunCustomerCommand(context, { kind: 'EraseCustomer', customerId, requestId: null }));
  await closeErasedCustomer(infra, context.tenantId, customerId, reason);
}
