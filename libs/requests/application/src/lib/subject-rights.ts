import { DomainError, type JsonValue } from '@attest/kernel';
import type { CommandContext } from '@attest/security';
import type { Erasure, KeptField, RetainedValue, SubjectRights } from './ports';

/**
 * The customers context's side of a request (implemented where the contexts
 * are composed, through the customers context's own commands, so its
 * decider, events, read models and processing records apply as for any other
 * change).
 */
export interface CustomerData {
  /** The profile fields a correction may name. */
  readonly correctableFields: readonly string[];
  exists(tenantId: string, customerId: string): Promise<boolean>;
  /** The current values of these profile fields (decrypted in memory), null where absent. */
  values(tenantId: string, customerId: string, fields: readonly string[]): Promise<Readonly<Record<string, JsonValue | null>>>;
  /** False when processing was already restricted. */
  restrict(context: CommandContext, customerId: string, reason: string): Promise<boolean>;
  correct(context: CommandContext, customerId: string, changes: Readonly<Record<string, string | null>>): Promise<void>;
  /**
   * D4: the customer's erasure event, the processing record's delete entry
   * (while the pseudonym still links), then the key destroyed. Idempotent.
   */
  erase(context: CommandContext, customerId: string, requestId: string): Promise<{ readonly eventId: string; readonly erasedAt: string }>;
}

/** The consent context's side: withdrawals through its own command (K2). */
export interface ConsentData {
  /** Withdraws every consent in force for these purposes (all when empty); the purposes withdrawn, sorted. */
  withdrawAll(context: CommandContext, customerId: string, purposes: readonly string[], source: string): Promise<string[]>;
}

/** D5: values a deletion keeps under a retention duty, each sealed under a key of its own (`requests.retained_data`). */
export interface RetainedData {
  /** Seals and stores the values (once per request and field; repeating changes nothing). */
  keep(
    tenantId: string,
    customerId: string,
    requestId: string,
    values: readonly { readonly kept: KeptField; readonly value: JsonValue }[],
    now: Date,
  ): Promise<void>;
  /** What a request keeps, by field. */
  keptFor(requestId: string): Promise<{ readonly field: string; readonly reason: string; readonly until: string }[]>;
  /** The kept values of a request, decrypted for one authorized read (null once their key is destroyed). */
  values(tenantId: string, requestId: string): Promise<RetainedValue[]>;
}

export const CUSTOMER_DATA = Symbol.for('attest.requests.CustomerData');
export const CONSENT_DATA = Symbol.for('attest.requests.ConsentData');
export const RETAINED_DATA = Symbol.for('attest.requests.RetainedData');

/** What a data-subject request does to the subject's data: the requests context's rules over the data contexts' ports. */
export class SubjectRightsService implements SubjectRights {
  constructor(
    private readonly customers: CustomerData,
    private readonly consents: ConsentData,
    private readonly retainedData: RetainedData,
  ) {}

  get correctableFields(): readonly string[] {
    return this.customers.correctableFields;
  }

  exists(tenantId: string, customerId: string): Promise<boolean> {
    return this.customers.exists(tenantId, customerId);
  }

  restrict(context: CommandContext, customerId: string, requestId: string): Promise<boolean> {
    return this.customers.restrict(context, customerId, `data-subject-request:${requestId}`);
  }

  withdrawConsents(context: CommandContext, customerId: string, purposes: readonly string[], requestId: string): Promise<string[]> {
    return this.consents.withdrawAll(context, customerId, purposes, `dsr:${requestId}`);
  }

  async correct(context: CommandContext, customerId: string, changes: Readonly<Record<string, string | null>>): Promise<string[]> {
    const unknown = Object.keys(changes).filter((f) => !this.correctableFields.includes(f));
    if (unknown.length > 0) throw new DomainError('DSR.FIELD_UNKNOWN', `not a profile field: ${unknown.join(', ')}`, 'invalid');
    await this.customers.correct(context, customerId, changes);
    return Object.keys(changes).sort();
  }

  async erase(context: CommandContext, customerId: string, requestId: string, keep: readonly KeptField[], now: Date): Promise<Erasure> {
    // 0. D5: fields under a retention duty are copied under a key of their own first (while the
    //    customer's key still opens them); repeated harmlessly.
    if (keep.length > 0) {
      const values = await this.customers.values(
        context.tenantId,
        customerId,
        keep.map((k) => k.field),
      );
      const present = keep.filter((k) => typeof values[k.field] === 'string').map((k) => ({ kept: k, value: values[k.field] ?? null }));
      await this.retainedData.keep(context.tenantId, customerId, requestId, present, now);
    }
    const retained = (await this.retainedData.keptFor(requestId)).map((r) => ({ category: r.field, reason: r.reason, until: r.until }));
    // 1–3. The event (read models drop the subject), the processing record's delete entry, then the key:
    //      every field sealed under it — events, read models, outbox payloads, backups — becomes unreadable.
    const erased = await this.customers.erase(context, customerId, requestId);
    return {
      eventId: erased.eventId,
      erasedAt: erased.erasedAt,
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

  retained(context: CommandContext, requestId: string): Promise<RetainedValue[]> {
    return this.retainedData.values(context.tenantId, requestId);
  }
}
