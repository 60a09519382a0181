/**
 * npm run bench:rebuild — rebuilding every read model (issue 25, item 7) from a log of
 * BENCH_EVENTS mixed domain events (default 1,000,000) on a real PostgreSQL.
 *
 *  1. The log: BENCH_TENANTS tenants (default 50), each with its purposes, an enterprise
 *     account and its customers. Every event comes from the contexts' own deciders (the
 *     pure functions the command handlers run), so its shape is what production writes;
 *     per customer: a profile created, updated and tagged, follow-ups, consents granted on
 *     several channels and some withdrawn, a restriction lifted now and then, a data-subject
 *     request carried out for one in five, a personal-user account for one in ten and an
 *     erasure for one in fifty. Appended through the encrypting store (personal fields sealed
 *     under each subject's key) by BENCH_WRITERS concurrent writers, no projection running;
 *     how the log was written is reported, not measured against a target.
 *  2. Baseline, same run: a raw read of the whole log in global order (1,000 events a query,
 *     as the projections read it), rows fetched and parsed, nothing decrypted.
 *  3. The rebuild: every projection that owns a read model, emptied and replayed from the
 *     start at once, as `attest projections rebuild` does for each (the workers run them side
 *     by side the same way). The processing record is not among them: it is append-only and
 *     never rebuilt (a rebuild would be a rewrite). `rebuildAllEventsPerSec` = events in the
 *     log / seconds until the last read model is at the head. Target ≥ 30,000.
 *
 *   BENCH_EVENTS (1,000,000)  BENCH_TENANTS (50)  BENCH_WRITERS (8)
 *   BENCH_DATABASE_URL    use this server instead of a fresh embedded one
 *   BENCH_ONE_AT_A_TIME=1  rebuild the read models one after another (each one's own seconds), not at once
 *   BENCH_PROFILE=file.cpuprofile: a CPU profile of this process during the rebuild
 * Table, then JSON on the last line.
 */
import 'reflect-metadata';
import pg from 'pg';
import { accountDecider, accountStreamId, type AccountCommand, type AccountEvent, type AccountState } from '@attest/accounts-domain';
import {
  consentDecider,
  consentStreamId,
  purposesDecider,
  purposesStreamId,
  type ConsentCommand,
  type ConsentEvent,
  type ConsentState,
  type Purpose,
  type PurposeCommand,
  type PurposeEvent,
  type PurposeRegister,
  type PurposeTerms,
} from '@attest/consent-domain';
import { customerDecider, customerStreamId, type CustomerCommand, type CustomerEvent, type CustomerState } from '@attest/customers-domain';
import { NO_STREAM, type NewEvent } from '@attest/event-store';
import { uuidv7, type Decider, type JsonObject } from '@attest/kernel';
import { createLogger } from '@attest/observability';
import { checkpoints, rebuildProjection } from '@attest/projections';
import { DEFAULT_DEADLINE_POLICY, requestDecider, requestStreamId, type RequestCommand, type RequestEvent, type RequestState } from '@attest/requests-domain';
import { benchInfrastructure, benchDatabase, report, runBench, startProfile } from './support';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const TENANTS = Number(process.env['BENCH_TENANTS'] ?? 50);
const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 8);
const ONE_AT_A_TIME = process.env['BENCH_ONE_AT_A_TIME'] === '1';
/** The projections that are not read models: the processing record is append-only, never rebuilt. */
const NOT_REBUILT = new Set(['processing-record']);

const say = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

/** One append: a stream's next events, at the revision the generator knows it has. */
interface Append {
  readonly streamId: string;
  readonly events: NewEvent[];
  readonly expectedRevision: number;
}

/** An aggregate in memory: its decider's state and revision; `run` decides and queues the events. */
class Aggregate<C, E extends { readonly type: string; readonly data: JsonObject }, S> {
  private state: S;
  private revision = -1;
  private pending: E[] = [];

  constructor(
    private readonly decider: Decider<C, E, S>,
    readonly streamId: string,
  ) {
    this.state = decider.initialState;
  }

  run(command: C): this {
    for (const event of this.decider.decide(command, this.state)) {
      this.state = this.decider.evolve(this.state, event);
      this.pending.push(event);
    }
    return this;
  }

  current(): S {
    return this.state;
  }

  /** The queued events as one append (null when none), in the tenant's name and by `actor`. */
  take(tenantId: string, actor: string, at: string): Append | null {
    if (this.pending.length === 0) return null;
    const correlationId = uuidv7();
    const events = this.pending.map((e): NewEvent => ({
      id: uuidv7(),
      type: e.type,
      data: e.data,
      metadata: { tenantId, actor, correlationId, causationId: null, commandId: uuidv7(), occurredAt: at },
    }));
    const append = { streamId: this.streamId, events, expectedRevision: this.revision };
    this.revision += events.length;
    this.pending = [];
    return append;
  }
}

const TERMS: Record<string, PurposeTerms> = {
  newsletter: {
    name: 'Newsletter',
    description: 'Monthly news about our products',
    legalBasis: 'consent',
    method: 'bulk-email',
    dataCategories: ['contact'],
    channels: ['email', 'sms', 'whatsapp'],
    retentionDays: 365,
    noticeVersion: 'n-1',
  },
  offers: {
    name: 'Offers',
    description: 'Personal offers based on purchases',
    legalBasis: 'consent',
    method: 'profiling',
    dataCategories: ['contact', 'transactions'],
    channels: ['email', 'sms', 'whatsapp', 'phone'],
    retentionDays: 730,
    noticeVersion: 'o-1',
  },
};

interface Tenant {
  readonly id: string;
  readonly purposes: PurposeRegister;
  readonly setup: Append[];
}

function tenant(n: number, at: string): Tenant {
  const id = `bench-${String(n).padStart(4, '0')}`;
  const actor = 'user:bench-admin';
  const purposes = new Aggregate<PurposeCommand, PurposeEvent, PurposeRegister>(purposesDecider, purposesStreamId(id));
  for (const [purposeKey, terms] of Object.entries(TERMS)) purposes.run({ kind: 'DefinePurpose', tenantId: id, actor, purposeKey, terms });
  // A revision that keeps consents valid (a new name only).
  purposes.run({ kind: 'RevisePurpose', tenantId: id, actor, purposeKey: 'newsletter', terms: { ...TERMS['newsletter']!, name: 'News' } });
  const accountId = uuidv7();
  const enterprise = new Aggregate<AccountCommand, AccountEvent, AccountState>(accountDecider, accountStreamId(accountId));
  const base = { accountId, tenantId: id, actor, now: new Date(at) };
  enterprise.run({
    ...base,
    kind: 'RegisterEnterprise',
    legalName: `Bench Tenant ${String(n)} Ltd`,
    registrationNumber: `RN-${String(n)}`,
    contact: { name: `Owner ${String(n)}`, email: `owner${String(n)}@example.org`, phone: null },
    evidence: { documentRef: `doc-${String(n)}`, sha256: 'a'.repeat(64) },
  });
  enterprise.run({ ...base, kind: 'VerifyEnterprise' });
  return {
    id,
    purposes: purposes.current(),
    setup: [purposes.take(id, actor, at), enterprise.take(id, actor, at)].filter((a): a is Append => a !== null),
  };
}

/** One customer's history: the appends in the order they happen. */
function story(t: Tenant, n: number, at: string): Append[] {
  const tenantId = t.id;
  const actor = `user:bench-agent-${String(n % 7)}`;
  const today = at.slice(0, 10);
  const customerId = uuidv7();
  const out: Append[] = [];
  const push = (a: Append | null): void => {
    if (a) out.push(a);
  };
  const customer = new Aggregate<CustomerCommand, CustomerEvent, CustomerState>(customerDecider, customerStreamId(customerId));
  const base = { customerId, tenantId, actor, today };
  customer.run({
    ...base,
    kind: 'CreateCustomer',
    profile: { name: `Customer ${String(n)}`, email: `c${String(n)}@example.org`, phone: `+4479${String(10_000_000 + n)}`, birthDate: '1980-05-17' },
    tags: ['bench'],
  });
  customer.run({ ...base, kind: 'UpdateCustomer', changes: { address: `${String(n)} High Street` } });
  customer.run({ ...base, kind: 'TagCustomer', add: [n % 2 === 0 ? 'vip' : 'lead'], remove: [] });
  for (let f = 0; f < 1 + (n % 3); f++) {
    customer.run({ ...base, kind: 'RecordFollowUp', followUpId: uuidv7(), channel: 'phone', note: `Call about order ${String(f)}`, dueOn: null });
  }
  if (n % 10 === 3) {
    customer.run({ ...base, kind: 'RestrictProcessing', reason: 'accuracy contested' });
    customer.run({ ...base, kind: 'LiftRestriction' });
  }
  push(customer.take(tenantId, actor, at));

  const consent = new Aggregate<ConsentCommand, ConsentEvent, ConsentState>(consentDecider, consentStreamId(customerId));
  const purpose = (key: string): Purpose => {
    const p = t.purposes.get(key);
    if (!p) throw new Error(`no purpose ${key}`);
    return p;
  };
  const grant = (purposeKey: string, channel: 'email' | 'sms' | 'whatsapp' | 'phone'): void => {
    consent.run({
      kind: 'GrantConsent',
      tenantId,
      customerId,
      channel,
      scope: 'general',
      receiptId: uuidv7(),
      consentId: uuidv7(),
      purpose: purpose(purposeKey),
      purposeKey,
      subjectUnder14: false,
      thirdParty: null,
      crossBorder: null,
      evidence: { noticeVersion: purpose(purposeKey).noticeVersion, method: 'checkbox', source: 'web-signup-form', collector: actor, collectedAt: at },
      guardian: null,
    });
  };
  grant('newsletter', 'email');
  grant('offers', 'sms');
  if (n % 2 === 0) grant('newsletter', 'whatsapp');
  if (n % 3 === 0) {
    consent.run({
      kind: 'WithdrawConsent',
      tenantId,
      customerId,
      channel: 'sms',
      scope: 'general',
      receiptId: uuidv7(),
      purposeKey: 'offers',
      thirdParty: null,
      country: null,
      method: 'link',
      source: 'unsubscribe-footer',
    });
  }
  push(consent.take(tenantId, actor, at));

  if (n % 5 === 0) {
    const requestId = uuidv7();
    const request = new Aggregate<RequestCommand, RequestEvent, RequestState>(requestDecider, requestStreamId(requestId));
    const rb = { requestId, tenantId, actor, now: at };
    request.run({
      ...rb,
      kind: 'ReceiveRequest',
      customerId,
      requestType: 'access',
      channel: 'web',
      requester: { relation: 'self', contact: { email: `c${String(n)}@example.org`, phone: null } },
      scope: { fields: [], purposes: [] },
      policy: DEFAULT_DEADLINE_POLICY,
      calendar: { holidays: [] },
    });
    request.run({ ...rb, kind: 'VerifyByHandler', note: 'known customer' });
    request.run({ ...rb, kind: 'AssignRequest', handler: actor });
    request.run({ ...rb, kind: 'StartRequest' });
    request.run({ ...rb, kind: 'CompleteRequest', outcome: { summary: 'export sent', documentId: uuidv7(), retained: [] } });
    push(request.take(tenantId, actor, at));
  }

  if (n % 10 === 7) {
    const accountId = uuidv7();
    const account = new Aggregate<AccountCommand, AccountEvent, AccountState>(accountDecider, accountStreamId(accountId));
    const ab = { accountId, tenantId, actor, now: new Date(at) };
    account.run({ ...ab, kind: 'RegisterPersonalUser', phone: `+4477${String(10_000_000 + n)}`, birthDate: '1990-01-02' });
    account.run({ ...ab, kind: 'Restrict', reason: 'security', note: null });
    account.run({ ...ab, kind: 'Reactivate', method: 'operator', note: null });
    push(account.take(tenantId, actor, at));
  }

  if (n % 50 === 11) {
    customer.run({ ...base, kind: 'EraseCustomer', requestId: null });
    push(customer.take(tenantId, actor, at));
  }
  return out;
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const logger = createLogger({ level: 'silent' });
  try {
    const infra = await benchInfrastructure(db.url, logger);
    try {
      await infra.migrate();

      // 1. The log.
      say(`writing ${EVENTS} mixed events of ${TENANTS} tenants through the encrypting store (${WRITERS} writers, no projection running)`);
      const at = new Date().toISOString();
      const append = (a: Append): Promise<unknown> =>
        infra.store.appendToStream(a.streamId, a.events, { expectedRevision: a.expectedRevision < 0 ? NO_STREAM : a.expectedRevision });
      const tenants = Array.from({ length: TENANTS }, (_, n) => tenant(n, at));
      for (const t of tenants) for (const a of t.setup) await append(a);
      let written = tenants.reduce((sum, t) => sum + t.setup.reduce((s, a) => s + a.events.length, 0), 0);
      const byType = new Map<string, number>();
      let customers = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (written < EVENTS) {
            const n = customers++;
            const appends = story(tenants[n % TENANTS]!, n, at);
            for (const a of appends) {
              written += a.events.length;
              for (const e of a.events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
            }
            for (const a of appends) {
              await append(a);
            }
            if (n % 10_000 === 0 && n > 0) say(`  ${String(written)} events, ${String(n)} customers`);
          }
        }),
      );
      const writeSeconds = (performance.now() - started) / 1000;
      await infra.dataSource.query('VACUUM ANALYZE');
      const logEvents = Number((await infra.dataSource.query<{ n: string }[]>('SELECT count(*)::text AS n FROM event_store.events'))[0]?.n);
      say(
        `  the log holds ${String(logEvents)} events of ${String(byType.size)} types, ${String(customers)} customers; written in ${writeSeconds.toFixed(1)} s`,
      );

      // 2. Baseline: the raw read of the log, in global order, 1,000 a query.
      const raw = new pg.Pool({ connectionString: db.url, max: 1 });
      let t = performance.now();
      let read = 0;
      for (let after: [string, string, string] = ['0', '0', '0']; ;) {
        const { rows } = await raw.query<{ epoch: string; tx: string; seq: string; data: unknown; metadata: unknown }>(
          `SELECT e.epoch::text AS epoch, e.transaction_id::text AS tx, e.seq::text AS seq, e.event_id, e.stream_id, e.stream_position, e.type, e.data, e.metadata, e.recorded_at
             FROM event_store.events e WHERE (e.epoch, e.transaction_id, e.seq) > ($1::int, $2::xid8, $3::bigint)
            ORDER BY e.epoch, e.transaction_id, e.seq LIMIT 1000`,
          after,
        );
        read += rows.length;
        const last = rows.at(-1);
        if (!last) break;
        after = [last.epoch, last.tx, last.seq];
      }
      const rawReadSeconds = (performance.now() - t) / 1000;
      await raw.end();
      if (read !== logEvents) throw new Error(`the raw read saw ${String(read)} of ${String(logEvents)} events`);

      // 3. Every read model rebuilt, side by side.
      const projections = infra.projections.filter((p) => !NOT_REBUILT.has(p.name));
      say(`rebuilding ${String(projections.length)} read models at once: ${projections.map((p) => p.name).join(', ')}`);
      const seconds: Record<string, number> = {};
      const profile = process.env['BENCH_PROFILE'] ? await startProfile() : null;
      t = performance.now();
      if (ONE_AT_A_TIME) {
        // Diagnosis: each alone, so its own cost shows (the figure measured is still the total).
        for (const projection of projections) {
          const alone = performance.now();
          await rebuildProjection({ dataSource: infra.dataSource, store: infra.store, projection, logger });
          seconds[projection.name] = Number(((performance.now() - alone) / 1000).toFixed(1));
        }
      } else {
        await Promise.all(
          projections.map(async (projection) => {
            await rebuildProjection({ dataSource: infra.dataSource, store: infra.store, projection, logger });
            seconds[projection.name] = Number(((performance.now() - t) / 1000).toFixed(1));
          }),
        );
      }
      const rebuildSeconds = (performance.now() - t) / 1000;
      if (profile) await profile.stop(process.env['BENCH_PROFILE'] ?? '');
      // Each is at the head of what it subscribes to: nothing of its filter lies beyond its checkpoint.
      const stored = await checkpoints.list(infra.dataSource.manager);
      for (const p of projections) {
        const c = stored.find((x) => x.name === p.name);
        const lag = await infra.store.countAfter(c?.position ?? undefined, p.filter, 1);
        if (lag !== 0) throw new Error(`${p.name} stopped before the head of its events (checkpoint ${String(c?.position)})`);
      }

      const result = {
        events: logEvents,
        eventTypes: byType.size,
        tenants: TENANTS,
        customers,
        readModels: projections.length,
        rebuildSeconds: Number(rebuildSeconds.toFixed(1)),
        rebuildAllEventsPerSec: Math.round(logEvents / rebuildSeconds),
        rawReadEventsPerSec: Math.round(logEvents / rawReadSeconds),
        rebuildToRawReadRatio: Number((logEvents / rebuildSeconds / (logEvents / rawReadSeconds)).toFixed(3)),
        secondsByReadModel: seconds,
        writeEventsPerSec: Math.round(logEvents / writeSeconds),
        target: 30_000,
      };
      report(
        ['measure', 'value'],
        [
          ['events in the log (types)', `${String(result.events)} (${String(result.eventTypes)})`],
          [`rebuild of ${String(result.readModels)} read models (s)`, String(result.rebuildSeconds)],
          ['rebuildAllEventsPerSec (target ≥ 30,000)', String(result.rebuildAllEventsPerSec)],
          ['raw read of the log (events/s)', String(result.rawReadEventsPerSec)],
          ...Object.entries(seconds).map(([name, s]) => [`  ${name} done at (s)`, String(s)]),
          ['log written through the encrypting store (events/s)', String(result.writeEventsPerSec)],
        ],
        result,
      );
    } finally {
      await infra.stop();
    }
  } finally {
    await db.stop();
  }
}

runBench(main);
