import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@attest/event-store';
import type { Clock } from '@attest/kernel';
import { isErased } from '@attest/privacy';
import type { RequesterRelation } from '@attest/requests-domain';
import { CLOCK, PROCESSING_JOURNAL, type ProcessingJournal } from '@attest/security';
import { history } from './request-history';

/** Who reads personal data, and why (C3): the read is recorded in the processing record with these. */
export interface ContactReader {
  readonly actor: string;
  readonly purpose: string;
  readonly correlationId: string;
}

/** A request's requester contact, decrypted for one read with a declared purpose. */
export interface RequesterContactView {
  readonly requestId: string;
  readonly relation: RequesterRelation;
  /** Null when none was given, or when the request's key was destroyed (`erased`). */
  readonly email: string | null;
  readonly phone: string | null;
  /** The request's own key is gone (its retention ended): the contact can no longer be read. */
  readonly erased: boolean;
  /** The processing-record journal entry this read was recorded as (for "who looked"). */
  readonly recordedAs: string;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Reveals the requester's contact of one request (the e-mail or phone the code and the answer go
 * to): personal data sealed under the request's own key, decrypted in memory for this answer only.
 * Every reveal is recorded first as a read in the processing record — actor, purpose, the subject
 * the request is about, category `request-contact` — and the answer names that entry.
 */
@Injectable()
export class RequesterContacts {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROCESSING_JOURNAL) private readonly journal: ProcessingJournal,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async reveal(tenantId: string, requestId: string, reader: ContactReader): Promise<RequesterContactView> {
    const { events, state } = await history(this.store, tenantId, requestId);
    const received = events.find((e) => e.type === 'DataSubjectRequestReceived.v1');
    if (received?.type !== 'DataSubjectRequestReceived.v1') throw new Error(`request ${requestId} has no receipt event`);
    const contact: { readonly email: unknown; readonly phone: unknown } = received.data.requester.contact;
    const erased = isErased(contact.email) || isErased(contact.phone);
    const [recordedAs = ''] = await this.journal.record([
      {
        tenantId,
        kind: 'read',
        actor: reader.actor,
        subjectId: state.customerId,
        purpose: reader.purpose,
        channel: null,
        dataCategories: ['request-contact'],
        outcome: null,
        reasons: [],
        legalBasis: null,
        correlationId: reader.correlationId,
        commandId: null,
        at: this.clock.now(),
      },
    ]);
    return {
      requestId,
      relation: received.data.requester.relation,
      email: text(contact.email),
      phone: text(contact.phone),
      erased,
      recordedAs,
    };
  }
}
