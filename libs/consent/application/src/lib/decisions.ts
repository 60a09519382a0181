import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decide, type Channel, type DataCategory, type DenyReason, type LegalBasis } from '@attest/consent-domain';
import type { Clock } from '@attest/kernel';
import { CLOCK, PROCESSING_JOURNAL, type CommandContext, type ProcessingEntry, type ProcessingJournal } from '@attest/security';
import { DECISION_FACTS, type Consistency, type DecisionFacts } from './ports';

export interface DecisionQuestion {
  readonly purposeKey: string;
  readonly channel: Channel;
  readonly dataCategories: readonly DataCategory[];
  readonly thirdParty: string | null;
  readonly transferCountry: string | null;
}

export interface RecordedDecision {
  /** The id of the processing-record entry of this decision. */
  readonly decisionId: string;
  readonly customerId: string;
  readonly allow: boolean;
  readonly reasons: readonly DenyReason[];
  readonly legalBasis: LegalBasis | null;
  readonly consentIds: readonly string[];
  readonly decidedAt: string;
  /** The facts reflected the event log through this position (ADR 0016); null when the process could not tell. */
  readonly asOf: string | null;
}

/** Up to this many subjects per bulk call (K8, P7: group sends). */
export const BULK_DECISION_LIMIT = 10_000;

/**
 * P3: "may this principal process these data categories of these subjects
 * for this purpose on this channel now?" One read of the facts for all
 * subjects, the pure policy per subject, and one insert recording every
 * decision before the answer leaves (a decision not recorded is not given).
 */
export class DecideCommand extends Command<RecordedDecision[]> {
  constructor(
    readonly context: CommandContext,
    readonly customerIds: readonly string[],
    readonly question: DecisionQuestion,
    readonly consistency: Consistency = { kind: 'default' },
  ) {
    super();
  }
}

@CommandHandler(DecideCommand)
export class DecideHandler implements ICommandHandler<DecideCommand, RecordedDecision[]> {
  constructor(
    @Inject(DECISION_FACTS) private readonly facts: DecisionFacts,
    @Inject(PROCESSING_JOURNAL) private readonly journal: ProcessingJournal,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: DecideCommand): Promise<RecordedDecision[]> {
    const { tenantId } = command.context;
    const q = command.question;
    const { purpose, tenantActive, subjects, asOf } = await this.facts.facts(tenantId, command.customerIds, q.purposeKey, command.consistency);
    const at = this.clock.now();
    const unknown = { exists: false, erased: false, restricted: false, under14: false, consents: new Map(), withdrawn: new Set<string>() };
    const decisions = command.customerIds.map((customerId) => {
      const s = subjects.get(customerId) ?? unknown;
      return {
        customerId,
        ...decide(q, { purpose, tenantActive, subject: s, consents: s.consents, withdrawn: s.withdrawn }),
      };
    });
    const entries: ProcessingEntry[] = decisions.map((d) => ({
      tenantId,
      kind: 'decision',
      actor: command.context.actor,
      subjectId: d.customerId,
      purpose: q.purposeKey,
      channel: q.channel,
      dataCategories: q.dataCategories,
      outcome: d.allow ? 'allow' : 'deny',
      reasons: d.reasons,
      legalBasis: d.legalBasis,
      correlationId: command.context.correlationId,
      commandId: command.context.commandId,
      at,
      consentIds: d.consentIds,
      asOf,
    }));
    const ids = await this.journal.record(entries);
    return decisions.map((d, i) => ({
      decisionId: ids[i] ?? '',
      customerId: d.customerId,
      allow: d.allow,
      reasons: d.reasons,
      legalBasis: d.legalBasis,
      consentIds: d.consentIds,
      decidedAt: at.toISOString(),
      asOf,
    }));
  }
}
