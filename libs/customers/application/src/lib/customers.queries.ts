import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PROFILE_FIELD_NAMES, PROFILE_FIELDS, type Profile } from '@attest/customers-domain';
import { DomainError, type Clock } from '@attest/kernel';
import { CLOCK, PROCESSING_JOURNAL, type ProcessingJournal } from '@attest/security';
import { CUSTOMERS_READ_MODEL, type CustomerFilter, type CustomersReadModel, type CustomerView, type FollowUpView } from './ports';

/** Who reads personal data, why, in which request (C3). */
export interface PurposefulReader {
  readonly actor: string;
  readonly purpose: string;
  readonly correlationId: string;
}

export type CustomerWithProfile = CustomerView & { readonly profile: Profile | null };

/** The data categories a profile read touches, for the processing record. */
export function categoriesOf(profile: Profile): string[] {
  const categories = new Set<string>();
  for (const field of PROFILE_FIELD_NAMES) {
    if (profile[field] === undefined || profile[field] === null) continue;
    const c = PROFILE_FIELDS[field];
    categories.add(c === 'personal' ? (field === 'email' || field === 'phone' || field === 'address' ? 'contact' : 'identity') : c);
  }
  return [...categories].sort();
}

/**
 * Reads customers; with a reader (a permission and a declared purpose, C3)
 * the profiles are decrypted and every subject read is recorded as a
 * processing action before the answer leaves.
 */
abstract class ReadingHandler {
  constructor(
    protected readonly readModel: CustomersReadModel,
    protected readonly journal: ProcessingJournal,
    protected readonly clock: Clock,
  ) {}

  protected async withProfiles(tenantId: string, customers: readonly CustomerView[], reader: PurposefulReader | null): Promise<CustomerWithProfile[]> {
    if (!reader || customers.length === 0) return customers.map((c) => ({ ...c, profile: null }));
    const profiles = await this.readModel.profiles(
      tenantId,
      customers.map((c) => c.customerId),
    );
    const at = this.clock.now();
    await this.journal.record(
      [...profiles].map(([subjectId, profile]) => ({
        tenantId,
        kind: 'read' as const,
        actor: reader.actor,
        subjectId,
        purpose: reader.purpose,
        channel: null,
        dataCategories: categoriesOf(profile),
        outcome: null,
        reasons: [],
        legalBasis: null,
        correlationId: reader.correlationId,
        commandId: null,
        at,
      })),
    );
    return customers.map((c) => ({ ...c, profile: profiles.get(c.customerId) ?? null }));
  }
}

export class ListCustomersQuery extends Query<CustomerWithProfile[]> {
  constructor(
    readonly tenantId: string,
    readonly filter: CustomerFilter,
    readonly reader: PurposefulReader | null,
  ) {
    super();
  }
}

@QueryHandler(ListCustomersQuery)
export class ListCustomersHandler extends ReadingHandler implements IQueryHandler<ListCustomersQuery, CustomerWithProfile[]> {
  constructor(
    @Inject(CUSTOMERS_READ_MODEL) readModel: CustomersReadModel,
    @Inject(PROCESSING_JOURNAL) journal: ProcessingJournal,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(readModel, journal, clock);
  }
  async execute(query: ListCustomersQuery): Promise<CustomerWithProfile[]> {
    return this.withProfiles(query.tenantId, await this.readModel.list(query.tenantId, query.filter), query.reader);
  }
}

export class GetCustomerQuery extends Query<CustomerWithProfile & { followUps: FollowUpView[] }> {
  constructor(
    readonly tenantId: string,
    readonly customerId: string,
    readonly reader: PurposefulReader | null,
    /** A consistency token: the row may come from a replica that has applied it. */
    readonly atLeastAsFresh?: string,
  ) {
    super();
  }
}

@QueryHandler(GetCustomerQuery)
export class GetCustomerHandler extends ReadingHandler implements IQueryHandler<GetCustomerQuery, CustomerWithProfile & { followUps: FollowUpView[] }> {
  constructor(
    @Inject(CUSTOMERS_READ_MODEL) readModel: CustomersReadModel,
    @Inject(PROCESSING_JOURNAL) journal: ProcessingJournal,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(readModel, journal, clock);
  }
  async execute(query: GetCustomerQuery): Promise<CustomerWithProfile & { followUps: FollowUpView[] }> {
    const customer = await this.readModel.get(query.tenantId, query.customerId, query.atLeastAsFresh);
    if (!customer) throw new DomainError('CUSTOMER.NOT_FOUND', 'no such customer', 'not_found');
    const [withProfile] = await this.withProfiles(query.tenantId, [customer], query.reader);
    if (!withProfile) throw new DomainError('CUSTOMER.NOT_FOUND', 'no such customer', 'not_found');
    return { ...withProfile, followUps: await this.readModel.followUps(query.tenantId, query.customerId, query.reader !== null) };
  }
}
