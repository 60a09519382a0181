import { Jobs1764100000000 } from './1764100000000-jobs.migration';

export const jobMigrations = [Jobs1764100000000];
