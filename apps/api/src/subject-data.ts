import { CommandBus } from '@nestjs/cqrs';
import { ChangeConsentCommand } from '@attest/consent-application';
import { consentDecider, consentStreamId, type ActiveConsent, type ConsentEvent } from '@attest/consent-domain';
import { RunCustomerCommand, type CustomersReadModel } from '@attest/customers-application';
import { PROFILE_FIELD_NAMES } from '@attest/customers-domain';
import { asEvent, readWholeStream, type EventStore } from '@attest/event-store';
import { DomainError, fold, type JsonValue } from '@attest/kernel';
import type { PostgresRecordLog } from '@attest/processing-infrastructure';
import type { PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import type { ConsentData, CustomerData } from '@attest/requests-application';
import { closeErasedCustomer } from '@attest/runtime';
import type { CommandContext } from '@attest/security';

/**
 * The requests context's ports onto the customers and consent contexts,
 * carried out through those contexts' own commands (so their deciders,
 * events, read models and processing records apply as for any other
 * change). Composed here because the requests context may not depend on them;
 * no SQL, no rule of a data-subject request.
 */
export class ContextCustomerData implements CustomerData {
  constructor(
    private readonly commands: CommandBus,
    private readonly customers: CustomersReadModel,
    private readonly erasure: {
      readonly store: EventStore;
      readonly vault: PostgresKeyVault;
      readonly privacy: ReadModelPrivacy;
      readonly recordLog: PostgresRecordLog;
    },
  ) {}

  readonly correctableFields: readonly string[] = PROFILE_FIELD_NAMES;

  async exists(tenantId: string, customerId: string): Promise<boolean> {
    return (await this.customers.get(tenantId, customerId)) !== null;
  }

  async values(tenantId: string, customerId: string, fields: readonly string[]): Promise<Record<string, JsonValue | null>> {
    const profile = (await this.customers.profiles(tenantId, [customerId])).get(customerId);
    const out: Record<string, JsonValue | null> = {};
    for (const field of fields) {
      const value: unknown = profile?.[field as keyof typeof profile];
      out[field] = typeof value === 'string' ? value : null;
    }
    return out;
  }

  async restrict(context: CommandContext, customerId: string, reason: string): Promise<boolean> {
    try {
      await this.commands.execute(new RunCustomerCommand(context, { kind: 'RestrictProcessing', customerId, reason }));
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CUSTOMER.ALREADY_RESTRICTED') return false;
      throw error;
    }
  }

  async correct(context: CommandContext, customerId: string, changes: Readonly<Record<string, string | null>>): Promise<void> {
    await this.commands.execute(new RunCustomerCommand(context, { kind: 'UpdateCustomer', customerId, changes }));
  }

  async erase(context: CommandContext, customerId: string, requestId: string): Promise<{ eventId: string; erasedAt: string }> {
    // The event: the customers and consent read models drop the subject (inline) and its lookup entries go.
    await this.commands.execute(new RunCustomerCommand(context, { kind: 'EraseCustomer', customerId, requestId }));
    // The processing record's delete entry (with the pseudonym, while the key exists), then the key.
    const event = await closeErasedCustomer(this.erasure, context.tenantId, customerId, `data-subject-request:${requestId}`);
    return { eventId: event.id, erasedAt: event.metadata.occurredAt };
  }
}

export class ContextConsentData implements ConsentData {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: EventStore,
  ) {}

  withdrawAll(context: CommandContext, customerId: string, purposes: readonly string[], source: string): Promise<string[]> {
    return withdrawActiveConsents(this.commands, this.store, context, customerId, {
      which: (consent) => purposes.length === 0 || purposes.includes(consent.purposeKey),
      method: 'data-subject-request',
      source,
    });
  }
}

/**
 * Withdraws each of the subject's active consents that `which` selects, through the consent
 * context's own command (its receipt, event and record); answers the purposes withdrawn.
 */
export async function withdrawActiveConsents(
  commands: CommandBus,
  store: EventStore,
  context: CommandContext,
  customerId: string,
  options: { readonly which: (consent: ActiveConsent) => boolean; readonly method: string; readonly source: string },
): Promise<string[]> {
  const events = await readWholeStream(store, consentStreamId(customerId));
  const state = fold(
    consentDecider,
    events.map((e) => asEvent<ConsentEvent>(e)),
  );
  const withdrawn = new Set<string>();
  for (const consent of state.active.values()) {
    if (!options.which(consent)) continue;
    await commands.execute(
      new ChangeConsentCommand(context, customerId, {
        action: 'withdraw',
        purposeKey: consent.purposeKey,
        channel: consent.channel,
        scope: consent.scope,
        thirdParty: consent.thirdParty === null ? null : { name: consent.thirdParty },
        country: consent.country,
        method: options.method,
        source: options.source,
      }),
    );
    withdrawn.add(consent.purposeKey);
  }
  return [...withdrawn].sort();
}
