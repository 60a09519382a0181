import { ProcessingRecord1763776000000 } from './1763776000000-processing-record.migration';
import { ProcessingPending1763900000000 } from './1763900000000-processing-pending.migration';
import { ProcessingMerge1764600000000 } from './1764600000000-processing-merge.migration';
import { ProcessingSeenSources1764800000000 } from './1764800000000-processing-seen-sources.migration';
import { ProcessingPendingBatches1764900000000 } from './1764900000000-processing-pending-batches.migration';
import { ProcessingChannelOutcome1765400000000 } from './1765400000000-processing-channel-outcome.migration';
import { ProcessingVerificationRuns1765400000200 } from './1765400000200-processing-verification-runs.migration';

/** The processing record and the register of processing activities. */
export const processingMigrations = [
  ProcessingRecord1763776000000,
  ProcessingPending1763900000000,
  ProcessingMerge1764600000000,
  ProcessingSeenSources1764800000000,
  ProcessingPendingBatches1764900000000,
  ProcessingChannelOutcome1765400000000,
  ProcessingVerificationRuns1765400000200,
];
