import { ProcessingRecord1763776000000 } from './1763776000000-processing-record.migration';
import { ProcessingPending1763900000000 } from './1763900000000-processing-pending.migration';

/** The processing record and the register of processing activities. */
export const processingMigrations = [ProcessingRecord1763776000000, ProcessingPending1763900000000];
