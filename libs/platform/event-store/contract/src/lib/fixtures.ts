import { uuidv7, type JsonObject } from '@attest/kernel';
import type { EventBatch, EventSubscription, NewEvent, RecordedEvent } from '@attest/event-store';

export function testEvent(type = 'ThingHappened.v1', data: JsonObject = {}, tenantId = 'tenant-test'): NewEvent {
  return {
    id: uuidv7(),
    type,
    data,
    metadata: {
      tenantId,
      actor: 'system:contract-test',
      correlationId: uuidv7(),
      causationId: null,
      commandId: uuidv7(),
      occurredAt: new Date().toISOString(),
    },
  };
}

/** A category no other test uses, so global reads can be filtered to one test. */
export function uniqueCategory(): string {
  return `c${uuidv7().replace(/-/g, '').slice(-16)}`;
}

export function streamIn(category: string): string {
  return `${category}-${uuidv7()}`;
}

/**
 * Reads a subscription in tests: `take(count, timeoutMs)` pulls batches until
 * `count` events arrived or the time is up. A pull still pending at the time
 * out is kept for the next `take`, so no batch is ever dropped.
 */
export class SubscriptionReader {
  private readonly iterator: AsyncIterator<EventBatch>;
  private pending: Promise<IteratorResult<EventBatch>> | null = null;

  constructor(subscription: EventSubscription) {
    this.iterator = subscription[Symbol.asyncIterator]();
  }

  async take(count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
    const received: RecordedEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    while (received.length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      this.pending ??= this.iterator.next();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          resolve('timeout');
        }, remaining);
      });
      const next = await Promise.race([this.pending, timeout]);
      clearTimeout(timer);
      if (next === 'timeout') break;
      this.pending = null;
      if (next.done) break;
      received.push(...next.value.events);
    }
    return received;
  }

  /** Resolves with the first batch that says the subscription has caught up. */
  async untilCaughtUp(timeoutMs = 10_000): Promise<RecordedEvent[]> {
    const received: RecordedEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.pending ??= this.iterator.next();
      const next = await this.pending;
      this.pending = null;
      if (next.done) break;
      received.push(...next.value.events);
      if (next.value.caughtUp) return received;
    }
    throw new Error('subscription did not catch up in time');
  }
}
