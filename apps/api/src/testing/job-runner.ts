import { randomBytes } from 'node:crypto';
import { loadConfig } from '@attest/config';
import { JobRunner } from '@attest/jobs';
import type { Clock } from '@attest/kernel';
import { createJobs } from '@attest/runtime';
import { generateSignerKey } from '@attest/transparency';
import type { ApiHarness } from './api-harness';

/** Every timed job of a deployment over the harness's database, run when a test says so, on the test's clock. */
export function testJobRunner(api: ApiHarness, clock: Clock): JobRunner {
  return new JobRunner({
    dataSource: api.infra.dataSource,
    jobs: createJobs(
      api.infra,
      loadConfig({
        DATABASE_URL: api.databaseUrl,
        ATTEST_MASTER_KEY: randomBytes(32).toString('base64'),
        ATTEST_RECORD_SIGNER_KEY: generateSignerKey('attest.local/processing-record'),
      }),
    ),
    clock,
    owner: 'test',
  });
}
