import type { GlobalPosition, RecordedEvent } from './event';
import type { ReadStreamOptions } from './event-store.port';
import { readWholeStream } from './read-stream';

/** A stream holding revisions [first, first + length): a store that truncated its start keeps its revisions. */
function streamOf(first: number, length: number, failFrom = Number.POSITIVE_INFINITY) {
  const reads: number[] = [];
  const event = (revision: number): RecordedEvent => ({
    id: `e-${revision}`,
    type: 'ThingHappened.v1',
    data: { n: revision },
    metadata: { tenantId: 't', actor: 'system:test', correlationId: 'c', causationId: null, commandId: null, occurredAt: '2026-12-06T00:00:00.000Z' },
    streamId: 's',
    streamPosition: revision,
    globalPosition: String(revision).padStart(8, '0') as GlobalPosition,
    recordedAt: new Date(0),
  });
  const store = {
    reads,
    readStream: async (_streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> => {
      const from = Math.max(options.fromRevision ?? 0, first);
      reads.push(options.fromRevision ?? 0);
      await new Promise((resolve) => setImmediate(resolve));
      if (from >= failFrom) throw new Error(`read from ${from} failed`);
      const to = Math.min(first + length, from + (options.maxCount ?? Number.POSITIVE_INFINITY));
      return Array.from({ length: Math.max(0, to - from) }, (_, i) => event(from + i));
    },
  };
  return store;
}

const revisions = (events: readonly RecordedEvent[]): number[] => events.map((e) => e.streamPosition);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('readWholeStream (every event of a stream, read a page ahead)', () => {
  it('reads a stream shorter than a page in one read', async () => {
    const store = streamOf(0, 10);
    expect(revisions(await readWholeStream(store, 's', { pageSize: 100 }))).toEqual(range(0, 10));
    expect(store.reads).toEqual([0]);
  });

  it('reads a long stream whole and in order, the page after next asked for while the next is read', async () => {
    const store = streamOf(0, 300);
    expect(revisions(await readWholeStream(store, 's', { pageSize: 100 }))).toEqual(range(0, 300));
    // 0, then 100 with 200 ahead, then 300 (the end) with 400 ahead: each revision read once but the guesses past the end.
    expect(store.reads).toEqual([0, 100, 200, 300, 400]);
  });

  it('drops a guess that proves wrong: a stream whose first revisions are gone', async () => {
    const store = streamOf(50, 250);
    expect(revisions(await readWholeStream(store, 's', { pageSize: 100 }))).toEqual(range(50, 300));
    expect(revisions(await readWholeStream(store, 's', { fromRevision: 120, pageSize: 100 }))).toEqual(range(120, 300));
  });

  it('a guess that fails and is never needed fails nothing; a page that is needed and fails fails the read', async () => {
    expect(revisions(await readWholeStream(streamOf(0, 150, 200), 's', { pageSize: 100 }))).toEqual(range(0, 150));
    await expect(readWholeStream(streamOf(0, 350, 200), 's', { pageSize: 100 })).rejects.toThrow('read from 200 failed');
  });
});
