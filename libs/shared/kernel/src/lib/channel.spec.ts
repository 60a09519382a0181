import { Channel } from './channel';

describe('Channel', () => {
  it('hands items out in order, a put waiting while it is full, a take while it is empty', async () => {
    const channel = new Channel<number>(2);
    await channel.put(1);
    await channel.put(2);
    let third = false;
    const putting = channel.put(3).then(() => (third = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false);
    expect(await channel.take()).toBe(1);
    await putting;
    expect(third).toBe(true);
    expect([await channel.take(), await channel.take()]).toEqual([2, 3]);
    const taking = channel.take();
    await channel.put(4);
    expect(await taking).toBe(4);
  });

  it('closed, releases a waiting put and take, takes nothing more and hands out null', async () => {
    const full = new Channel<number>(1);
    await full.put(1);
    const blocked = full.put(2);
    full.close();
    await blocked;
    expect(full.isClosed).toBe(true);
    expect(await full.take()).toBeNull();
    const empty = new Channel<number>(1);
    const waiting = empty.take();
    empty.close();
    expect(await waiting).toBeNull();
    await empty.put(5);
    expect(await empty.take()).toBeNull();
  });
});
