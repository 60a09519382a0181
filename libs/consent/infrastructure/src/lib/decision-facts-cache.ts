import type { Purpose } from '@attest/consent-domain';
import { CONSENT_EVENT_TYPES, PURPOSE_EVENT_TYPES } from '@attest/consent-domain';
import type { Consistency, DecisionFacts, DecisionFactsAnswer, SubjectFacts } from '@attest/consent-application';
import { asPositionOf, comparePositions, type EventStore, type EventSubscription, type GlobalPosition, type RecordedEvent } from '@attest/event-store';
import { DomainError } from '@attest/kernel';
import { consentProjection } from './consent.projection';

/** What the cache needs of the read models: the database path of a decision (one read for every subject). */
export interface DecisionFactsReader {
  decisionFacts(
    tenantId: string,
    customerIds: readonly string[],
    purposeKey: string,
  ): Promise<{ readonly purpose: Purpose | null; readonly tenantActive: boolean; readonly subjects: ReadonlyMap<string, SubjectFacts> }>;
}

/** Applies the consent projection to streams whose events it may not have applied yet (an inline projector). */
export interface ConsentStreamsApplier {
  projectStreams(streamIds: readonly string[]): Promise<unknown>;
}

/**
 * Where the consent read model is known to be complete: its worker's checkpoint (every event at
 * or before it is applied) and a generation that changes when the read model is rebuilt.
 */
export interface ReadModelOrigin {
  readonly position: GlobalPosition | null;
  readonly generation: string;
}

export interface DecisionFactsCacheOptions {
  readonly store: EventStore;
  /** Where following starts, and whether the read model was rebuilt since (checked every `originCheckMs`). */
  readonly origin: () => Promise<ReadModelOrigin>;
  /** How often the read model's generation is compared (default 1 s): a rebuild empties memory. */
  readonly originCheckMs?: number;
  readonly reader: DecisionFactsReader;
  readonly applier: ConsentStreamsApplier;
  /** Subjects kept (least recently used leave first); 0: every decision reads the database. */
  readonly maxSubjects: number;
  /** How long `atLeastAsFresh` waits for this process to apply the token before reading the database. */
  readonly waitMs: number;
  readonly onError?: (error: unknown) => void;
  /** Wait before following the log again after a failure (default 1 s). */
  readonly retryMs?: number;
}

const UNKNOWN: SubjectFacts = { exists: false, erased: false, restricted: false, under14: false, consents: new Map(), withdrawn: new Set() };
const FACT_TYPES: ReadonlySet<string> = new Set(
  consentProjection.filter && 'eventTypes' in consentProjection.filter ? consentProjection.filter.eventTypes : [],
);
const SUBJECT_FACT_TYPES: ReadonlySet<string> = new Set([
  ...CONSENT_EVENT_TYPES,
  'CustomerCreated.v1',
  'CustomerUpdated.v1',
  'CustomerProcessingRestricted.v1',
  'CustomerRestrictionLifted.v1',
  'CustomerErased.v1',
]);
const PURPOSE_TYPES: ReadonlySet<string> = new Set(PURPOSE_EVENT_TYPES);

interface SubjectEntry {
  readonly tenantId: string;
  /** Facts per purpose; UNKNOWN for a subject the read model does not have. */
  readonly purposes: Map<string, SubjectFacts>;
}

interface PurposeEntry {
  readonly purpose: Purpose | null;
  readonly tenantActive: boolean;
}

/** A database read in flight: made stale by any change to what it reads, so its answer is not kept. */
interface Load {
  readonly tenantId: string;
  readonly subjects: ReadonlySet<string>;
  stale: boolean;
}

/**
 * Decision facts in memory (ADR 0016). Loaded per subject and purpose on first
 * use from the read models, in one read for every missing subject, and kept
 * current from the event log: a subscription woken by the store's NOTIFY and
 * polling otherwise follows the log from the position this process applied
 * last, so a missed notification is only late. For each batch it first makes
 * sure the consent read model has applied the batch's streams (so a load that
 * follows cannot read the state before them), then drops what the batch
 * changes, then moves its position: every fact in memory reflects the log at
 * least through `position`. A load that a change overtook answers but is not
 * kept. Commands of this process drop what they changed themselves the moment
 * their inline projection commits (`changed`), so a write is visible to the
 * next decision at once. The facts hold ids, flags and consent terms, never
 * personal data.
 */
export class DecisionFactsCache implements DecisionFacts {
  private readonly subjects = new Map<string, SubjectEntry>();
  private readonly purposes = new Map<string, PurposeEntry>();
  private readonly loads = new Set<Load>();
  /** Subjects whose `CustomerErased.v1` this process applied (id → tenant): denied from then on, before the vault's fence. */
  private readonly erased = new Map<string, string>();
  private generation: string | null = null;
  private readonly waiters = new Set<{ readonly token: GlobalPosition; readonly done: () => void }>();
  private position: GlobalPosition | null = null;
  private following = false;
  private stopped = false;
  private subscription: EventSubscription | null = null;
  private loop: Promise<void> | null = null;
  private readonly counters = { hits: 0, misses: 0, loadsDiscarded: 0, waits: 0, waitTimeouts: 0, fullReads: 0 };

  constructor(private readonly options: DecisionFactsCacheOptions) {}

  /**
   * Follows the log from the consent read model's checkpoint (every event before it is in the read
   * model), applying the read model to what comes after it, and answers from memory once it has
   * caught up; decisions read the database until then.
   */
  start(): void {
    if (this.loop || this.options.maxSubjects <= 0) return;
    this.stopped = false;
    this.loop = this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.loop;
    this.loop = null;
    this.forget();
  }

  /** The position every fact in memory reflects; null while the process does not follow the log. */
  appliedPosition(): GlobalPosition | null {
    return this.following ? this.position : null;
  }

  stats(): Readonly<typeof this.counters> & { readonly subjects: number; readonly position: string | null } {
    return { ...this.counters, subjects: this.subjects.size, position: this.appliedPosition() };
  }

  /**
   * A command of this process changed these streams and its inline projection
   * committed: what they hold is read again by the next decision.
   */
  changed(streamIds: readonly string[]): void {
    for (const streamId of streamIds) {
      const dash = streamId.indexOf('-');
      const category = streamId.slice(0, dash);
      const id = streamId.slice(dash + 1);
      if (category === 'consent' || category === 'customer') this.dropSubject(id);
      else this.dropTenantFacts(category === 'purposes' ? id : null);
    }
  }

  async facts(tenantId: string, customerIds: readonly string[], purposeKey: string, consistency: Consistency): Promise<DecisionFactsAnswer> {
    if (consistency.kind === 'atLeastAsFresh' && !(await this.reached(this.token(consistency.token)))) {
      return this.fromDatabase(tenantId, customerIds, purposeKey);
    }
    if (consistency.kind === 'full' || !this.following) return this.fromDatabase(tenantId, customerIds, purposeKey);
    const asOf = this.position;
    const purposeEntry = this.purposes.get(`${tenantId}\n${purposeKey}`);
    const found = new Map<string, SubjectFacts>();
    const missing: string[] = [];
    for (const id of customerIds) {
      const entry = this.subjects.get(id);
      const facts = entry?.tenantId === tenantId ? entry.purposes.get(purposeKey) : undefined;
      if (facts && entry) {
        // Least recently used leaves first: a hit moves the subject to the end.
        this.subjects.delete(id);
        this.subjects.set(id, entry);
        if (facts.exists) found.set(id, this.withErasure(tenantId, id, facts));
        this.counters.hits += 1;
      } else missing.push(id);
    }
    // Named, not spread: a property added after a spread costs about a microsecond on Node 20.
    if (missing.length === 0 && purposeEntry) return { purpose: purposeEntry.purpose, tenantActive: purposeEntry.tenantActive, subjects: found, asOf };
    this.counters.misses += missing.length;
    const load: Load = { tenantId, subjects: new Set(missing), stale: false };
    this.loads.add(load);
    try {
      const read = await this.options.reader.decisionFacts(tenantId, missing, purposeKey);
      if (!load.stale && this.isFollowing()) this.keep(tenantId, purposeKey, missing, read);
      else this.counters.loadsDiscarded += 1;
      for (const [id, facts] of read.subjects) found.set(id, this.withErasure(tenantId, id, facts));
      // Read after `asOf` was taken: at least as fresh, so the answer may say `asOf` for all of it.
      return { purpose: read.purpose, tenantActive: read.tenantActive, subjects: found, asOf };
    } finally {
      this.loads.delete(load);
    }
  }

  private async fromDatabase(tenantId: string, customerIds: readonly string[], purposeKey: string): Promise<DecisionFactsAnswer> {
    this.counters.fullReads += 1;
    // The read model has applied everything this process has (each batch is applied before the position moves);
    // it may hold more (a token's write, projected inline before its command answered), but no more is claimed.
    const asOf = this.appliedPosition();
    const read = await this.options.reader.decisionFacts(tenantId, customerIds, purposeKey);
    const subjects = new Map([...read.subjects].map(([id, facts]) => [id, this.withErasure(tenantId, id, facts)] as const));
    return { ...read, subjects, asOf };
  }

  /** An erasure this process applied denies at once, before the key vault's fence is written (the database then says so too). */
  private withErasure(tenantId: string, id: string, facts: SubjectFacts): SubjectFacts {
    return this.erased.get(id) === tenantId ? { ...facts, erased: true } : facts;
  }

  private token(token: string): GlobalPosition {
    const position = asPositionOf(this.options.store.kind, token);
    if (!position) throw new DomainError('DECISION.INVALID_TOKEN', 'atLeastAsFresh must be a consistencyToken answered by a command of this deployment');
    return position;
  }

  /** Resolves true once the process has applied `token`, false after `waitMs` (at once when it does not follow the log). */
  private reached(token: GlobalPosition): Promise<boolean> {
    const at = this.appliedPosition();
    if (at && comparePositions(at, token) >= 0) return Promise.resolve(true);
    // Not following (never started, stopped): nothing to wait for. Started but not following yet (or again): wait as for a position.
    if (!this.loop || this.stopped) return Promise.resolve(false);
    this.counters.waits += 1;
    return new Promise((resolve) => {
      const waiter = {
        token,
        done: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        this.counters.waitTimeouts += 1;
        resolve(false);
      }, this.options.waitMs);
      timer.unref();
      this.waiters.add(waiter);
    });
  }

  private keep(tenantId: string, purposeKey: string, ids: readonly string[], read: Awaited<ReturnType<DecisionFactsReader['decisionFacts']>>): void {
    this.purposes.set(`${tenantId}\n${purposeKey}`, { purpose: read.purpose, tenantActive: read.tenantActive });
    for (const id of ids) {
      const existing = this.subjects.get(id);
      const entry = existing?.tenantId === tenantId ? existing : { tenantId, purposes: new Map<string, SubjectFacts>() };
      entry.purposes.set(purposeKey, read.subjects.get(id) ?? UNKNOWN);
      this.subjects.delete(id);
      this.remember(id, entry);
    }
  }

  /** Kept apart from the facts (not dropped, not evicted with them); the oldest go first beyond the bound. */
  private markErased(customerId: string, tenantId: string): void {
    this.erased.delete(customerId);
    this.erased.set(customerId, tenantId);
    for (const id of this.erased.keys()) {
      if (this.erased.size <= this.options.maxSubjects) break;
      this.erased.delete(id);
    }
  }

  private remember(customerId: string, entry: SubjectEntry): void {
    this.subjects.set(customerId, entry);
    for (const id of this.subjects.keys()) {
      if (this.subjects.size <= this.options.maxSubjects) break;
      this.subjects.delete(id);
    }
  }

  private dropSubject(customerId: string): void {
    this.subjects.delete(customerId);
    for (const load of this.loads) if (load.subjects.has(customerId)) load.stale = true;
  }

  /** A purpose of a tenant, or (null) a tenant's account state, changed: the tenant-wide facts are read again. */
  private dropTenantFacts(tenantId: string | null): void {
    if (tenantId === null) this.purposes.clear();
    else for (const key of this.purposes.keys()) if (key.startsWith(`${tenantId}\n`)) this.purposes.delete(key);
    for (const load of this.loads) if (tenantId === null || load.tenantId === tenantId) load.stale = true;
  }

  private forget(): void {
    this.following = false;
    this.subjects.clear();
    this.purposes.clear();
    for (const load of this.loads) load.stale = true;
  }

  // Methods, not the fields: they change while the code awaits.
  private isFollowing(): boolean {
    return this.following;
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      let watch: NodeJS.Timeout | undefined;
      // Set by the timer below (an object: the flag changes while the loop awaits).
      const restart = { rebuilt: false };
      try {
        // Nothing is in memory: following starts where the read model is known complete.
        const origin = await this.options.origin();
        this.generation = origin.generation;
        this.position = origin.position;
        this.subscription = this.options.store.subscribeToAll({ ...(origin.position ? { after: origin.position } : {}), batchSize: 1000 });
        // A rebuilt read model replays without new events: compared on a timer, it restarts following from its new checkpoint.
        watch = setInterval(() => {
          void this.options.origin().then(
            (now) => {
              if (now.generation === this.generation) return;
              restart.rebuilt = true;
              this.forget();
              void this.subscription?.close();
            },
            (error: unknown) => this.options.onError?.(error),
          );
        }, this.options.originCheckMs ?? 1000);
        watch.unref();
        for await (const batch of this.subscription) {
          if (this.isStopped()) break;
          await this.apply(batch.events);
          if (batch.caughtUp && !this.isFollowing()) {
            this.following = true;
            this.release();
          }
        }
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        clearInterval(watch);
        this.forget();
        await this.subscription?.close();
        this.subscription = null;
      }
      if (!this.isStopped() && !restart.rebuilt) await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1000));
    }
  }

  private async apply(events: readonly RecordedEvent[]): Promise<void> {
    const last = events[events.length - 1];
    if (!last) return;
    const relevant = events.filter((e) => FACT_TYPES.has(e.type));
    if (relevant.length > 0) {
      // The read model first: once memory drops a fact, the next load must not find the state before it.
      await this.options.applier.projectStreams([...new Set(relevant.map((e) => e.streamId))]);
      for (const e of relevant) {
        const data = e.data as { customerId?: unknown; tenantId?: unknown };
        if (SUBJECT_FACT_TYPES.has(e.type) && typeof data.customerId === 'string') {
          this.dropSubject(data.customerId);
          if (e.type === 'CustomerErased.v1' && typeof data.tenantId === 'string') this.markErased(data.customerId, data.tenantId);
        } else if (PURPOSE_TYPES.has(e.type) && typeof data.tenantId === 'string') this.dropTenantFacts(data.tenantId);
        else this.dropTenantFacts(null);
      }
    }
    this.position = last.globalPosition;
    this.release();
  }

  /** Waiters whose token this process has applied, once it answers from memory. */
  private release(): void {
    const at = this.appliedPosition();
    if (!at) return;
    for (const waiter of this.waiters) if (comparePositions(at, waiter.token) >= 0) waiter.done();
  }
}
