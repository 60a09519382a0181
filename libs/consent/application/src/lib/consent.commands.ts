import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  consentDecider,
  consentStreamId,
  purposesDecider,
  purposesStreamId,
  type Channel,
  type ConsentCommand,
  type ConsentScope,
  type CrossBorder,
  type Evidence,
  type Guardian,
  type PurposeCommand,
} from '@attest/consent-domain';
import { EVENT_STORE, handleWithDecider, type EventStore } from '@attest/event-store';
import { DomainError, uuidv7, type Clock } from '@attest/kernel';
import { CLOCK, metadataFor, type CommandContext } from '@attest/security';
import { CONSENT_PROJECTOR, CONSENT_READ_MODEL, type ConsentProjector, type ConsentReadModel } from './ports';
import { receiptOf, type ConsentReceipt } from './receipts';

export type PurposeAction = PurposeCommand extends infer C ? (C extends PurposeCommand ? Omit<C, 'tenantId' | 'actor'> : never) : never;

/** The tenant's register of purposes (K5, K6). */
export class RunPurposeCommand extends Command<{ events: string[]; position: string | null }> {
  constructor(
    readonly context: CommandContext,
    readonly action: PurposeAction,
  ) {
    super();
  }
}

@CommandHandler(RunPurposeCommand)
export class RunPurposeCommandHandler implements ICommandHandler<RunPurposeCommand, { events: string[]; position: string | null }> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONSENT_PROJECTOR) private readonly projector: ConsentProjector,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RunPurposeCommand): Promise<{ events: string[]; position: string | null }> {
    const { tenantId, actor } = command.context;
    const streamId = purposesStreamId(tenantId);
    const result = await handleWithDecider(
      this.store,
      purposesDecider,
      streamId,
      { ...command.action, tenantId, actor },
      metadataFor(command.context, this.clock.now()),
    );
    if (result.events.length > 0) await this.projector.projectStream(streamId);
    return { events: result.events.map((e) => e.type), position: result.position };
  }
}

export interface GrantRequest {
  readonly purposeKey: string;
  readonly channel: Channel;
  readonly scope: ConsentScope;
  readonly thirdParty: { readonly name: string } | null;
  readonly crossBorder: CrossBorder | null;
  readonly evidence: Evidence;
  readonly guardian: Guardian | null;
}

export interface WithdrawRequest {
  readonly purposeKey: string;
  readonly channel: Channel;
  readonly scope: ConsentScope;
  readonly thirdParty: { readonly name: string } | null;
  readonly country: string | null;
  readonly method: string;
  readonly source: string;
}

/** K1–K4: grant or withdraw one consent of one subject; answers with the receipt. */
export class ChangeConsentCommand extends Command<ConsentReceipt> {
  constructor(
    readonly context: CommandContext,
    readonly customerId: string,
    readonly change: ({ readonly action: 'grant' } & GrantRequest) | ({ readonly action: 'withdraw' } & WithdrawRequest),
  ) {
    super();
  }
}

@CommandHandler(ChangeConsentCommand)
export class ChangeConsentHandler implements ICommandHandler<ChangeConsentCommand, ConsentReceipt> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONSENT_PROJECTOR) private readonly projector: ConsentProjector,
    @Inject(CONSENT_READ_MODEL) private readonly readModel: ConsentReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: ChangeConsentCommand): Promise<ConsentReceipt> {
    const { tenantId } = command.context;
    const { change, customerId } = command;
    const { purpose, subjects } = await this.readModel.decisionFacts(tenantId, [customerId], change.purposeKey);
    const subject = subjects.get(customerId);
    if (!subject?.exists) throw new DomainError('CUSTOMER.NOT_FOUND', 'no such customer', 'not_found');
    if (subject.erased) throw new DomainError('CUSTOMER.ERASED', 'this customer was erased; nothing can be recorded for them', 'conflict');
    const receiptId = uuidv7();
    const domain: ConsentCommand =
      change.action === 'grant'
        ? {
            kind: 'GrantConsent',
            tenantId,
            customerId,
            consentId: uuidv7(),
            receiptId,
            purpose,
            purposeKey: change.purposeKey,
            subjectUnder14: subject.under14,
            channel: change.channel,
            scope: change.scope,
            thirdParty: change.thirdParty,
            crossBorder: change.crossBorder,
            evidence: change.evidence,
            guardian: change.guardian,
          }
        : {
            kind: 'WithdrawConsent',
            tenantId,
            customerId,
            receiptId,
            purposeKey: change.purposeKey,
            channel: change.channel,
            scope: change.scope,
            thirdParty: change.thirdParty,
            country: change.country,
            method: change.method,
            source: change.source,
          };
    const streamId = consentStreamId(customerId);
    const result = await handleWithDecider(this.store, consentDecider, streamId, domain, metadataFor(command.context, this.clock.now()));
    await this.projector.projectStream(streamId);
    // The receipt is of the event just appended, as appended: no second read of the stream.
    const recorded = result.appended[result.appended.length - 1] ?? (await this.store.readStream(streamId, { fromRevision: result.revision, maxCount: 1 }))[0];
    if (!recorded) throw new Error('the consent event was not found after appending it');
    const receipt = receiptOf(recorded, purpose);
    return result.position ? { ...receipt, consistencyToken: result.position } : receipt;
  }
}
