import { QueryBus } from '@nestjs/cqrs';
import { ConsentHistoryQuery, type ConsentReceipt } from '@attest/consent-application';
import type { CustomersReadModel } from '@attest/customers-application';
import { PROFILE_FIELDS } from '@attest/customers-domain';
import { Channel, DomainError, type Clock } from '@attest/kernel';
import type { ProcessingRecordService } from '@attest/processing-application';
import type { AccessExport, RequestsReadModel, SubjectExport } from '@attest/requests-application';
import type { CommandContext, ProcessingJournal } from '@attest/security';

/** A subject's processing records in the export: at most this many (newest first). */
const MAX_RECORDS = 100_000;
/** Records read per query: one round trip (and one pseudonym lookup) per 5,000 records, not per 200. */
const RECORD_PAGE = 5_000;

/** A page of the processing record's entries about the subject, as the record's query gives them. */
type Section = Awaited<ReturnType<ProcessingRecordService['query']>>['records'];
/** The export without its processing records, and the data categories it discloses. */
interface Head {
  readonly document: Omit<AccessExport, 'processing'>;
  readonly categories: readonly string[];
}

/**
 * D1 access and portability: the profile and follow-ups (decrypted in
 * memory), the consent history with its evidence, the processing record's
 * entries about the subject, and the subject's requests. The export is
 * recorded as processing before it is returned, or before its first piece
 * is sent (`open`).
 */
export class ContextSubjectExport implements SubjectExport {
  constructor(
    private readonly queries: QueryBus,
    private readonly customers: CustomersReadModel,
    private readonly record: ProcessingRecordService,
    private readonly requests: RequestsReadModel,
    private readonly journal: ProcessingJournal,
    private readonly clock: Clock,
    private readonly page: number = RECORD_PAGE,
  ) {}

  async build(context: CommandContext, customerId: string, requestId: string): Promise<AccessExport> {
    const now = this.clock.now();
    const reader = this.processingPages(context.tenantId, customerId);
    const head = await this.head(context.tenantId, customerId, requestId, now).catch((error: unknown) => {
      reader.stop();
      throw error;
    });
    const processing: Readonly<Record<string, unknown>>[] = [];
    for await (const page of reader.pages) for (const r of page) processing.push({ ...r });
    await this.recordExport(context, customerId, head.categories, now);
    const { requests, ...rest } = head.document;
    return { ...rest, processing, requests };
  }

  async open(context: CommandContext, customerId: string, requestId: string): Promise<AsyncIterable<string>> {
    const now = this.clock.now();
    // The first page is read while the rest of the export is, and has come before anything is
    // recorded or sent: a failure up to here is answered as a problem, with nothing disclosed.
    const reader = this.processingPages(context.tenantId, customerId);
    const [head] = await Promise.all([this.head(context.tenantId, customerId, requestId, now), reader.first]).catch((error: unknown) => {
      reader.stop();
      throw error;
    });
    await this.recordExport(context, customerId, head.categories, now);
    return pieces(head.document, reader.pages);
  }

  /** Everything but the processing records: the checks and reads that come before any of it is disclosed. */
  private async head(tenantId: string, customerId: string, requestId: string, now: Date): Promise<Head> {
    const customer = await this.customers.get(tenantId, customerId);
    const profile = (await this.customers.profiles(tenantId, [customerId])).get(customerId);
    if (!customer || !profile) throw new DomainError('DSR.SUBJECT_ERASED', "the subject's data is erased or gone: there is nothing to export", 'conflict');
    // The reads depend on each other in nothing: they run at once (the processing records' first page too).
    const [followUps, consents, requests] = await Promise.all([
      this.customers.followUps(tenantId, customerId, true),
      this.queries.execute<ConsentHistoryQuery, ConsentReceipt[]>(new ConsentHistoryQuery(tenantId, customerId)),
      this.requests.forCustomer(tenantId, customerId, now),
    ]);
    const categories = [
      ...new Set(
        Object.keys(profile).map((f) => {
          const c = (PROFILE_FIELDS as Readonly<Record<string, string>>)[f];
          return c === undefined || c === 'personal' ? `profile.${f}` : c;
        }),
      ),
    ].sort();
    return {
      categories,
      document: {
        format: 'attest-access-export/v1',
        tenantId,
        requestId,
        generatedAt: now.toISOString(),
        subject: {
          customerId,
          profile,
          tags: customer.tags,
          under14: customer.under14,
          restricted: customer.restricted,
          createdAt: customer.createdAt.toISOString(),
        },
        followUps: followUps.map((f) => ({
          followUpId: f.followUpId,
          channel: f.channel,
          note: f.note,
          dueOn: f.dueOn,
          recordedAt: f.recordedAt.toISOString(),
        })),
        consents: consents.map((c) => ({ ...c })),
        requests,
      },
    };
  }

  private async recordExport(context: CommandContext, customerId: string, categories: readonly string[], at: Date): Promise<void> {
    await this.journal.record([
      {
        tenantId: context.tenantId,
        kind: 'export',
        actor: context.actor,
        subjectId: customerId,
        purpose: 'data-subject-request',
        channel: null,
        dataCategories: [...categories, 'communications', 'consent', 'processing-record'],
        outcome: null,
        reasons: [],
        legalBasis: 'legal-obligation',
        correlationId: context.correlationId,
        commandId: context.commandId,
        at,
      },
    ]);
  }

  /**
   * The subject's processing records, newest first, at most MAX_RECORDS, a page at a time. A reader
   * reads the pages in turn into a channel of two, starting at once: the database reads while the
   * caller handles a page, and memory holds three pages at most (two waiting, one read). A read that
   * fails makes the iteration throw; `stop` (or the iteration's end) closes the channel, and the
   * reader asks for no more. `first` settles with the first page.
   */
  private processingPages(tenantId: string, customerId: string): { pages: AsyncIterable<Section>; first: Promise<unknown>; stop(): void } {
    // Through a promise: a query that throws at once fails its page, as one that rejects does.
    const query = (cursor: string | null): ReturnType<ProcessingRecordService['query']> =>
      Promise.resolve().then(() => this.record.query(tenantId, { subjectId: customerId }, this.page, cursor));
    const first = query(null);
    const channel = new Channel<Section | null>(2);
    const outcome: { failure: { readonly error: unknown } | null } = { failure: null };
    void (async () => {
      try {
        let pending = first;
        for (let taken = 0; ;) {
          const page = await pending;
          const records = page.records.slice(0, MAX_RECORDS - taken);
          taken += records.length;
          await channel.put(records);
          if (channel.isClosed || page.next === null || taken >= MAX_RECORDS) break;
          pending = query(page.next);
        }
      } catch (error) {
        outcome.failure = { error };
      }
      await channel.put(null); // the end, or the failure's place (nothing when the channel is closed)
    })();
    const pages = (async function* read(): AsyncGenerator<Section> {
      try {
        for (let page = await channel.take(); page !== null; page = await channel.take()) yield page;
        if (outcome.failure) throw outcome.failure.error;
      } finally {
        channel.close();
      }
    })();
    return {
      pages,
      first,
      stop: () => {
        channel.close();
      },
    };
  }
}

/**
 * The export as JSON text, in the key order of `build`'s document (`JSON.stringify` of it gives the
 * same text): everything up to the consents, the processing records page by page, then the requests.
 */
async function* pieces(head: Omit<AccessExport, 'processing'>, pages: AsyncIterable<Section>): AsyncGenerator<string> {
  const { requests, ...rest } = head;
  const before = JSON.stringify(rest);
  yield `${before.slice(0, -1)},"processing":[`;
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    const text = JSON.stringify(page);
    yield first ? text.slice(1, -1) : `,${text.slice(1, -1)}`;
    first = false;
  }
  yield `],"requests":${JSON.stringify(requests)}}`;
}
