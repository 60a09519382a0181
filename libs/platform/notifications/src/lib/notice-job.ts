import type { DataSource } from 'typeorm';
import type { JobDefinition, JobResult } from '@attest/jobs';
import type { JsonObject } from '@attest/kernel';
import type { Outbox } from './outbox';

/** A notice a timed job sends through the outbox; its source key makes it once-only. */
export interface DueNotice {
  readonly sourceKey: string;
  readonly tenantId: string;
  readonly subjectId: string;
  readonly kind: string;
  readonly payload: JsonObject;
  /** The dry run's line (no personal data). */
  readonly line: string;
}

/** What is due at an instant: the notices a context contributes to a notice job. */
export type NoticeSource = (now: Date) => Promise<DueNotice[]>;

/**
 * A job that finds what is due and sends each notice once, in one
 * transaction (the outbox ignores a source key it already has).
 */
export function noticeJob(
  deps: { readonly owner: DataSource; readonly outbox: Outbox },
  spec: { readonly name: string; readonly description: string; readonly intervalSeconds: number; readonly due: NoticeSource },
): JobDefinition {
  return {
    name: spec.name,
    description: spec.description,
    intervalSeconds: spec.intervalSeconds,
    async run({ now, dryRun }): Promise<JobResult> {
      const notices = await spec.due(now);
      if (dryRun) return { counts: { due: notices.length }, planned: notices.map((n) => n.line) };
      let notified = 0;
      await deps.owner.transaction(async (m) => {
        for (const n of notices) {
          const id = await deps.outbox.enqueue(
            m,
            { sourceKey: n.sourceKey, tenantId: n.tenantId, subjectId: n.subjectId, kind: n.kind, payload: n.payload },
            now,
          );
          if (id !== null) notified += 1;
        }
      });
      return { counts: { due: notices.length, notified } };
    },
  };
}
