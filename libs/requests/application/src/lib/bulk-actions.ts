import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { requestStreamId } from '@attest/requests-domain';
import { DomainError, uuidv7, type Clock } from '@attest/kernel';
import { CLOCK, type CommandContext } from '@attest/security';
import {
  BULK_JOBS,
  REQUESTS_READ_MODEL,
  type BulkAction,
  type BulkItemResult,
  type BulkJobItem,
  type BulkJobs,
  type BulkJobView,
  REQUESTS_PROJECTOR,
  type RequestQueueFilter,
  type RequestsProjector,
  type RequestsReadModel,
} from './ports';
import { RunRequestStepCommand, SendVerificationCodeCommand } from './request.commands';

/** The most requests one bulk action may reach. */
export const BULK_ACTION_LIMIT = 20_000;
/** Items carried out at once. */
const CONCURRENCY = 8;
/** Items claimed, carried out and their results recorded together. */
const CLAIM_SIZE = 128;
/** A claimed item not finished within this long is claimed again (its process stopped). */
const CLAIM_TIMEOUT_MS = 60_000;

/**
 * D2 bulk actions on a filter, with exclusions (not just the page a handler sees): the
 * requests the filter matches when the action is asked for become the job's items, stored
 * with the job in one transaction; each item is then carried out as the handler's own
 * command (assign, send a code, reject) and its result kept, so a partial failure lists
 * which requests failed and why. A stopped process leaves items claimed but unfinished;
 * they are claimed again after a minute (or at the next start) and an effect already
 * present (the handler assigned, the request rejected) counts as done, never twice.
 */
@Injectable()
export class BulkActions {
  private draining: Promise<void> | null = null;

  constructor(
    @Inject(BULK_JOBS) private readonly jobs: BulkJobs,
    @Inject(REQUESTS_READ_MODEL) private readonly requests: RequestsReadModel,
    @Inject(REQUESTS_PROJECTOR) private readonly projector: RequestsProjector,
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async start(
    context: CommandContext,
    action: BulkAction,
    filter: Omit<RequestQueueFilter, 'limit' | 'after'>,
    exclude: readonly string[],
    describedFilter: Readonly<Record<string, unknown>>,
  ): Promise<BulkJobView> {
    const now = this.clock.now();
    const ids = await this.requests.matching(context.tenantId, filter, now, BULK_ACTION_LIMIT + 1);
    if (ids.length > BULK_ACTION_LIMIT) {
      throw new DomainError('DSR.BULK_TOO_LARGE', `the filter reaches more than ${String(BULK_ACTION_LIMIT)} requests; narrow it`, 'invalid');
    }
    const excluded = new Set(exclude);
    const chosen = ids.filter((id) => !excluded.has(id));
    if (chosen.length === 0) throw new DomainError('DSR.BULK_EMPTY', 'no request matches the filter once the exclusions are left out', 'invalid');
    const jobId = uuidv7();
    await this.jobs.create({
      jobId,
      tenantId: context.tenantId,
      action,
      filter: describedFilter,
      excluded: [...excluded].sort(),
      createdBy: context.actor,
      createdAt: now,
      requestIds: chosen,
    });
    this.kick();
    const view = await this.jobs.get(context.tenantId, jobId);
    if (!view) throw new Error('a bulk job vanished as it was created');
    return view;
  }

  async get(tenantId: string, jobId: string): Promise<BulkJobView> {
    const view = await this.jobs.get(tenantId, jobId);
    if (!view) throw new DomainError('DSR.BULK_JOB_NOT_FOUND', 'no such bulk job', 'not_found');
    // Work left behind (a stopped process) is picked up when someone looks.
    if (view.pending > 0) this.kick();
    return view;
  }

  list(tenantId: string, limit: number): Promise<BulkJobView[]> {
    return this.jobs.list(tenantId, limit);
  }

  /** Starts carrying out claimable items in the background unless that is under way; a failure leaves them for the next kick. */
  kick(): void {
    this.draining ??= this.drain()
      .catch(() => undefined)
      .finally(() => {
        this.draining = null;
      });
  }

  /** Carries out every claimable item; returns when none is left. */
  async drain(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const items = await this.jobs.claim(CLAIM_SIZE, now, new Date(now.getTime() - CLAIM_TIMEOUT_MS));
      if (items.length === 0) return;
      let next = 0;
      const results: BulkItemResult[] = [];
      const worker = async (): Promise<void> => {
        for (let item = items[next++]; item; item = items[next++]) results.push({ item, result: await this.run(item) });
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      // The chunk's requests projected together, before their results say done (the queue shows them at once).
      // If that fails the events stay in the log and the workers project them.
      await this.projector.projectStreams(items.map((i) => requestStreamId(i.requestId))).catch(() => undefined);
      await this.jobs.finish(results, this.clock.now());
    }
  }

  private async run(item: BulkJobItem): Promise<BulkItemResult['result']> {
    const context: CommandContext = { tenantId: item.tenantId, actor: item.createdBy, correlationId: item.jobId, commandId: uuidv7() };
    let result: { ok: true } | { ok: false; code: string; message: string };
    try {
      await this.carryOut(context, item);
      result = { ok: true };
    } catch (error) {
      if (item.retried && (await this.alreadyDone(item))) result = { ok: true };
      else if (error instanceof DomainError) result = { ok: false, code: error.code, message: error.message };
      else result = { ok: false, code: 'DSR.BULK_STEP_FAILED', message: 'the step could not be carried out now; ask again with the same filter' };
    }
    return result;
  }

  private async carryOut(context: CommandContext, item: BulkJobItem): Promise<void> {
    const { action, requestId } = item;
    switch (action.kind) {
      case 'assign':
        await this.commands.execute(new RunRequestStepCommand(context, { kind: 'AssignRequest', requestId, handler: action.handler }, false));
        return;
      case 'reject':
        await this.commands.execute(
          new RunRequestStepCommand(context, { kind: 'RejectRequest', requestId, reasons: [...action.reasons], complaint: action.complaint }, false),
        );
        return;
      case 'send-codes':
        await this.commands.execute(new SendVerificationCodeCommand(context, requestId));
        return;
    }
  }

  /** An item claimed again after its process stopped: did its effect happen before? (A code may go out twice; never more than the request's limit.) */
  private async alreadyDone(item: BulkJobItem): Promise<boolean> {
    const request = await this.requests.get(item.tenantId, item.requestId, this.clock.now());
    if (!request) return false;
    if (item.action.kind === 'assign') return request.handler === item.action.handler;
    if (item.action.kind === 'reject') return request.status === 'rejected';
    return false;
  }
}
