/**
 * A log of mixed domain events for the benches that replay one (bench:rebuild, bench:scale):
 * every event produced by its context's own decider, the pure function the command handler
 * runs, so it has the shape production writes, and appended through the encrypting store, so
 * personal fields are sealed under each subject's key. Per tenant: its purposes (one revised)
 * and an enterprise account; per customer: created, updated and tagged, follow-ups, consents
 * on 2–3 channels (a third withdrawn), now and then a restriction lifted; one in five an
 * access request carried out, one in ten a personal-user account, one in fifty an erasure.
 */
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
import { DEFAULT_DEADLINE_POLICY, requestDecider, requestStreamId, type RequestCommand, type RequestEvent, type RequestState } from '@attest/requests-domain';
import type { Infrastructure } from '@attest/runtime';

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

export interface MixedLog {
  /** Events in the log. */
  readonly events: number;
  readonly eventTypes: number;
  readonly customers: number;
  /** Appended through the encrypting store, per second. */
  readonly writeEventsPerSec: number;
}

/** Writes at least `events` events of `tenants` tenants in `writers` concurrent loops (no projection running), then VACUUM ANALYZE. */
export async function writeMixedLog(
  infra: Infrastructure,
  options: { readonly events: number; readonly tenants: number; readonly writers: number; readonly say: (line: string) => void },
): Promise<MixedLog> {
  const { say } = options;
  const at = new Date().toISOString();
  const append = (a: Append): Promise<unknown> =>
    infra.store.appendToStream(a.streamId, a.events, { expectedRevision: a.expectedRevision < 0 ? NO_STREAM : a.expectedRevision });
  const tenants = Array.from({ length: options.tenants }, (_, n) => tenant(n, at));
  for (const t of tenants) for (const a of t.setup) await append(a);
  let written = tenants.reduce((sum, t) => sum + t.setup.reduce((s, a) => s + a.events.length, 0), 0);
  const byType = new Map<string, number>();
  let customers = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.writers }, async () => {
      while (written < options.events) {
        const n = customers++;
        const appends = story(tenants[n % options.tenants]!, n, at);
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
  const events = Number((await infra.dataSource.query<{ n: string }[]>('SELECT count(*)::text AS n FROM event_store.events'))[0]?.n);
  say(`  the log holds ${String(events)} events of ${String(byType.size)} types, ${String(customers)} customers; written in ${writeSeconds.toFixed(1)} s`);
  return { events, eventTypes: byType.size, customers, writeEventsPerSec: Math.round(events / writeSeconds) };
}
