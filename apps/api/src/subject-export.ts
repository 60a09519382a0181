import { QueryBus } from '@nestjs/cqrs';
import { ConsentHistoryQuery, type ConsentReceipt } from '@attest/consent-application';
import type { CustomersReadModel } from '@attest/customers-application';
import { PROFILE_FIELDS } from '@attest/customers-domain';
import type { Clock } from '@attest/kernel';
import { DomainError } from '@attest/kernel';
import type { ProcessingRecordService } from '@attest/processing-application';
import type { AccessExport, RequestsReadModel, SubjectExport } from '@attest/requests-application';
import type { CommandContext, ProcessingJournal } from '@attest/security';

/** A subject's processing records in the export: at most this many (newest first). */
const MAX_RECORDS = 100_000;
/** Records read per query: one round trip (and one pseudonym lookup) per 5,000 records, not per 200. */
const RECORD_PAGE = 5_000;

/**
 * D1 access and portability: the profile and follow-ups (decrypted in
 * memory), the consent history with its evidence, the processing record's
 * entries about the subject, and the subject's requests. The export is
 * recorded as processing before it is returned.
 */
export class ContextSubjectExport implements SubjectExport {
  constructor(
    private readonly queries: QueryBus,
    private readonly customers: CustomersReadModel,
    private readonly record: ProcessingRecordService,
    private readonly requests: RequestsReadModel,
    private readonly journal: ProcessingJournal,
    private readonly clock: Clock,
  ) {}

  async build(context: CommandContext, customerId: string, requestId: string): Promise<AccessExport> {
    const { tenantId } = context;
    const now = this.clock.now();
    const customer = await this.customers.get(tenantId, customerId);
    const profile = (await this.customers.profiles(tenantId, [customerId])).get(customerId);
    if (!customer || !profile) throw new DomainError('DSR.SUBJECT_ERASED', "the subject's data is erased or gone: there is nothing to export", 'conflict');
    // The four reads depend on each other in nothing: they run at once.
    const [followUps, consents, requests, processing] = await Promise.all([
      this.customers.followUps(tenantId, customerId, true),
      this.queries.execute<ConsentHistoryQuery, ConsentReceipt[]>(new ConsentHistoryQuery(tenantId, customerId)),
      this.requests.forCustomer(tenantId, customerId, now),
      this.processingOf(tenantId, customerId),
    ]);
    const categories = [
      ...new Set(
        Object.keys(profile).map((f) => {
          const c = (PROFILE_FIELDS as Readonly<Record<string, string>>)[f];
          return c === undefined || c === 'personal' ? `profile.${f}` : c;
        }),
      ),
    ].sort();
    await this.journal.record([
      {
        tenantId,
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
        at: now,
      },
    ]);
    return {
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
      followUps: followUps.map((f) => ({ followUpId: f.followUpId, channel: f.channel, note: f.note, dueOn: f.dueOn, recordedAt: f.recordedAt.toISOString() })),
      consents: consents.map((c) => ({ ...c })),
      processing,
      requests,
    };
  }

  /** The subject's processing records, newest first, at most MAX_RECORDS. */
  private async processingOf(tenantId: string, customerId: string): Promise<Readonly<Record<string, unknown>>[]> {
    const processing: Readonly<Record<string, unknown>>[] = [];
    for (let cursor: string | null = null; processing.length < MAX_RECORDS;) {
      const page = await this.record.query(tenantId, { subjectId: customerId }, RECORD_PAGE, cursor);
      for (const r of page.records) processing.push({ ...r });
      if (!page.next) break;
      cursor = page.next;
    }
    return processing;
  }
}
