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
  type AccountJobDependencies,
} from '@attest/accounts-infrastructure';
import { subjectsOfTenant } from '@attest/consent-infrastructure';
import type { JobDefinition } from '@attest/jobs';
import { noticeJob } from '@attest/notifications';
import { processingRecordPurgeJob, processingRecordVerificationJob, purgeWarnings, type RecordJobDependencies } from '@attest/processing-infrastructure';
import { PostgresRetainedData, requestDeadlinesJob, retainedDataExpiryJob, retainedDataWarnings } from '@attest/requests-infrastructure';
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
  const record: RecordJobDependencies = { owner: infra.dataSource, log: infra.recordLog, configuredYears: config.processingRecord.retentionYears };
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
