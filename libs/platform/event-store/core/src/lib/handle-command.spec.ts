import type { Decider } from '@attest/kernel';
import type { EventMetadata } from './event';
import type { EventStore } from './event-store.port';
import { eventOf, handleWithDecider, type DomainEvent } from './handle-command';

type Suspended = DomainEvent & { readonly type: 'Suspended.v1'; readonly data: { readonly id: string } };
const decider: Decider<{ readonly id: string }, Suspended, { readonly suspended: boolean }> = {
  initialState: { suspended: false },
  decide: (command, state) => (state.suspended ? [] : [{ type: 'Suspended.v1', data: { id: command.id } }]),
  evolve: () => ({ suspended: true }),
};
const metadata: EventMetadata = {
  tenantId: 't',
  actor: 'user:a',
  correlationId: 'c',
  causationId: null,
  commandId: 'k',
  occurredAt: '2026-12-04T10:00:00.000Z',
};

/** A store of one empty stream that counts its appends (isolates the handler; the adapters have their own contract suite). */
function store(): { store: EventStore; appends: () => number } {
  let appends = 0;
  const fake = {
    readStream: () => Promise.resolve([]),
    appendToStream: () => {
      appends += 1;
      return Promise.resolve({ nextExpectedRevision: 0, position: null, idempotent: false });
    },
  } as unknown as EventStore;
  return { store: fake, appends: () => appends };
}

describe('handleWithDecider: work before the append', () => {
  it('runs with the decided events before they are appended', async () => {
    const s = store();
    const seen: string[] = [];
    await handleWithDecider(s.store, decider, 's-1', { id: 'x' }, metadata, {
      beforeAppend: (events) => {
        seen.push(...events.map((e) => e.type), `appended so far: ${String(s.appends())}`);
        return Promise.resolve();
      },
    });
    expect(seen).toEqual(['Suspended.v1', 'appended so far: 0']);
    expect(s.appends()).toBe(1);
  });

  it('fails closed: when it throws, nothing is appended (the command can be retried)', async () => {
    const s = store();
    await expect(
      handleWithDecider(s.store, decider, 's-1', { id: 'x' }, metadata, { beforeAppend: () => Promise.reject(new Error('revocation failed')) }),
    ).rejects.toThrow('revocation failed');
    expect(s.appends()).toBe(0);
  });
});

describe('eventOf: a stored event narrowed to its owner’s union', () => {
  type Granted = { readonly type: 'Granted.v1'; readonly data: { readonly purposeKey: string } };
  type Withdrawn = { readonly type: 'Withdrawn.v1'; readonly data: { readonly purposeKey: string; readonly reason: string } };
  type Published = Granted | Withdrawn;
  const PUBLISHED: readonly Published['type'][] = ['Granted.v1', 'Withdrawn.v1'];

  it('returns the typed event for a listed type and null for any other', () => {
    const event = eventOf<Published>({ type: 'Withdrawn.v1', data: { purposeKey: 'news', reason: 'asked' } }, PUBLISHED);
    expect(event?.type === 'Withdrawn.v1' ? event.data.reason : null).toBe('asked');
    expect(eventOf<Published>({ type: 'Other.v1', data: {} }, PUBLISHED)).toBeNull();
  });

  it('makes a renamed event or field a type error in the consumer (checked by the type-check)', () => {
    // @ts-expect-error — an event type the owner does not publish
    const renamed: readonly Published['type'][] = ['Grant.v1'];
    const event = eventOf<Published>({ type: 'Granted.v1', data: { purposeKey: 'news' } }, PUBLISHED);
    // @ts-expect-error — a field the owner's event does not have
    expect(event?.data.purpose).toBeUndefined();
    expect(renamed).toHaveLength(1);
  });
});
