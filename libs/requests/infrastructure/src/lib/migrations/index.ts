import { RequestsTables1764000000000 } from './1764000000000-requests-tables.migration';
import { RequestDeletions1764000100000 } from './1764000100000-deletions.migration';
import { RetentionDuties1764000200000 } from './1764000200000-retention-duties.migration';
import { DeletionHolds1764000300000 } from './1764000300000-deletion-holds.migration';
import { UnverifiedAfterDays1765500000200 } from './1765500000200-unverified-after-days.migration';
import { BulkJobs1765500000300 } from './1765500000300-bulk-jobs.migration';
import { DeletionFailures1765500000400 } from './1765500000400-deletion-failures.migration';
import { QueueByHandler1765500000600 } from './1765500000600-queue-by-handler.migration';

/** The data-subject request queue, deadline policies, verification challenges, the deletion ledger and retained data. */
export const requestsMigrations = [
  RequestsTables1764000000000,
  RequestDeletions1764000100000,
  RetentionDuties1764000200000,
  DeletionHolds1764000300000,
  UnverifiedAfterDays1765500000200,
  BulkJobs1765500000300,
  DeletionFailures1765500000400,
  QueueByHandler1765500000600,
];
