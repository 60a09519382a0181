import { platformMigrations } from '@attest/database';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { NO_STREAM, type NewEvent, type ReadAllOptions, type RecordedEvent } from '@attest/event-store';
import { testEvent } from '@attest/event-store-contract';
import { eventStoreMigrations, PostgresEventStore } from '@attest/event-store-postgres';
import { uuidv7 } from '@attest/kernel';
import {
  DecryptionError,
  ERASED,
  EventTypeRegistry,
  isErased,
  MasterKeyError,
  PersonalDataInEnvelopeError,
  SubjectErasedError,
  UndeclaredEventTypeError,
  UnclassifiedFieldError,
} from '@attest/privacy';
import { createTestDatabase, expectEventually, type TestDatabase } from '@attest/testing';
import { EncryptingEventStore, OPEN_SLICE } from './encrypting-event-store';
import { PostgresKeyVault } from './key-vault';
import { parseMasterKey, type MasterKey } from './master-key';
import { keyVaultMigrations } from './migrations';

const registry = new EventTypeRegistry([
  {
    type: 'CustomerRegistered.v1',
    personalData: true,
    subject: 'customerId',
    personal: ['name', 'contact.email', 'birthDate'],
    sensitive: { birthDate: 'minor-under-14' },
    fields: {
      customerId: 'not-personal',
      name: 'personal',
      contact: { email: 'personal', channel: 'not-personal' },
      birthDate: 'minor-under-14',
      tier: 'not-personal',
    },
  },
  { type: 'ThingHappened.v1', personalData: false, fields: { n: 'not-personal', nested: 'not-personal' } },
]);

const CANARY_NAME = 'Canary Zhang Wei-7781';
const CANARY_EMAIL = 'canary.zhang.7781@example.com';

function registered(customerId: string, name = CANARY_NAME, email = CANARY_EMAIL): NewEvent {
  const base = testEvent('CustomerRegistered.v1', {});
  return { ...base, data: { customerId, name, contact: { email, channel: 'email' }, birthDate: '2015-03-01', tier: 'gold' } };
}

const newKey = (): MasterKey => parseMasterKey(randomBytes(32).toString('base64'));

describe('crypto-shredding above the event-store port (real Postgres)', () => {
  let db: TestDatabase;
  let inner: PostgresEventStore;
  let vault: PostgresKeyVault;
  let store: EncryptingEventStore;
  const masterKey = newKey();

  beforeAll(async () => {
    db = await createTestDatabase('privacy', { migrations: [...eventStoreMigrations, ...platformMigrations, ...keyVaultMigrations] });
    inner = new PostgresEventStore({ connectionString: db.url });
    vault = new PostgresKeyVault({ connectionString: db.url, masterKey });
    await vault.verifyMasterKey();
    await vault.listen();
    store = new EncryptingEventStore(inner, registry, vault);
  });

  afterAll(async () => {
    await store.close();
    await vault.close();
    await db.drop();
  });

  async function rawRows(): Promise<string> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ data: unknown; metadata: unknown; stream_id: string }>('SELECT stream_id, data, metadata FROM event_store.events');
      return JSON.stringify(rows);
    } finally {
      await client.end();
    }
  }

  it('stores personal fields only as ciphertext and reads them back in memory', async () => {
    const customerId = uuidv7();
    const event = registered(customerId);
    await store.appendToStream(`customer-${customerId}`, [event], { expectedRevision: NO_STREAM });
    const raw = await rawRows();
    expect(raw).not.toContain(CANARY_NAME);
    expect(raw).not.toContain(CANARY_EMAIL);
    expect(raw).not.toContain(Buffer.from(CANARY_EMAIL).toString('base64'));
    expect(raw).toContain('"$enc":1');
    const [stored] = await inner.readStream(`customer-${customerId}`);
    expect(stored?.data['tier']).toBe('gold'); // not personal: plaintext
    const [read] = await store.readStream(`customer-${customerId}`);
    expect(read?.data).toEqual(event.data);
  });

  it('an erased subject reads as ERASED everywhere, another subject still decrypts, and no key comes back', async () => {
    const a = uuidv7();
    const b = uuidv7();
    await store.appendToStream(`customer-${a}`, [registered(a)], { expectedRevision: NO_STREAM });
    await store.appendToStream(`customer-${b}`, [registered(b, 'Other Person', 'other@example.com')], { expectedRevision: NO_STREAM });
    await vault.erase(a, 'data-subject request');

    const [erased] = await store.readStream(`customer-${a}`);
    expect(erased?.data).toMatchObject({ customerId: a, name: ERASED, contact: { email: ERASED, channel: 'email' }, birthDate: ERASED, tier: 'gold' });
    expect(isErased(erased?.data['name'])).toBe(true);
    const all = await store.readAll({ filter: { streamCategories: ['customer'] } });
    expect(all.filter((e) => e.data['customerId'] === a).every((e) => isErased(e.data['name']))).toBe(true);
    const [other] = await store.readStream(`customer-${b}`);
    expect(other?.data['name']).toBe('Other Person');

    await expect(store.appendToStream(`customer-${a}`, [registered(a)], { expectedRevision: 0 })).rejects.toBeInstanceOf(SubjectErasedError);
    await expect(vault.keyForWriting(a)).rejects.toBeInstanceOf(SubjectErasedError);
    expect(await vault.keyForReading(a)).toBeNull();
    await vault.erase(a, 'again'); // idempotent
  });

  it('opens a page of many subjects with one key read: erased, keyless and subject-less events as one by one', async () => {
    // Their own stream category, read alone: the file's other tests leave events this one must not read.
    const stream = (id: string): string => `pageread-${id}`;
    const ids = Array.from({ length: 12 }, () => uuidv7());
    for (const [i, id] of ids.entries()) {
      await store.appendToStream(stream(id), [registered(id, `Person ${String(i)}`, `p${String(i)}@example.com`)], { expectedRevision: NO_STREAM });
    }
    await store.appendToStream(stream(uuidv7()), [testEvent('ThingHappened.v1', { n: 1 })], { expectedRevision: NO_STREAM });
    const [erasedId, sealedId] = ids;
    if (!erasedId || !sealedId) throw new Error('no subject');
    await vault.erase(erasedId, 'data-subject request');
    // Written below the encrypting store: a subject that never had a key (plaintext), an event of
    // an undeclared type, and a sealed event whose subject id is missing.
    const keyless = uuidv7();
    await inner.appendToStream(stream(keyless), [registered(keyless, 'Plain Text')], { expectedRevision: NO_STREAM });
    await inner.appendToStream(stream(uuidv7()), [testEvent('Undeclared.v1', { n: 2 })], { expectedRevision: NO_STREAM });
    const [sealed] = await inner.readStream(stream(sealedId));
    if (!sealed) throw new Error('no sealed event');
    const { customerId: _dropped, ...withoutSubject } = sealed.data;
    const orphanEvent = { ...testEvent('CustomerRegistered.v1', {}), data: withoutSubject };
    await inner.appendToStream(stream(uuidv7()), [orphanEvent], { expectedRevision: NO_STREAM });

    // A process that has cached no key yet, as a rebuild or a catch-up starts.
    const coldVault = new PostgresKeyVault({ connectionString: db.url, masterKey });
    const cold = new EncryptingEventStore(inner, registry, coldVault);
    const many = jest.spyOn(coldVault, 'keysForReading');
    const one = jest.spyOn(coldVault, 'keyForReading');
    try {
      // Another suite's open transaction may hold the visibility horizon back for a moment.
      await expectEventually(async () => {
        many.mockClear();
        one.mockClear();
        const page = await cold.readAll({ maxCount: 1000, filter: { streamCategories: ['pageread'] } });
        expect(page).toHaveLength(ids.length + 4);
        const byId = new Map(page.map((e) => [e.id, e]));
        const names = new Map(page.filter((e) => e.type === 'CustomerRegistered.v1').map((e) => [e.data['customerId'], e.data['name']]));
        expect(isErased(names.get(erasedId))).toBe(true);
        ids.slice(1).forEach((id, i) => {
          expect(names.get(id)).toBe(`Person ${String(i + 1)}`);
        });
        expect(names.get(keyless)).toBe('Plain Text');
        expect(page.find((e) => e.type === 'Undeclared.v1')?.data).toEqual({ n: 2 });
        expect(page.find((e) => e.type === 'ThingHappened.v1')?.data).toEqual({ n: 1 });
        const orphan = byId.get(orphanEvent.id);
        expect(isErased(orphan?.data['name'])).toBe(true);
        expect(orphan?.data['tier']).toBe('gold');
        expect(many).toHaveBeenCalledTimes(1);
        expect(one).not.toHaveBeenCalled();
      });
    } finally {
      await coldVault.close();
    }
  });

  it('opens a long page a slice at a time, and a subject erased between slices reads as erased from then on', async () => {
    const subject = uuidv7();
    const stream = `slices-${subject}`;
    // The subject's events at the head of the first slice and in the second; the rest not personal.
    const events = Array.from({ length: OPEN_SLICE * 2 + 100 }, (_, i) =>
      i === 0 || i === OPEN_SLICE + 100 ? registered(subject) : testEvent('ThingHappened.v1', { n: i }),
    );
    await store.appendToStream(stream, events, { expectedRevision: NO_STREAM });
    const coldVault = new PostgresKeyVault({ connectionString: db.url, masterKey });
    expect(await coldVault.keyForReading(subject)).not.toBeNull(); // in this process's cache
    await vault.erase(subject, 'data-subject request'); // by another process: this one has not heard yet
    let turned = false;
    // Runs at the first turn of the event loop after the page was read: the erasure's notice arriving
    // (what the vault's listener does with it), while the page is being opened.
    class ThenNotice extends PostgresEventStore {
      override async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
        const page = await super.readAll(options);
        setImmediate(() => {
          turned = true;
          (coldVault as unknown as { forget(subjectId: string): void }).forget(subject);
        });
        return page;
      }
    }
    const innerWithNotice = new ThenNotice({ connectionString: db.url });
    const cold = new EncryptingEventStore(innerWithNotice, registry, coldVault);
    try {
      await expectEventually(async () => {
        turned = false;
        const page = await cold.readAll({ maxCount: 5000, filter: { streamCategories: ['slices'] } });
        expect(page).toHaveLength(events.length);
        expect(turned).toBe(true); // the loop turned before the page was opened to its end
        const names = page.filter((e) => e.type === 'CustomerRegistered.v1').map((e) => e.data['name']);
        expect(names[0]).toBe(CANARY_NAME); // opened before the notice: what this process knew
        expect(isErased(names[1])).toBe(true);
      });
    } finally {
      await innerWithNotice.close();
      await coldVault.close();
    }
  });

  it('a subscription delivers decrypted events', async () => {
    const c = uuidv7();
    await store.appendToStream(`customer-${c}`, [registered(c)], { expectedRevision: NO_STREAM });
    const subscription = store.subscribeToAll({ filter: { streamCategories: ['customer'] } });
    const seen: unknown[] = [];
    // Other suites' open transactions hold back the cluster-wide visibility horizon:
    // "caught up" may come before our event is visible, so read on (live) until it arrives.
    const deadline = Date.now() + 20_000;
    for await (const batch of subscription) {
      seen.push(...batch.events.filter((e) => e.data['customerId'] === c).map((e) => e.data['name']));
      if ((batch.caughtUp && seen.length > 0) || Date.now() > deadline) break;
    }
    await subscription.close();
    expect(seen).toEqual([CANARY_NAME]);
  });

  it('refuses tampered ciphertext and ciphertext moved to another field or event', async () => {
    const d = uuidv7();
    await store.appendToStream(`customer-${d}`, [registered(d), registered(d, 'Second Name', 'second@example.com')], { expectedRevision: NO_STREAM });
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const stream = `customer-${d}`;
      // Ciphertext of `name` pasted into `birthDate` of the same event.
      await admin.query(`UPDATE event_store.events SET data = jsonb_set(data, '{birthDate}', data->'name') WHERE stream_id = $1 AND stream_position = 0`, [
        stream,
      ]);
      await expect(store.readStream(stream, { maxCount: 1 })).rejects.toBeInstanceOf(DecryptionError);
      // Ciphertext of the first event's name pasted into the second event.
      await admin.query(
        `UPDATE event_store.events SET data = jsonb_set(data, '{name}', (SELECT data->'name' FROM event_store.events WHERE stream_id = $1 AND stream_position = 0)) WHERE stream_id = $1 AND stream_position = 1`,
        [stream],
      );
      await expect(store.readStream(stream, { fromRevision: 1 })).rejects.toBeInstanceOf(DecryptionError);
      // One byte of a tag changed.
      const e = uuidv7();
      await store.appendToStream(`customer-${e}`, [registered(e)], { expectedRevision: NO_STREAM });
      await admin.query(
        `UPDATE event_store.events SET data = jsonb_set(data, '{contact,email,tag}', to_jsonb('AAAAAAAAAAAAAAAAAAAAAA=='::text)) WHERE stream_id = $1`,
        [`customer-${e}`],
      );
      await expect(store.readStream(`customer-${e}`)).rejects.toBeInstanceOf(DecryptionError);
    } finally {
      await admin.end();
    }
  });

  it('refuses undeclared event types, unclassified fields and personal data in stream ids or metadata, writing nothing', async () => {
    const before = await inner.countAfter(undefined, undefined, 1_000_000);
    await expect(store.appendToStream(`thing-${uuidv7()}`, [testEvent('Undeclared.v1')], { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(
      UndeclaredEventTypeError,
    );
    const f = uuidv7();
    const withEmailInMetadata = { ...registered(f), metadata: { ...registered(f).metadata, actor: 'user:jane@example.com' } };
    await expect(store.appendToStream(`customer-${f}`, [withEmailInMetadata], { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(
      PersonalDataInEnvelopeError,
    );
    await expect(
      store.appendToStream(`customer-${CANARY_NAME.replace(/ /g, '')}`, [registered(f, CANARY_NAME.replace(/ /g, ''))], { expectedRevision: NO_STREAM }),
    ).rejects.toBeInstanceOf(PersonalDataInEnvelopeError);
    await expect(
      store.appendToStream(
        `thing-${uuidv7()}`,
        [{ ...testEvent('ThingHappened.v1'), metadata: { ...testEvent().metadata, correlationId: '+86 138 1234 5678' } }],
        { expectedRevision: NO_STREAM },
      ),
    ).rejects.toBeInstanceOf(PersonalDataInEnvelopeError);
    // A field the table does not classify (a renamed `name`) would be kept in plaintext: refused.
    const { name, ...rest } = registered(f).data;
    const renamed = { ...registered(f), data: { ...rest, fullName: name ?? null } };
    await expect(store.appendToStream(`customer-${f}`, [renamed], { expectedRevision: NO_STREAM })).rejects.toThrow(UnclassifiedFieldError);
    await expect(store.appendToStream(`customer-${f}`, [renamed], { expectedRevision: NO_STREAM })).rejects.toThrow(/fullName are not classified/u);
    expect(await inner.countAfter(undefined, undefined, 1_000_000)).toBe(before);
  });

  it('drops a cached key in every process when a subject is erased (LISTEN/NOTIFY)', async () => {
    const g = uuidv7();
    await store.appendToStream(`customer-${g}`, [registered(g)], { expectedRevision: NO_STREAM });
    const otherVault = new PostgresKeyVault({ connectionString: db.url, masterKey, cacheTtlMs: 600_000 });
    await otherVault.listen();
    const otherStore = new EncryptingEventStore(new PostgresEventStore({ connectionString: db.url }), registry, otherVault);
    try {
      expect((await otherStore.readStream(`customer-${g}`))[0]?.data['name']).toBe(CANARY_NAME); // key now cached there
      await vault.erase(g, 'deletion');
      await expectEventually(async () => {
        expect(isErased((await otherStore.readStream(`customer-${g}`))[0]?.data['name'])).toBe(true);
      }, 3000);
    } finally {
      await otherStore.close();
      await otherVault.close();
    }
  });

  it('refuses a wrong master key at start-up with a clear error', async () => {
    const wrong = new PostgresKeyVault({ connectionString: db.url, masterKey: newKey() });
    try {
      await expect(wrong.verifyMasterKey()).rejects.toBeInstanceOf(MasterKeyError);
      await expect(wrong.verifyMasterKey()).rejects.toThrow(/set up with master key/);
    } finally {
      await wrong.close();
    }
    expect(() => parseMasterKey('too-short')).toThrow(MasterKeyError);
  });
});
