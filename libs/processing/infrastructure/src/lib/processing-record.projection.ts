import { groupBy, type JsonObject } from '@attest/kernel';
import type { RecordedEvent } from '@attest/event-store';
import type { RecordDraft } from '@attest/processing-domain';
import type { Projection } from '@attest/projections';
import { NON_PROCESSING, STANDARD_MEASURES, type ProcessingMap, type ProcessingRule } from '@attest/security';
import type { PostgresRecordLog } from './record-log';

/** Subject id → pseudonym, per tenant (the vault's keyed, erasable mapping). */
export interface Pseudonymizer {
  pseudonyms(tenantId: string, subjectIds: readonly string[]): Promise<Map<string, string>>;
}

const text = (data: JsonObject, field: string | undefined): string | null => {
  if (!field) return null;
  const v = data[field];
  return typeof v === 'string' && v.length > 0 ? v : null;
};

/** The record an event is, by its rule; `subject` is already the pseudonym. */
export function draftFromEvent(event: RecordedEvent, rule: ProcessingRule, subject: string | null): RecordDraft {
  const m = event.metadata;
  return {
    tenantId: m.tenantId,
    sourceId: event.id,
    kind: rule.kind,
    categories: [...(typeof rule.categories === 'function' ? rule.categories(event.data) : rule.categories)],
    purpose: rule.purpose ?? text(event.data, rule.purposeField) ?? m.purpose ?? null,
    method: rule.method ?? (m.actor.startsWith('system:') ? 'automated' : 'interactive'),
    measures: [...(rule.measures ?? STANDARD_MEASURES)],
    legalBasis: rule.legalBasis ?? null,
    actor: m.actor,
    subject,
    at: m.occurredAt,
    eventId: event.id,
    commandId: m.commandId,
    correlationId: m.correlationId,
    channel: text(event.data, 'channel'),
    outcome: null,
    reasons: [],
    consents: [],
  };
}

export class UnmappedEventTypeError extends Error {
  override readonly name = 'UnmappedEventTypeError';
}

/**
 * Domain events → processing records (P1), in the same transaction as the
 * checkpoint: every event of a processing type is recorded exactly once.
 * Append-only: it is never reset or rebuilt (a rebuild would be a rewrite).
 */
export function processingRecordProjection(map: ProcessingMap, log: PostgresRecordLog, pseudonymizer: Pseudonymizer): Projection {
  return {
    name: 'processing-record',
    version: 1,
    appendOnly: true,
    async apply(events, manager) {
      const pending: { event: RecordedEvent; rule: ProcessingRule; subjectId: string | null }[] = [];
      for (const event of events) {
        const rule = map[event.type];
        if (rule === undefined)
          throw new UnmappedEventTypeError(`event type ${event.type} is neither mapped to a processing record nor declared non-processing`);
        if (rule === NON_PROCESSING) continue;
        pending.push({ event, rule, subjectId: text(event.data, rule.subject) });
      }
      if (pending.length === 0) return;
      const drafts: RecordDraft[] = [];
      const named = pending.flatMap((p) => (p.subjectId ? [{ tenantId: p.event.metadata.tenantId, subjectId: p.subjectId }] : []));
      const byTenant = groupBy(
        named,
        (p) => p.tenantId,
        (p) => p.subjectId,
      );
      const pseudonyms = new Map<string, Map<string, string>>();
      for (const [tenantId, subjects] of byTenant) pseudonyms.set(tenantId, await pseudonymizer.pseudonyms(tenantId, subjects));
      for (const p of pending) {
        const subject = p.subjectId ? (pseudonyms.get(p.event.metadata.tenantId)?.get(p.subjectId) ?? null) : null;
        drafts.push(draftFromEvent(p.event, p.rule, subject));
      }
      await log.append(manager, drafts);
    },
    reset() {
      return Promise.reject(new Error('the processing record is append-only: it is never reset or rebuilt'));
    },
  };
}
