import type { DataSource } from 'typeorm';
import { createDataSource, platformMigrations } from '@attest/database';
import { DomainError, FixedClock } from '@attest/kernel';
import { createTestDatabase, type TestDatabase } from '@attest/testing';
import { jobMigrations } from './migrations';
import { JobRunner, type JobDefinition } from './job-runner';

describe('the durable job runner (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const clock = new FixedClock(new Date('2026-11-23T00:00:00.000Z'));

  beforeAll(async () => {
    db = await createTestDatabase('job_runner', { migrations: [...platformMigrations, ...jobMigrations] });
    ds = createDataSource({ url: db.url, migrations: [] });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  let jobs = 0;
  /** A job that counts its runs (and can be told to fail or hang). */
  function job(behaviour: { fail?: boolean; hang?: Promise<void> } = {}): JobDefinition & { runs: { dryRun: boolean }[] } {
    jobs += 1;
    const runs: { dryRun: boolean }[] = [];
    return {
      name: `job-${String(jobs)}`,
      description: 'test',
      intervalSeconds: 3600,
      runs,
      async run(context) {
        runs.push({ dryRun: context.dryRun });
        if (behaviour.hang) await behaviour.hang;
        if (behaviour.fail) throw new DomainError('TEST.BROKEN', 'secret detail jane@example.com', 'conflict');
        return { counts: { done: 1 }, ...(context.dryRun ? { planned: ['would do one thing'] } : {}) };
      },
    };
  }

  it('runs a due job once per interval and records each run', async () => {
    const j = job();
    const runner = new JobRunner({ dataSource: ds, jobs: [j], clock, owner: 'a' });
    expect((await runner.runDue()).map((r) => [r.job, r.status, r.counts])).toEqual([[j.name, 'succeeded', { done: 1 }]]);
    expect(await runner.runDue()).toEqual([]);
    clock.advance(3600_000);
    expect(await runner.runDue()).toHaveLength(1);
    expect(j.runs).toHaveLength(2);
    expect((await runner.history(j.name, 10)).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('is safe with several instances: a due job is claimed by one of them', async () => {
    const j = job();
    const runners = ['a', 'b', 'c', 'd'].map((owner) => new JobRunner({ dataSource: ds, jobs: [j], clock, owner }));
    const done = (await Promise.all(runners.map((r) => r.runDue()))).flat();
    expect(done).toHaveLength(1);
    expect(j.runs).toHaveLength(1);
  });

  it('takes over a job whose instance died mid-run once its lease expires, and marks the dead run abandoned', async () => {
    let release = (): void => undefined;
    const hang = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hanging = job({ hang });
    const dying = new JobRunner({ dataSource: ds, jobs: [hanging], clock, owner: 'dying', leaseSeconds: 60 });
    const stuck = dying.runDue();
    await new Promise((r) => setTimeout(r, 200));
    const rescuer = new JobRunner({
      dataSource: ds,
      jobs: [{ ...hanging, run: () => Promise.resolve({ counts: { done: 1 } }) }],
      clock,
      owner: 'rescuer',
      leaseSeconds: 60,
    });
    expect(await rescuer.runDue()).toEqual([]); // the lease is alive
    clock.advance(61_000);
    const [rescued] = await rescuer.runDue();
    expect(rescued).toMatchObject({ status: 'succeeded', owner: 'rescuer' });
    expect((await rescuer.history(hanging.name, 10)).map((r) => [r.owner, r.status])).toEqual([
      ['rescuer', 'succeeded'],
      ['dying', 'abandoned'],
    ]);
    release();
    await stuck;
  });

  it('records a failure by its code only, and retries at the next interval', async () => {
    const j = job({ fail: true });
    const runner = new JobRunner({ dataSource: ds, jobs: [j], clock, owner: 'a' });
    const [failed] = await runner.runDue();
    expect(failed).toMatchObject({ status: 'failed', error: 'TEST.BROKEN' });
    expect(JSON.stringify(await runner.history(j.name, 10))).not.toContain('jane@example.com');
    expect(await runner.runDue()).toEqual([]);
    clock.advance(3600_000);
    expect(await runner.runDue()).toHaveLength(1);
  });

  it('runs a job on demand, as a dry run too, without moving its schedule', async () => {
    const j = job();
    const runner = new JobRunner({ dataSource: ds, jobs: [j], clock, owner: 'a' });
    const dry = await runner.runNow(j.name, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, status: 'succeeded', planned: ['would do one thing'] });
    expect(j.runs).toEqual([{ dryRun: true }]);
    expect(await runner.runDue()).toHaveLength(1); // still due: the dry run did not count
    await expect(runner.runNow('nope')).rejects.toMatchObject({ code: 'JOB.UNKNOWN' });
  });
});
