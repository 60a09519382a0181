import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@attest/event-store';
import { DomainError, fold, isIsoDate, uuidv7, type Clock } from '@attest/kernel';
import {
  notCarriable,
  requestDecider,
  type RequestChannel,
  type RequestCommand,
  type Requester,
  type RequestOutcome,
  type RequestScope,
  type RequestType,
} from '@attest/requests-domain';
import { CLOCK, type CommandContext } from '@attest/security';
import { DeletionProcess } from './deletion.process';
import { history, runStep, type Appended } from './request-history';
import {
  REQUEST_POLICIES,
  REQUESTS_PROJECTOR,
  SUBJECT_EXPORT,
  SUBJECT_RIGHTS,
  VERIFICATION_CODES,
  type RequestPolicies,
  type KeptField,
  type RequestsProjector,
  type SubjectExport,
  type SubjectRights,
  type VerificationCodes,
} from './ports';

type Omitted = 'tenantId' | 'actor' | 'now';
/** The lifecycle steps a handler takes directly (D2). */
export type RequestStep =
  Extract<
    RequestCommand,
    { kind: 'VerifyByHandler' | 'AssignRequest' | 'EscalateRequest' | 'ExtendRequest' | 'StartRequest' | 'RejectRequest' | 'CommentOnRequest' }
  > extends infer C
    ? C extends RequestCommand
      ? Omit<C, Omitted>
      : never
    : never;

export class ReceiveRequestCommand extends Command<Appended> {
  constructor(
    readonly context: CommandContext,
    readonly request: {
      customerId: string;
      requestType: RequestType;
      channel: RequestChannel;
      requester: Requester;
      scope: RequestScope;
      /** Manual intake: when it actually arrived (ISO instant); otherwise now. */
      receivedAt?: string;
    },
  ) {
    super();
  }
}

/** D1/D2: a request is received for a subject the tenant holds, under the tenant's deadline policy in force now. */
@CommandHandler(ReceiveRequestCommand)
export class ReceiveRequestHandler implements ICommandHandler<ReceiveRequestCommand, Appended> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REQUESTS_PROJECTOR) private readonly projector: RequestsProjector,
    @Inject(REQUEST_POLICIES) private readonly policies: RequestPolicies,
    @Inject(SUBJECT_RIGHTS) private readonly subjects: SubjectRights,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: ReceiveRequestCommand): Promise<Appended> {
    const now = this.clock.now();
    const { tenantId, actor } = c.context;
    const unknown = c.request.scope.fields.filter((f) => !this.subjects.correctableFields.includes(f));
    if (unknown.length > 0) throw new DomainError('DSR.FIELD_UNKNOWN', `not a profile field: ${unknown.join(', ')}`, 'invalid');
    if (!(await this.subjects.exists(tenantId, c.request.customerId)))
      throw new DomainError('DSR.SUBJECT_NOT_FOUND', 'the tenant holds no customer with this id', 'not_found');
    const { policy, calendar } = await this.policies.get(tenantId);
    return runStep(
      this.store,
      this.projector,
      c.context,
      { ...c.request, kind: 'ReceiveRequest', requestId: uuidv7(), tenantId, actor, now: now.toISOString(), policy, calendar },
      now,
    );
  }
}

export class RunRequestStepCommand extends Command<Appended> {
  constructor(
    readonly context: CommandContext,
    readonly step: RequestStep,
    /** false: the caller projects the stream itself, with others (a bulk job); the workers would anyway. */
    readonly projectInline = true,
  ) {
    super();
  }
}

@CommandHandler(RunRequestStepCommand)
export class RunRequestStepHandler implements ICommandHandler<RunRequestStepCommand, Appended> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REQUESTS_PROJECTOR) private readonly projector: RequestsProjector,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(c: RunRequestStepCommand): Promise<Appended> {
    const now = this.clock.now();
    return runStep(
      this.store,
      c.projectInline ? this.projector : null,
      c.context,
      { ...c.step, tenantId: c.context.tenantId, actor: c.context.actor, now: now.toISOString() },
      now,
    );
  }
}

export class SendVerificationCodeCommand extends Command<{ challengeId: string; expiresAt: string }> {
  constructor(
    readonly context: CommandContext,
    readonly requestId: string,
  ) {
    super();
  }
}

/** D2: a one-time code to the contact the request came with, through the outbox. */
@CommandHandler(SendVerificationCodeCommand)
export class SendVerificationCodeHandler implements ICommandHandler<SendVerificationCodeCommand, { challengeId: string; expiresAt: string }> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REQUESTS_PROJECTOR) private readonly projector: RequestsProjector,
    @Inject(VERIFICATION_CODES) private readonly codes: VerificationCodes,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: SendVerificationCodeCommand): Promise<{ challengeId: string; expiresAt: string }> {
    const now = this.clock.now();
    const { tenantId, actor } = c.context;
    const { events, recorded } = await history(this.store, tenantId, c.requestId);
    const received = events.find((e) => e.type === 'DataSubjectRequestReceived.v1');
    if (received?.type !== 'DataSubjectRequestReceived.v1') throw new DomainError('DSR.NOT_FOUND', 'no such request', 'not_found');
    const contact = received.data.requester.contact;
    if (typeof contact.email !== 'string' && typeof contact.phone !== 'string') {
      throw new DomainError('DSR.CONTACT_ERASED', "the requester's contact is no longer readable; verify the identity another way", 'conflict');
    }
    // Refused before a code is sent (closed, verified, too many codes): checked on the current state.
    const probe = {
      kind: 'SendVerificationCode' as const,
      requestId: c.requestId,
      tenantId,
      actor,
      now: now.toISOString(),
      challengeId: uuidv7(),
      expiresAt: now.toISOString(),
    };
    requestDecider.decide(probe, fold(requestDecider, events));
    const issued = await this.codes.issue({ tenantId, requestId: c.requestId, contact, now });
    await runStep(
      this.store,
      this.projector,
      c.context,
      { ...probe, challengeId: issued.challengeId, expiresAt: issued.expiresAt.toISOString() },
      now,
      recorded,
    );
    return { challengeId: issued.challengeId, expiresAt: issued.expiresAt.toISOString() };
  }
}

export class AnswerVerificationCodeCommand extends Command<Appended> {
  constructor(
    readonly context: CommandContext,
    readonly requestId: string,
    readonly challengeId: string,
    readonly code: string,
  ) {
    super();
  }
}

/** D2: a wrong code is recorded (attempts are counted in the stream) and refused. */
@CommandHandler(AnswerVerificationCodeCommand)
export class AnswerVerificationCodeHandler implements ICommandHandler<AnswerVerificationCodeCommand, Appended> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REQUESTS_PROJECTOR) private readonly projector: RequestsProjector,
    @Inject(VERIFICATION_CODES) private readonly codes: VerificationCodes,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: AnswerVerificationCodeCommand): Promise<Appended> {
    const now = this.clock.now();
    const { tenantId, actor } = c.context;
    const matches = await this.codes.matches(tenantId, c.requestId, c.challengeId, c.code);
    const result = await runStep(
      this.store,
      this.projector,
      c.context,
      { kind: 'AnswerVerificationCode', requestId: c.requestId, tenantId, actor, now: now.toISOString(), challengeId: c.challengeId, matches },
      now,
    );
    if (!matches) throw new DomainError('DSR.CODE_INVALID', 'the code is not valid', 'invalid');
    return result;
  }
}

export class ExecuteRequestCommand extends Command<{ requestId: string; outcome: RequestOutcome }> {
  constructor(
    readonly context: CommandContext,
    readonly requestId: string,
    /** correction: the corrected values of the fields the request named. */
    readonly corrections: Readonly<Record<string, string | null>> | null,
    /** deletion (D5): fields kept under a legal hold, with the reason and until when. */
    readonly holds: readonly KeptField[] = [],
  ) {
    super();
  }
}

/**
 * D1: carries out a restriction, a withdrawal of consent or a correction
 * through the contexts that own the data, then completes the request with
 * what was done; a deletion runs as the durable `DeletionProcess`. Repeating it after a crash does nothing twice: each effect
 * is idempotent and completion is refused once completed.
 */
@CommandHandler(ExecuteRequestCommand)
export class ExecuteRequestHandler implements ICommandHandler<ExecuteRequestCommand, { requestId: string; outcome: RequestOutcome }> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REQUESTS_PROJECTOR) private readonly projector: RequestsProjector,
    @Inject(SUBJECT_RIGHTS) private readonly subjects: SubjectRights,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly deletions: DeletionProcess,
    @Inject(SUBJECT_EXPORT) private readonly exports: SubjectExport,
  ) {}

  async execute(c: ExecuteRequestCommand): Promise<{ requestId: string; outcome: RequestOutcome }> {
    const { tenantId, actor } = c.context;
    const read = await history(this.store, tenantId, c.requestId);
    const { state, events } = read;
    if (state.requestType === 'deletion' && state.status === 'in-progress') {
      const today = this.clock.now().toISOString().slice(0, 10);
      for (const h of c.holds) {
        if (!this.subjects.correctableFields.includes(h.field)) throw new DomainError('DSR.FIELD_UNKNOWN', `not a profile field: ${h.field}`, 'invalid');
        if (!isIsoDate(h.until) || h.until <= today) throw new DomainError('DSR.HOLD_INVALID', 'a legal hold lasts until a date after today', 'invalid');
      }
      return { requestId: c.requestId, outcome: await this.deletions.run(c.context, c.requestId, c.holds, read) };
    }
    if (c.holds.length > 0) throw new DomainError('DSR.HOLD_INVALID', 'legal holds apply to deletions only', 'invalid');
    const refusal = notCarriable(state);
    if (refusal) throw new DomainError(refusal.code, refusal.message, 'conflict');
    const received = events.find((e) => e.type === 'DataSubjectRequestReceived.v1');
    if (received?.type !== 'DataSubjectRequestReceived.v1') throw new DomainError('DSR.NOT_FOUND', 'no such request', 'not_found');
    const { customerId, scope } = received.data;
    let outcome: RequestOutcome;
    switch (state.requestType) {
      case 'restriction': {
        const changed = await this.subjects.restrict(c.context, customerId, c.requestId);
        outcome = { summary: changed ? 'processing restricted to storage and security' : 'processing was already restricted', documentId: null, retained: [] };
        break;
      }
      case 'withdrawal': {
        const purposes = await this.subjects.withdrawConsents(c.context, customerId, scope.purposes, c.requestId);
        outcome = {
          summary: purposes.length > 0 ? `consent withdrawn for: ${purposes.join(', ')}` : 'no consent was in force',
          documentId: null,
          retained: [],
        };
        break;
      }
      case 'correction': {
        const changes = c.corrections ?? {};
        const outside = Object.keys(changes).filter((f) => !scope.fields.includes(f));
        if (outside.length > 0) throw new DomainError('DSR.FIELDS_OUTSIDE_REQUEST', `the request does not ask to correct: ${outside.join(', ')}`, 'invalid');
        const missing = scope.fields.filter((f) => !(f in changes));
        if (missing.length > 0) throw new DomainError('DSR.CORRECTIONS_MISSING', `give the corrected value of: ${missing.join(', ')}`, 'invalid');
        const fields = await this.subjects.correct(c.context, customerId, changes);
        outcome = { summary: `corrected: ${fields.join(', ')}`, documentId: null, retained: [] };
        break;
      }
      case 'access': {
        const made = await this.exports.build(c.context, customerId, c.requestId);
        outcome = {
          summary: `access export produced: profile, ${made.followUps.length} follow-ups, ${made.consents.length} consent receipts, ${made.processing.length} processing records, ${made.requests.length} requests; download it from the request`,
          documentId: null,
          retained: [],
        };
        break;
      }
      default:
        throw new DomainError('DSR.NOT_EXECUTABLE_HERE', `a ${String(state.requestType)} request is not carried out by this endpoint`, 'conflict');
    }
    const now = this.clock.now();
    await runStep(
      this.store,
      this.projector,
      c.context,
      { kind: 'CompleteRequest', requestId: c.requestId, tenantId, actor, now: now.toISOString(), outcome },
      now,
      read.recorded,
    );
    return { requestId: c.requestId, outcome };
  }
}
