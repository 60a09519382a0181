import {
  mapSubscription,
  type AppendOptions,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type EventSubscription,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '@attest/event-store';
import type { JsonObject, JsonValue } from '@attest/kernel';
import {
  ERASED,
  getPath,
  isEncryptedField,
  PersonalDataInEnvelopeError,
  UnclassifiedFieldError,
  unclassifiedPaths,
  withPaths,
  type EventTypeRegistry,
} from '@attest/privacy';
import { fieldCipher } from './field-cipher';
import type { PostgresKeyVault, SubjectKey } from './key-vault';

/**
 * Events opened between two turns of the event loop: a page of thousands (a catch-up, a rebuild)
 * is tens of milliseconds of decryption, which would hold every other callback (requests, the
 * answers other transactions wait for) until it is done. bench:rebuild at 1,000,000 events, six
 * pairs alternating: 19,887–21,611/s in slices against 18,362–20,264/s in one piece (the process
 * busy 0.82–0.87 of a core instead of 0.77–0.80: more of its work overlaps the database's).
 */
export const OPEN_SLICE = 500;

interface SealedFields {
  readonly subject: string;
  readonly personal: readonly string[];
}

/** Shapes that are personal data wherever they appear: e-mail addresses and phone numbers. */
const EMAIL = /[^\s@"]+@[^\s@"]+\.[A-Za-z]{2,}/;
const INTERNATIONAL_PHONE = /\+[0-9]{1,3}[ -]?[0-9][0-9 -]{5,}[0-9]/;

function looksPersonal(value: string): boolean {
  if (EMAIL.test(value) || INTERNATIONAL_PHONE.test(value)) return true;
  // A value that is nothing but a phone number (dates and UUIDs have letters or too many digits).
  return /^\+?[0-9]{8,15}$/.test(value.replace(/[ ()-]/g, ''));
}

function strings(value: JsonValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return (value as JsonValue[]).flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value as JsonObject).flatMap(strings);
  return [];
}

/**
 * The event-store port with personal fields encrypted under their subject's
 * key before they reach either adapter, and decrypted (or `ERASED`) when read.
 * Undeclared event types, and personal data in stream ids or metadata, are
 * refused before anything is written.
 */
export class EncryptingEventStore implements EventStore {
  readonly kind: EventStore['kind'];

  constructor(
    private readonly inner: EventStore,
    private readonly registry: EventTypeRegistry,
    private readonly vault: PostgresKeyVault,
  ) {
    this.kind = inner.kind;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const sealed: NewEvent[] = [];
    for (const event of events) sealed.push(await this.seal(streamId, event));
    return this.inner.appendToStream(streamId, sealed, options);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.openAll(await this.inner.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.openAll(await this.inner.readAll(options));
  }

  subscribeToAll(options?: SubscribeOptions): EventSubscription {
    return mapSubscription(this.inner.subscribeToAll(options), (events) => this.openAll(events));
  }

  headPosition(): Promise<GlobalPosition | null> {
    return this.inner.headPosition();
  }

  countAfter(after: GlobalPosition | undefined, filter: EventFilter | undefined, cap: number): Promise<number> {
    return this.inner.countAfter(after, filter, cap);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async seal(streamId: string, event: NewEvent): Promise<NewEvent> {
    const classification = this.registry.classify(event.type);
    const unclassified = unclassifiedPaths(classification.fields, event.data);
    if (unclassified.length > 0) {
      throw new UnclassifiedFieldError(
        `${event.type}: the field(s) ${unclassified.join(', ')} are not classified; classify each (personal, a sensitive category, or not-personal) in its context's table`,
      );
    }
    const envelope = `${streamId}\n${JSON.stringify(event.metadata)}`;
    const envelopeValues = [
      streamId,
      streamId.slice(streamId.indexOf('-') + 1),
      ...Object.values(event.metadata).flatMap((v: JsonValue | undefined) => strings(v)),
    ];
    if (envelopeValues.some(looksPersonal)) {
      throw new PersonalDataInEnvelopeError(`${event.type}: the stream id or metadata looks like it holds an e-mail address or phone number`);
    }
    if (!classification.personalData) return event;
    const subject = this.registry.subjectOf(classification, event.data);
    if (!subject) throw new PersonalDataInEnvelopeError(`${event.type}: the subject id field ${classification.subject} is missing`);
    const personalValues = classification.personal.flatMap((p) => strings(getPath(event.data, p))).filter((s) => s.length >= 3);
    if (personalValues.some((v) => envelope.includes(v) || subject.includes(v))) {
      throw new PersonalDataInEnvelopeError(`${event.type}: a personal field value appears in the stream id, subject id or metadata`);
    }
    const key = await this.vault.keyForWriting(subject);
    const sealed: [string, JsonValue][] = [];
    for (const path of classification.personal) {
      const value = getPath(event.data, path);
      if (value === undefined || value === null) continue;
      sealed.push([path, fieldCipher.encrypt(key.key, key.kid, event.id, path, value) as unknown as JsonValue]);
    }
    return { ...event, data: withPaths(event.data, sealed) };
  }

  /**
   * Every subject's key the events need in one vault read (those not in its cache), then the
   * events opened `OPEN_SLICE` at a time: a page of a catch-up or a rebuild names thousands of
   * subjects, and a read per subject was one round trip each. Each slice after the first takes
   * its keys from the vault again (from its cache, which the first read filled): a subject erased
   * while the page is opened has no key there any more, and its later events read as erased.
   */
  private async openAll(events: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    const sealed = events.map((event) => this.sealedFields(event));
    let keys = await this.keysOf(sealed);
    const out: RecordedEvent[] = [];
    for (let start = 0; start < events.length; start += OPEN_SLICE) {
      const end = Math.min(events.length, start + OPEN_SLICE);
      if (start > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        keys = await this.keysOf(sealed.slice(start, end));
      }
      for (let i = start; i < end; i++) {
        const event = events[i] as RecordedEvent;
        const fields = sealed[i];
        out.push(fields ? this.open(event, fields.personal, keys.get(fields.subject) ?? null) : event);
      }
    }
    return out;
  }

  /** The keys of the subjects named (none asked for when none is). */
  private async keysOf(sealed: readonly (SealedFields | null)[]): Promise<ReadonlyMap<string, SubjectKey>> {
    const named: string[] = [];
    for (const fields of sealed) if (fields && fields.subject !== '') named.push(fields.subject);
    return named.length === 0 ? new Map<string, SubjectKey>() : this.vault.keysForReading(named);
  }

  /**
   * Where an event may hold sealed fields, and whose key opens them; null for a type that has none.
   * An event without its subject id (`subject` empty) still has its sealed fields shown as erased.
   */
  private sealedFields(event: RecordedEvent): SealedFields | null {
    if (!this.registry.has(event.type)) return null;
    const classification = this.registry.classify(event.type);
    if (!classification.personalData) return null;
    return { subject: this.registry.subjectOf(classification, event.data) ?? '', personal: classification.personal };
  }

  private open(event: RecordedEvent, personal: readonly string[], key: SubjectKey | null): RecordedEvent {
    const opened: [string, JsonValue][] = [];
    for (const path of personal) {
      const stored = getPath(event.data, path);
      if (!isEncryptedField(stored)) continue;
      opened.push([path, key ? fieldCipher.decrypt(key.key, event.id, path, stored) : ERASED]);
    }
    return opened.length === 0 ? event : { ...event, data: withPaths(event.data, opened) };
  }
}
