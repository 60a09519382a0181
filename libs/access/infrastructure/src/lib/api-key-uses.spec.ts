import type { DataSource } from 'typeorm';
import { ApiKeyUseRecorder } from './api-key-uses';

/** The database is mocked here only to isolate the batching; access.e2e.spec runs it on Postgres. */
function recorder(fail: () => boolean) {
  const writes: { keys: string[]; at: string[] }[] = [];
  const dataSource = {
    query: (_sql: string, [keys, at]: [string[], string[]]) => {
      if (fail()) return Promise.reject(new Error('connection lost'));
      writes.push({ keys, at });
      return Promise.resolve([]);
    },
  } as unknown as DataSource;
  return { uses: new ApiKeyUseRecorder(dataSource), writes };
}

describe('ApiKeyUseRecorder', () => {
  it('writes one row per key with its latest use, in one statement, and nothing when nothing was used', async () => {
    const { uses, writes } = recorder(() => false);
    await uses.flush();
    expect(writes).toEqual([]);
    uses.touch('a', new Date('2026-12-05T10:00:00Z'));
    uses.touch('b', new Date('2026-12-05T10:00:01Z'));
    uses.touch('a', new Date('2026-12-05T10:00:02Z'));
    uses.touch('a', new Date('2026-12-05T09:00:00Z'));
    await uses.flush();
    expect(writes).toEqual([{ keys: ['a', 'b'], at: ['2026-12-05T10:00:02.000Z', '2026-12-05T10:00:01.000Z'] }]);
    await uses.flush();
    expect(writes).toHaveLength(1);
  });

  it('keeps the uses of a failed write for the next one', async () => {
    let failing = true;
    const { uses, writes } = recorder(() => failing);
    uses.touch('a', new Date('2026-12-05T10:00:00Z'));
    await expect(uses.flush()).rejects.toThrow('connection lost');
    failing = false;
    uses.touch('b', new Date('2026-12-05T10:00:01Z'));
    await uses.stop();
    expect(writes).toEqual([{ keys: ['a', 'b'], at: ['2026-12-05T10:00:00.000Z', '2026-12-05T10:00:01.000Z'] }]);
  });
});
