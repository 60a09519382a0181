import type { JsonObject } from '@attest/kernel';
import type { GlobalPosition, NewEvent, RecordedEvent } from './event';
import type {
  AppendOptions,
  AppendResult,
  EventBatch,
  EventFilter,
  EventStore,
  EventSubscription,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
} from './event-store.port';
import { EventStoreError } from './errors';

/**
 * How an event type that is no longer written (`from`) reads as its successor
 * (`to`). A pure function of the stored data, as the read path sees it (after
 * decryption: an erased personal field holds the `ERASED` marker, not its
 * value). Typed on both shapes, so a change to either fails the type-check of
 * the upcaster.
 */
export interface Upcaster<
  From extends { readonly type: string; readonly data: object } = { readonly type: string; readonly data: object },
  To extends { readonly type: string; readonly data: object } = { readonly type: string; readonly data: object },
> {
  readonly from: From['type'];
  readonly to: To['type'];
  upcast(data: From['data']): To['data'];
}

/** An event of a superseded type was offered for writing: write its successor. */
export class SupersededEventTypeError extends EventStoreError {
  readonly code = 'EVENT_STORE.SUPERSEDED_EVENT_TYPE';
}

/** The upcasters of every context, checked once: one successor per type, no cycles. */
export class Upcasters {
  private readonly byFrom = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const u of upcasters) {
      if (u.from === u.to) throw new Error(`upcaster ${u.from}: from and to are the same type`);
      if (this.byFrom.has(u.from)) throw new Error(`event type ${u.from} has two upcasters`);
      this.byFrom.set(u.from, u);
    }
    for (const from of this.byFrom.keys()) this.current(from);
  }

  /** The types no longer written, oldest first within each chain. */
  superseded(): string[] {
    return [...this.byFrom.keys()].sort();
  }

  isSuperseded(type: string): boolean {
    return this.byFrom.has(type);
  }

  /** The type an event of `type` reads as (itself when it is current). */
  current(type: string): string {
    let at = type;
    const seen = new Set<string>();
    for (let u = this.byFrom.get(at); u; u = this.byFrom.get(at)) {
      if (seen.has(at)) throw new Error(`upcasters of ${type} form a cycle`);
      seen.add(at);
      at = u.to;
    }
    return at;
  }

  /** Every type that reads as one of `types`: the types themselves and their predecessors. */
  widen(types: readonly string[]): string[] {
    const wanted = new Set(types);
    const out = new Set(types);
    for (const from of this.byFrom.keys()) if (wanted.has(this.current(from))) out.add(from);
    return [...out];
  }

  /** The event as its current type, or the same object when it is current. */
  upcast<E extends { readonly type: string; readonly data: JsonObject }>(event: E): E {
    let type = event.type;
    let data: object = event.data;
    for (let u = this.byFrom.get(type); u; u = this.byFrom.get(type)) {
      data = u.upcast(data);
      type = u.to;
    }
    return type === event.type ? event : { ...event, type, data: data as JsonObject };
  }
}

/** A subscription whose batches pass through `map` (a store decorator's read path). */
export function mapSubscription(
  source: EventSubscription,
  map: (events: readonly RecordedEvent[]) => RecordedEvent[] | Promise<RecordedEvent[]>,
): EventSubscription {
  const iterate = async function* (): AsyncGenerator<EventBatch> {
    for await (const batch of source) yield { events: await map(batch.events), caughtUp: batch.caughtUp };
  };
  const generator = iterate();
  return {
    [Symbol.asyncIterator]: () => generator,
    close: async () => {
      await source.close();
      await generator.return(undefined);
    },
  };
}

/**
 * The event-store port with every superseded event type read as its current
 * successor: readers (deciders, projections, queries, exports) only ever see
 * current shapes. Filters on a current type also select its predecessors;
 * writing a superseded type is refused. Sits above the encrypting store, so
 * upcasters see decrypted data.
 */
export class UpcastingEventStore implements EventStore {
  readonly kind: EventStore['kind'];

  constructor(
    private readonly inner: EventStore,
    private readonly upcasters: Upcasters,
  ) {
    this.kind = inner.kind;
  }

  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const old = events.find((e) => this.upcasters.isSuperseded(e.type));
    if (old) {
      return Promise.reject(
        new SupersededEventTypeError(
          `${old.type} is superseded by ${this.upcasters.current(old.type)}; write the current type (it is only read, as its successor)`,
        ),
      );
    }
    return this.inner.appendToStream(streamId, events, options);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.upcastAll(await this.inner.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.upcastAll(await this.inner.readAll(options && { ...options, filter: this.widen(options.filter) }));
  }

  subscribeToAll(options?: SubscribeOptions): EventSubscription {
    return mapSubscription(this.inner.subscribeToAll(options && { ...options, filter: this.widen(options.filter) }), (events) => this.upcastAll(events));
  }

  headPosition(): Promise<GlobalPosition | null> {
    return this.inner.headPosition();
  }

  countAfter(after: GlobalPosition | undefined, filter: EventFilter | undefined, cap: number): Promise<number> {
    return this.inner.countAfter(after, this.widen(filter), cap);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private widen(filter: EventFilter | undefined): EventFilter | undefined {
    if (!filter || !('eventTypes' in filter)) return filter;
    return { eventTypes: this.upcasters.widen(filter.eventTypes) };
  }

  private upcastAll(events: readonly RecordedEvent[]): RecordedEvent[] {
    return events.map((e) => this.upcasters.upcast(e));
  }
}
