import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { GetOrganizationQuery } from '@attest/accounts-application';
import { BULK_DECISION_LIMIT, DecideCommand, ListPurposesQuery } from '@attest/consent-application';
import type { CustomersReadModel } from '@attest/customers-application';
import type { EventStore } from '@attest/event-store';
import type { DecisionOutcome, MessagingBindings, MessagingConsent, MessagingDecisions, MessagingRecipients } from '@attest/messaging-application';
import type { PurposeFacts } from '@attest/messaging-domain';
import type { ReadModelPrivacy } from '@attest/privacy-postgres';
import type { CommandContext } from '@attest/security';
import { withdrawActiveConsents } from './subject-data';

// The messaging context's ports onto the consent, customers and accounts contexts, carried out
// through their own commands and queries (so their rules, events and records apply). Composed
// here because messaging may not depend on them; no SQL of theirs, no rule of messaging.

export class ContextMessagingDecisions implements MessagingDecisions {
  readonly limit = BULK_DECISION_LIMIT;

  constructor(private readonly commands: CommandBus) {}

  async decide(
    context: CommandContext,
    customerIds: readonly string[],
    question: { readonly purposeKey: string; readonly thirdParty: string; readonly transferCountry: string | null },
  ): Promise<DecisionOutcome[]> {
    const decisions = await this.commands.execute(
      new DecideCommand(context, customerIds, {
        purposeKey: question.purposeKey,
        channel: 'whatsapp',
        dataCategories: ['contact'],
        thirdParty: question.thirdParty,
        transferCountry: question.transferCountry,
      }),
    );
    return decisions.map((d) => ({
      decisionId: d.decisionId,
      customerId: d.customerId,
      allow: d.allow,
      reasons: d.reasons,
      legalBasis: d.legalBasis,
      consentIds: d.consentIds,
    }));
  }
}

export class ContextMessagingConsent implements MessagingConsent {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly store: EventStore,
  ) {}

  async purpose(tenantId: string, purposeKey: string): Promise<PurposeFacts | null> {
    const purpose = (await this.queries.execute(new ListPurposesQuery(tenantId))).find((p) => p.purposeKey === purposeKey);
    return purpose ? { purposeId: purpose.purposeKey, active: !purpose.retired, legalBasis: purpose.legalBasis, channels: purpose.channels } : null;
  }

  withdrawOnWhatsApp(context: CommandContext, customerId: string, purposeKeys: readonly string[], source: string): Promise<string[]> {
    return withdrawActiveConsents(this.commands, this.store, context, customerId, {
      which: (consent) => consent.channel === 'whatsapp' && purposeKeys.includes(consent.purposeKey),
      method: 'whatsapp',
      source,
    });
  }
}

export class ContextMessagingRecipients implements MessagingRecipients {
  constructor(
    private readonly customers: CustomersReadModel,
    private readonly privacy: ReadModelPrivacy,
    private readonly owner: DataSource,
  ) {}

  async existing(tenantId: string, customerIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    // The customers' own read, a page of ids at a time (erased subjects are absent).
    for (let i = 0; i < customerIds.length; i += 10_000) {
      const profiles = await this.customers.existing(tenantId, customerIds.slice(i, i + 10_000));
      for (const id of profiles) found.add(id);
    }
    return found;
  }

  async select(
    tenantId: string,
    filter: { readonly tag?: string; readonly purpose?: string; readonly consentStatus?: 'granted' | 'withdrawn' | 'none' },
    limit: number,
  ): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    while (ids.length < limit) {
      const page = await this.customers.list(tenantId, { ...filter, ...(after !== undefined ? { after } : {}), limit: Math.min(1_000, limit - ids.length) });
      ids.push(...page.map((c) => c.customerId));
      if (page.length === 0) break;
      after = page[page.length - 1]?.customerId;
    }
    return ids;
  }

  async phones(tenantId: string, customerIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const profiles = await this.customers.profiles(tenantId, customerIds, ['phone']);
    for (const [id, profile] of profiles) if (typeof profile.phone === 'string' && profile.phone.trim() !== '') out.set(id, profile.phone);
    return out;
  }

  async byPhone(tenantId: string, phone: string): Promise<string | null> {
    // Meta gives the number without "+": the lookup normalises both the same way.
    const subjects = await this.privacy.find(this.owner.manager, tenantId, 'phone', phone);
    const customers = await this.existing(tenantId, subjects);
    return subjects.find((s) => customers.has(s)) ?? null;
  }
}

export class ContextMessagingBindings implements MessagingBindings {
  constructor(private readonly queries: QueryBus) {}

  async whatsAppBinding(tenantId: string, bindingId: string): Promise<{ readonly bindingId: string } | null> {
    const organization = await this.queries.execute(new GetOrganizationQuery(tenantId));
    const binding = organization.channelBindings.find((b) => b.bindingId === bindingId && b.channel === 'whatsapp-business');
    return binding ? { bindingId: binding.bindingId } : null;
  }
}
