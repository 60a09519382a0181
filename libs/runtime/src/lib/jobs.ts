import { consoleSessionCleanupJob } from '@attest/access-infrastructure';
import type { AttestConfig } from '@attest/config';
import {
  agreementExpiryJob,
  functionDeletionDeadlinesJob,
  inactivityCancellationJob,
  inactivityRestrictionJob,
  inactivityWarnings,
  StreamAccountContacts,
  tenantDataDeletionJob,
  tenantDeletionWarnings,
  upcomingAccountDestructions,
  type AccountJobDependencies,
} from '@attest/accounts-infrastructure';
import { subjectsOfTenant } from '@attest/consent-infrastructure';
import { messageLogRetentionJob } from '@attest/messaging-infrastructure';
import type { JobDefinition, UpcomingDestruction } from '@attest/jobs';
import { noticeJob, OutboxReader, type OutboxEntryView } from '@attest/notifications';
import {
  processingRecordPurgeJob,
  processingRecordVerificationJob,
  purgeWarnings,
  upcomingRecordPurges,
  type RecordJobDependencies,
} from '@attest/processing-infrastructure';
import {
  PostgresRetainedData,
  requestDeadlinesJob,
  retainedDataExpiryJob,
  retainedDataWarnings,
  upcomingRetainedExpiries,
} from '@attest/requests-infrastructure';
import { accountCommandHandler } from './console-accounts';
import { eraseCustomer } from './customer-erasure';
import type { Infrastructure } from './infrastructure';

/** The accounts context's job dependencies, composed from the infrastructure. */
export function accountJobDependencies(infra: Infrastructure): AccountJobDependencies {
  return { owner: infra.dataSource, outbox: infra.outbox, commands: () => accountCommandHandler(infra), contacts: new StreamAccountContacts(infra.store) };
}

/**
 * Every timed job a deployment runs. Each is defined by the context it
 * serves, over that context's tables and ports; this only composes them.
 */
export function createJobs(infra: Infrastructure, config: AttestConfig): JobDefinition[] {
  const accounts = accountJobDependencies(infra);
  const record = recordJobDependencies(infra, config);
  const retained = new PostgresRetainedData(infra.dataSource, infra.privacy, infra.vault);
  return [
    processingRecordPurgeJob(record),
    processingRecordVerificationJob({ owner: infra.dataSource, log: infra.recordLog }),
    retainedDataExpiryJob(retained),
    requestDeadlinesJob({ owner: infra.dataSource, outbox: infra.outbox }),
    inactivityRestrictionJob(accounts, config.accounts.inactivityRestrictionDays),
    inactivityCancellationJob(accounts),
    agreementExpiryJob(accounts),
    tenantDataDeletionJob(accounts, {
      // Every customer the tenant ever had whose key still exists: a run killed between a
      // customer's erasure event and its key's destruction finds that customer again.
      toErase: async (tenantId) => {
        const all = await subjectsOfTenant(infra.dataSource, tenantId);
        const erased = await infra.vault.erasedAmong(all);
        return all.filter((id) => !erased.has(id));
      },
      erase: (context, customerId) => eraseCustomer(infra, context, customerId, 'agreement-ended'),
    }),
    functionDeletionDeadlinesJob(accounts),
    consoleSessionCleanupJob({ owner: infra.dataSource }),
    messageLogRetentionJob({ owner: infra.dataSource }),
    // Warnings ahead of every destructive job, through the outbox, once per cycle: users before an
    // A8 cancellation for inactivity; tenants before P2 purges record bodies, before D5 erases a
    // kept field, and before A10 erases their customers' personal data.
    noticeJob(
      { owner: infra.dataSource, outbox: infra.outbox },
      {
        name: 'destruction-warnings',
        description: 'Warn users 14 days before A8 cancellation; tenants 30 days before A10 deletion, P2 purges and D5 expiries',
        intervalSeconds: 86_400,
        due: async (now) => {
          const sources = [inactivityWarnings(accounts), purgeWarnings(record), retainedDataWarnings(retained), tenantDeletionWarnings(accounts)];
          const notices = [];
          for (const source of sources) notices.push(...(await source(now)));
          return notices;
        },
      },
    ),
  ];
}

const recordJobDependencies = (infra: Infrastructure, config: AttestConfig): RecordJobDependencies => ({
  owner: infra.dataSource,
  log: infra.recordLog,
  configuredYears: config.processingRecord.retentionYears,
});

/** How far ahead an organization sees what destructive jobs will destroy (beyond every warning period). */
export const UPCOMING_HORIZON_DAYS = 60;

/** Something a destructive job will destroy for the tenant, with the warning sent about it, if one went out yet. */
export interface UpcomingWithWarning extends UpcomingDestruction {
  readonly warning: OutboxEntryView | null;
}

/** The timed jobs as an organization administrator sees them: the definitions, and what is coming for one tenant. */
export interface TimedJobsView {
  readonly jobs: readonly JobDefinition[];
  upcoming(tenantId: string, now: Date): Promise<UpcomingWithWarning[]>;
}

/**
 * What the destructive jobs (A8, A10, P2, D5) will destroy for one tenant within
 * `UPCOMING_HORIZON_DAYS`, earliest first, each with its warning from the outbox. Each context
 * computes its own part over its own tables; this only composes them.
 */
export function timedJobsView(infra: Infrastructure, config: AttestConfig): TimedJobsView {
  const sources = [
    upcomingAccountDestructions(accountJobDependencies(infra)),
    upcomingRecordPurges(recordJobDependencies(infra, config)),
    upcomingRetainedExpiries(new PostgresRetainedData(infra.dataSource, infra.privacy, infra.vault)),
  ];
  const outbox = new OutboxReader(infra.dataSource);
  return {
    jobs: createJobs(infra, config),
    async upcoming(tenantId, now) {
      const found: UpcomingDestruction[] = [];
      for (const source of sources) found.push(...(await source(tenantId, now, UPCOMING_HORIZON_DAYS)));
      const prefixes = found.flatMap((u) => (u.warningKeyPrefix === null ? [] : [u.warningKeyPrefix]));
      const warnings = await outbox.latestBySourcePrefix(tenantId, prefixes);
      return found
        .map((u) => ({ ...u, warning: u.warningKeyPrefix === null ? null : (warnings.get(u.warningKeyPrefix) ?? null) }))
        .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.job.localeCompare(b.job));
    },
  };
}
