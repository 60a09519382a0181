import { Coalescer } from './coalescer';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('Coalescer (group commit)', () => {
  it('runs a lone call at once and groups the calls that arrive while a batch runs', async () => {
    const batches: number[][] = [];
    let gate = deferred();
    const coalescer = new Coalescer<number, number>(async (items) => {
      batches.push([...items]);
      await gate.promise;
      return items.map((n) => n * 10);
    });
    const first = coalescer.submit(1);
    const rest = [coalescer.submit(2), coalescer.submit(3), coalescer.submit(4)];
    expect(batches).toEqual([[1]]);
    gate.resolve();
    expect(await first).toBe(10);
    gate = deferred();
    gate.resolve();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(coalescer.idle).toBe(true);
  });

  it('lets up to maxInFlight batches run at once', async () => {
    const gate = deferred();
    let running = 0;
    let most = 0;
    const coalescer = new Coalescer<number, number>(
      async (items) => {
        running += 1;
        most = Math.max(most, running);
        await gate.promise;
        running -= 1;
        return [...items];
      },
      { maxInFlight: 3 },
    );
    const calls = [1, 2, 3, 4, 5].map((n) => coalescer.submit(n));
    gate.resolve();
    expect(await Promise.all(calls)).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(3);
  });

  it('rejects every call of a failed batch, and only those', async () => {
    let calls = 0;
    const coalescer = new Coalescer<string, string>(async (items) => {
      calls += 1;
      await Promise.resolve();
      if (items.includes('bad')) throw new Error('boom');
      return [...items];
    });
    const first = coalescer.submit('ok-1');
    const failing = [coalescer.submit('bad'), coalescer.submit('ok-2')];
    await expect(first).resolves.toBe('ok-1');
    await expect(failing[0]).rejects.toThrow('boom');
    await expect(failing[1]).rejects.toThrow('boom');
    await expect(coalescer.submit('ok-3')).resolves.toBe('ok-3');
    expect(calls).toBe(3);
  });

  it('refuses a batch that returns the wrong number of results, and calls onIdle when drained', async () => {
    let idle = 0;
    const coalescer = new Coalescer<number, number>(() => Promise.resolve([]), {
      onIdle: () => {
        idle += 1;
      },
    });
    await expect(coalescer.submit(1)).rejects.toThrow('a batch of 1 calls returned 0 results');
    expect(idle).toBe(1);
  });
});
