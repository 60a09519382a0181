import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStoreError, type EventStore } from '@attest/event-store';
import { DomainError, isoDate, uuidv7, type Clock } from '@attest/kernel';
import { notCarriable, type RequestOutcome } from '@attest/requests-domain';
import { CLOCK, type CommandContext } from '@attest/security';
import { history, runStep, type RequestHistory } from './request-history';
import {
  DELETION_EVIDENCE,
  DELETION_LEDGER,
  REQUEST_POLICIES,
  REQUESTS_PROJECTOR,
  SUBJECT_RIGHTS,
  type DeletionEvidence,
  type RequestPolicies,
  type DeletionLedger,
  type DeletionState,
  type KeptField,
  type RequestsProjector,
  type SubjectRights,
} from './ports';

/**
 * D4/D7: deletion as a durable process. Its steps — erase (event, read
 * models, the processing record's delete entry, then the key), certify,
 * notify downstream through the outbox, complete the request — are each
 * idempotent and recorded in the ledger as they finish. Killed at any point,
 * `resume` (at start-up, or by running the request again) continues from
 * the step it stood at; running it twice changes nothing more.
 */
@Injectable()
export class DeletionProcess {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REQUESTS_PROJECTOR) private readonly projector: RequestsProjector,
    @Inject(SUBJECT_RIGHTS) private readonly subjects: SubjectRights,
    @Inject(DELETION_EVIDENCE) private readonly evidence: DeletionEvidence,
    @Inject(DELETION_LEDGER) private readonly ledger: DeletionLedger,
    @Inject(REQUEST_POLICIES) private readonly policies: RequestPolicies,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Starts (or continues) the deletion a request asks for; the request must be in progress or already done by it. */
  async run(context: CommandContext, requestId: string, holds: readonly KeptField[] = [], read?: RequestHistory): Promise<RequestOutcome> {
    const request = read ?? (await history(this.store, context.tenantId, requestId));
    const { state, events } = request;
    if (state.requestType !== 'deletion') throw new DomainError('DSR.NOT_A_DELETION', 'this request does not ask for deletion', 'conflict');
    const existing = await this.ledger.get(context.tenantId, requestId);
    const refusal = existing ? null : notCarriable(state);
    if (refusal) throw new DomainError(refusal.code, refusal.message, 'conflict');
    const received = events.find((e) => e.type === 'DataSubjectRequestReceived.v1');
    if (received?.type !== 'DataSubjectRequestReceived.v1') throw new DomainError('DSR.NOT_FOUND', 'no such request', 'not_found');
    const begun = existing ?? (await this.ledger.begin(context.tenantId, requestId, received.data.customerId, holds, this.clock.now()));
    try {
      return await this.continue(context, begun, received.data.receivedAt, request);
    } catch (error) {
      // A refusal, or the event store's own answer (a conflict is retried by the caller): not a failed step.
      if (error instanceof DomainError || error instanceof EventStoreError) throw error;
      const step = (await this.ledger.get(context.tenantId, requestId))?.step ?? begun.step;
      if (step === 'done') throw error;
      const code = failureCode(error);
      await this.ledger.failed(requestId, { step, code, at: this.clock.now().toISOString() });
      throw new DomainError(
        'DSR.DELETION_STEP_FAILED',
        `the ${step} step of this deletion did not finish (${code}); the steps before it stand and none runs twice: carry out the request again to continue from this step`,
        'unavailable',
        { step, cause: code },
      );
    }
  }

  /** Every deletion a stopped process left unfinished, continued as the system. */
  async resumeUnfinished(): Promise<number> {
    let resumed = 0;
    for (const state of await this.ledger.unfinished()) {
      const context: CommandContext = { tenantId: state.tenantId, actor: 'system:deletion-resume', correlationId: state.requestId, commandId: uuidv7() };
      await this.run(context, state.requestId);
      resumed += 1;
    }
    return resumed;
  }

  /** `request`: the request as read when this run began; no step of a deletion writes to its stream before completing it. */
  private async continue(context: CommandContext, initial: DeletionState, receivedAt: string, request: RequestHistory): Promise<RequestOutcome> {
    let state = initial;
    const reload = async (): Promise<DeletionState> => {
      const next = await this.ledger.get(state.tenantId, state.requestId);
      if (!next) throw new Error(`deletion ledger lost request ${state.requestId}`);
      return next;
    };
    if (state.step === 'erase') {
      // D5: the tenant's retention duties, and the legal holds named for this deletion (a hold wins for its field).
      const now = this.clock.now();
      const { retentionDuties } = await this.policies.get(state.tenantId);
      const keep = new Map<string, KeptField>();
      for (const d of retentionDuties)
        keep.set(d.field, {
          field: d.field,
          reason: d.reason,
          until: isoDate(new Date(Date.UTC(now.getUTCFullYear() + d.years, now.getUTCMonth(), now.getUTCDate()))),
        });
      for (const h of state.holds) keep.set(h.field, h);
      const erasure = await this.subjects.erase(context, state.customerId, state.requestId, [...keep.values()], now);
      await this.ledger.erased(state.requestId, erasure, this.clock.now());
      state = await reload();
    }
    if (state.step === 'certify') {
      if (!state.erasure) throw new Error(`deletion of request ${state.requestId} has no erasure recorded`);
      const certificate = await this.evidence.certify({
        tenantId: state.tenantId,
        requestId: state.requestId,
        customerId: state.customerId,
        receivedAt,
        erasure: state.erasure,
        now: this.clock.now(),
      });
      await this.ledger.certified(state.requestId, certificate, this.clock.now());
      state = await reload();
    }
    if (state.step === 'notify') {
      await this.ledger.notifyDownstream(state, this.clock.now());
      state = await reload();
    }
    const outcome: RequestOutcome = {
      summary: `personal data erased: ${(state.erasure?.covered ?? []).join(', ')}`,
      documentId: state.certificate?.certificate.certificateId ?? null,
      retained: (state.erasure?.retained ?? []).map((r) => ({ category: r.category, reason: `${r.reason} (kept until ${r.until})` })),
    };
    if (state.step === 'complete') {
      const now = this.clock.now();
      // Completed already (a repeat after the request's event but before the ledger moved): nothing to append.
      // The request as read when this run began (a write since makes the append fail, and the run is retried).
      if (request.state.status === 'in-progress') {
        await runStep(
          this.store,
          this.projector,
          context,
          { kind: 'CompleteRequest', requestId: state.requestId, tenantId: state.tenantId, actor: context.actor, now: now.toISOString(), outcome },
          now,
          request.recorded,
        );
      }
      await this.ledger.completed(state.requestId, now);
    }
    return outcome;
  }
}

/** An error's code for the record: Postgres' SQLSTATE or the error's class; never its message (it could quote personal data). */
function failureCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `SQLSTATE.${code}`;
  return error instanceof Error ? error.name : 'Unknown';
}
