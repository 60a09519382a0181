import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { ChangeConsentCommand } from '@attest/consent-application';
import { consentDecider, consentStreamId, type ConsentEvent } from '@attest/consent-domain';
import { RunCustomerCommand, type CustomersReadModel } from '@attest/customers-application';
import { PROFILE_FIELD_NAMES } from '@attest/customers-domain';
import { asEvent, readWholeStream, type EventStore } from '@attest/event-store';
import { DomainError, fold, type JsonValue } from '@attest/kernel';
import type { PostgresRecordLog } from '@attest/processing-infrastructure';
import { closeErasedCustomer } from '@attest/runtime';
import type { PostgresKeyVault, ReadModelPrivacy } from '@attest/privacy-postgres';
import type { Erasure, KeptField, RetainedValue, SubjectRights } from '@attest/requests-application';
import { retainedSubject } from '@attest/requests-domain';
import type { CommandContext } from '@attest/security';

/**
 * What a data-subject request does to a customer's data, carried out by the
 * customers and consent contexts through their own commands (so their
 * deciders, events, read models and processing records apply as for any
 * other change). Composed here because the requests context may not depend
 * on them.
 */
export class ContextSubjectRights implements SubjectRights {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: EventStore,
    private readonly customers: CustomersReadModel,
    private readonly erasure: {
      readonly vault: PostgresKeyVault;
      readonly privacy: ReadModelPrivacy;
      readonly recordLog: PostgresRecordLog;
      readonly owner: DataSource;
    },
  ) {}

  readonly correctableFields: readonly string[] = PROFILE_FIELD_NAMES;

  async exists(tenantId: string, customerId: string): Promise<boolean> {
    return (await this.customers.get(tenantId, customerId)) !== null;
  }

  async restrict(context: CommandContext, customerId: string, requestId: string): Promise<boolean> {
    try {
      await this.commands.execute(new RunCustomerCommand(context, { kind: 'RestrictProcessing', customerId, reason: `data-subject-request:${requestId}` }));
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CUSTOMER.ALREADY_RESTRICTED') return false;
      throw error;
    }
  }

  async withdrawConsents(context: CommandContext, customerId: string, purposes: readonly string[], requestId: string): Promise<string[]> {
    const events = await readWholeStream(this.store, consentStreamId(customerId));
    const state = fold(
      consentDecider,
      events.map((e) => asEvent<ConsentEvent>(e)),
    );
    const withdrawn = new Set<string>();
    for (const consent of state.active.values()) {
      if (purposes.length > 0 && !purposes.includes(consent.purposeKey)) continue;
      await this.commands.execute(
        new ChangeConsentCommand(context, customerId, {
          action: 'withdraw',
          purposeKey: consent.purposeKey,
          channel: consent.channel,
          scope: consent.scope,
          thirdParty: consent.thirdParty === null ? null : { name: consent.thirdParty },
          country: consent.country,
          method: 'data-subject-request',
          source: `dsr:${requestId}`,
        }),
      );
      withdrawn.add(consent.purposeKey);
    }
    return [...withdrawn].sort();
  }

  async correct(context: CommandContext, customerId: string, changes: Readonly<Record<string, string | null>>): Promise<string[]> {
    const unknown = Object.keys(changes).filter((f) => !this.correctableFields.includes(f));
    if (unknown.length > 0) throw new DomainError('DSR.FIELD_UNKNOWN', `not a profile field: ${unknown.join(', ')}`, 'invalid');
    await this.commands.execute(new RunCustomerCommand(context, { kind: 'UpdateCustomer', customerId, changes: changes }));
    return Object.keys(changes).sort();
  }

  async erase(context: CommandContext, customerId: string, requestId: string, keep: readonly KeptField[], now: Date): Promise<Erasure> {
    // 0. D5: fields under a retention duty are copied under a key of their own first (while the
    //    customer's key still opens them); the copy is one transaction, repeated harmlessly.
    const retained: { category: string; reason: string; until: string }[] = [];
    const profile = keep.length > 0 ? (await this.customers.profiles(context.tenantId, [customerId])).get(customerId) : undefined;
    if (profile) {
      const present = keep.filter((k) => typeof profile[k.field as keyof typeof profile] === 'string');
      const sealed = await Promise.all(
        present.map(async (k) => ({
          kept: k,
          value: await this.erasure.privacy.seal(
            retainedSubject(customerId, k.field),
            { table: 'requests.retained_data', column: 'value', row: `${requestId}:${k.field}` },
            profile[k.field as keyof typeof profile] ?? null,
          ),
        })),
      );
      await this.erasure.owner.transaction(async (m) => {
        for (const r of sealed) {
          await m.query(
            `INSERT INTO requests.retained_data (request_id, tenant_id, customer_id, field, reason, retain_until, value, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id, field) DO NOTHING`,
            [requestId, context.tenantId, customerId, r.kept.field, r.kept.reason, r.kept.until, JSON.stringify(r.value), now],
          );
        }
      });
    }
    const kept = await this.erasure.owner.query<{ field: string; reason: string; until: string }[]>(
      `SELECT field, reason, to_char(retain_until, 'YYYY-MM-DD') AS until FROM requests.retained_data WHERE request_id = $1 ORDER BY field`,
      [requestId],
    );
    for (const r of kept) retained.push({ category: r.field, reason: r.reason, until: r.until });
    // 1. The event: the customers and consent read models drop the subject (inline) and its lookup entries go.
    await this.commands.execute(new RunCustomerCommand(context, { kind: 'EraseCustomer', customerId, requestId }));
    // 2–3. The processing record's delete entry (with the pseudonym, while the key exists), then the key:
    //      every field sealed under it — events, read models, outbox payloads, backups — becomes unreadable.
    const event = await closeErasedCustomer({ store: this.store, ...this.erasure }, context.tenantId, customerId, `data-subject-request:${requestId}`);
    return {
      eventId: event.id,
      erasedAt: event.metadata.occurredAt,
      covered: [
        retained.length > 0 ? 'profile (except the retained fields)' : 'profile',
        'follow-up notes',
        'consent evidence',
        'customer and consent read models',
        'lookup entries',
        'pseudonym mapping',
        'subject key',
      ],
      retained,
    };
  }

  async retained(context: CommandContext, requestId: string): Promise<RetainedValue[]> {
    const rows = await this.erasure.owner.query<{ customer_id: string; field: string; reason: string; until: string; value: JsonValue }[]>(
      `SELECT customer_id, field, reason, to_char(retain_until, 'YYYY-MM-DD') AS until, value FROM requests.retained_data WHERE tenant_id = $1 AND request_id = $2 ORDER BY field`,
      [context.tenantId, requestId],
    );
    const out: RetainedValue[] = [];
    for (const r of rows) {
      const value = await this.erasure.privacy.open(
        retainedSubject(r.customer_id, r.field),
        { table: 'requests.retained_data', column: 'value', row: `${requestId}:${r.field}` },
        r.value,
      );
      out.push({ field: r.field, reason: r.reason, retainUntil: r.until, value: typeof value === 'string' ? value : null });
    }
    return out;
  }
}
