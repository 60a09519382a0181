import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  CONSENT_EVENT_TYPES,
  consentAt,
  consentStreamId,
  PURPOSE_EVENT_TYPES,
  purposesStreamId,
  type ConsentAt,
  type ConsentEvent,
  type Purpose,
  type PurposeEvent,
  type TimedEvent,
} from '@attest/consent-domain';
import { eventOf, readWholeStream, EVENT_STORE, type DomainEvent, type EventStore, type RecordedEvent } from '@attest/event-store';
import { DomainError, isUuid } from '@attest/kernel';
import { CONSENT_READ_MODEL, type ConsentReadModel, type PurposeOverview } from './ports';
import { receiptOf, type ConsentReceipt } from './receipts';

const notFound = (what: string): DomainError => new DomainError(`${what}.NOT_FOUND`, `no such ${what.toLowerCase()}`, 'not_found');

async function subjectEvents(store: EventStore, tenantId: string, customerId: string, readModel: ConsentReadModel): Promise<RecordedEvent[]> {
  if (!isUuid(customerId) || !(await readModel.subjects(tenantId, [customerId], '')).get(customerId)?.exists) throw notFound('CUSTOMER');
  const events = await readWholeStream(store, consentStreamId(customerId));
  // Another tenant's subject reads as unknown (N3).
  return events.filter((e) => e.metadata.tenantId === tenantId);
}

const timed = <E extends DomainEvent>(e: RecordedEvent, types: readonly E['type'][]): TimedEvent<E> | null => {
  const event = eventOf<E>(e, types);
  return event ? { event, eventId: e.id, position: e.globalPosition, occurredAt: e.metadata.occurredAt } : null;
};
const timedAll = <E extends DomainEvent>(events: readonly RecordedEvent[], types: readonly E['type'][]): TimedEvent<E>[] =>
  events.map((e) => timed<E>(e, types)).filter((t): t is TimedEvent<E> => t !== null);

export class ListPurposesQuery extends Query<Purpose[]> {
  constructor(readonly tenantId: string) {
    super();
  }
}

@QueryHandler(ListPurposesQuery)
export class ListPurposesHandler implements IQueryHandler<ListPurposesQuery, Purpose[]> {
  constructor(@Inject(CONSENT_READ_MODEL) private readonly readModel: ConsentReadModel) {}
  execute(query: ListPurposesQuery): Promise<Purpose[]> {
    return this.readModel.purposes(query.tenantId);
  }
}

/** The full consent history of a subject, as receipts, oldest first (K7). */
export class ConsentHistoryQuery extends Query<ConsentReceipt[]> {
  constructor(
    readonly tenantId: string,
    readonly customerId: string,
  ) {
    super();
  }
}

@QueryHandler(ConsentHistoryQuery)
export class ConsentHistoryHandler implements IQueryHandler<ConsentHistoryQuery, ConsentReceipt[]> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONSENT_READ_MODEL) private readonly readModel: ConsentReadModel,
  ) {}
  async execute(query: ConsentHistoryQuery): Promise<ConsentReceipt[]> {
    const events = await subjectEvents(this.store, query.tenantId, query.customerId, this.readModel);
    const purposes = new Map((await this.readModel.purposes(query.tenantId)).map((p) => [p.purposeKey, p]));
    return events.map((e) => receiptOf(e, purposes.get((e.data as { purposeKey: string }).purposeKey) ?? null));
  }
}

export type ConsentAtView = Omit<ConsentAt, 'proof'> & {
  readonly proof: readonly {
    readonly eventId: string;
    readonly type: string;
    readonly position: string;
    readonly occurredAt: string;
    readonly stream: string;
  }[];
};

/** K7: the consent state at an instant, with the events that prove it. */
export class ConsentAtQuery extends Query<ConsentAtView> {
  constructor(
    readonly tenantId: string,
    readonly customerId: string,
    readonly purposeKey: string,
    readonly channel: string,
    readonly at: string,
  ) {
    super();
  }
}

@QueryHandler(ConsentAtQuery)
export class ConsentAtHandler implements IQueryHandler<ConsentAtQuery, ConsentAtView> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONSENT_READ_MODEL) private readonly readModel: ConsentReadModel,
  ) {}
  async execute(q: ConsentAtQuery): Promise<ConsentAtView> {
    const consentEvents = await subjectEvents(this.store, q.tenantId, q.customerId, this.readModel);
    const purposeEvents = await readWholeStream(this.store, purposesStreamId(q.tenantId));
    const answer = consentAt(
      timedAll<ConsentEvent>(consentEvents, CONSENT_EVENT_TYPES),
      timedAll<PurposeEvent>(purposeEvents, PURPOSE_EVENT_TYPES),
      q.purposeKey,
      q.channel,
      q.at,
    );
    const streams = new Map([...consentEvents, ...purposeEvents].map((e) => [e.id, e.streamId]));
    return {
      at: answer.at,
      valid: answer.valid,
      reasons: answer.reasons,
      purposeVersion: answer.purposeVersion,
      proof: answer.proof.map((p) => ({
        eventId: p.eventId,
        type: p.event.type,
        position: p.position,
        occurredAt: p.occurredAt,
        stream: streams.get(p.eventId) ?? '',
      })),
    };
  }
}

export class ReceiptQuery extends Query<ConsentReceipt> {
  constructor(
    readonly tenantId: string,
    readonly receiptId: string,
  ) {
    super();
  }
}

/**
 * The receipt of a consent event (a processing record's `eventId` leads here),
 * or of the grant that made a consent (a decision's record names its `consents`).
 */
export class ReceiptOfEventQuery extends Query<ConsentReceipt> {
  constructor(
    readonly tenantId: string,
    readonly of: { readonly eventId: string } | { readonly consentId: string },
  ) {
    super();
  }
}

async function receipt(store: EventStore, readModel: ConsentReadModel, tenantId: string, receiptId: string): Promise<ConsentReceipt> {
  const customerId = isUuid(receiptId) ? await readModel.receiptSubject(tenantId, receiptId) : null;
  if (!customerId) throw notFound('RECEIPT');
  const event = (await subjectEvents(store, tenantId, customerId, readModel)).find((e) => (e.data as { receiptId?: string }).receiptId === receiptId);
  if (!event) throw notFound('RECEIPT');
  return receiptOf(event, await readModel.purpose(tenantId, (event.data as { purposeKey: string }).purposeKey));
}

@QueryHandler(ReceiptQuery)
export class ReceiptHandler implements IQueryHandler<ReceiptQuery, ConsentReceipt> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONSENT_READ_MODEL) private readonly readModel: ConsentReadModel,
  ) {}
  execute(q: ReceiptQuery): Promise<ConsentReceipt> {
    return receipt(this.store, this.readModel, q.tenantId, q.receiptId);
  }
}

@QueryHandler(ReceiptOfEventQuery)
export class ReceiptOfEventHandler implements IQueryHandler<ReceiptOfEventQuery, ConsentReceipt> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONSENT_READ_MODEL) private readonly readModel: ConsentReadModel,
  ) {}
  async execute(q: ReceiptOfEventQuery): Promise<ConsentReceipt> {
    const id = 'eventId' in q.of ? q.of.eventId : q.of.consentId;
    const receiptId = !isUuid(id)
      ? null
      : 'eventId' in q.of
        ? await this.readModel.receiptOfEvent(q.tenantId, id)
        : await this.readModel.receiptOfConsent(q.tenantId, id);
    if (!receiptId) throw notFound('RECEIPT');
    return receipt(this.store, this.readModel, q.tenantId, receiptId);
  }
}

export class ConsentOverviewQuery extends Query<PurposeOverview[]> {
  constructor(readonly tenantId: string) {
    super();
  }
}

@QueryHandler(ConsentOverviewQuery)
export class ConsentOverviewHandler implements IQueryHandler<ConsentOverviewQuery, PurposeOverview[]> {
  constructor(@Inject(CONSENT_READ_MODEL) private readonly readModel: ConsentReadModel) {}
  execute(q: ConsentOverviewQuery): Promise<PurposeOverview[]> {
    return this.readModel.overview(q.tenantId);
  }
}
