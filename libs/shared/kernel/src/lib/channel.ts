/** A bounded queue between one producer and one consumer; closed, it takes nothing more and hands out `null`. */
export class Channel<T> {
  private readonly items: T[] = [];
  private closed = false;
  private wake: (() => void) | null = null;
  private room: (() => void) | null = null;

  constructor(private readonly capacity: number) {}

  async put(item: T): Promise<void> {
    while (!this.closed && this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => {
        this.room = resolve;
      });
    }
    if (this.closed) return;
    this.items.push(item);
    this.wake?.();
    this.wake = null;
  }

  async take(): Promise<T | null> {
    while (!this.closed && this.items.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.closed) return null;
    const item = this.items.shift() as T;
    this.room?.();
    this.room = null;
    return item;
  }

  /** True once closed: a producer stops there. */
  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    this.wake?.();
    this.room?.();
    this.wake = null;
    this.room = null;
  }
}
