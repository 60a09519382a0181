import { DomainError, type JsonValue } from '@attest/kernel';
import type { CommandContext } from '@attest/security';
import type { KeptField, RetainedValue } from './ports';
import { SubjectRightsService, type ConsentData, type CustomerData, type RetainedData } from './subject-rights';

const context: CommandContext = { tenantId: 't', actor: 'user:h', correlationId: 'c', commandId: 'k' };

/** In-memory ports: they isolate the requests context's rules from the contexts that hold the data. */
function ports(profile: Record<string, JsonValue | null>) {
  const calls: string[] = [];
  const kept = new Map<string, { kept: KeptField; value: JsonValue }>();
  const customers: CustomerData = {
    correctableFields: ['name', 'email', 'phone'],
    exists: () => Promise.resolve(true),
    values: (_t, _c, fields) => Promise.resolve(Object.fromEntries(fields.map((f) => [f, profile[f] ?? null]))),
    restrict: () => Promise.resolve(true),
    correct: (_ctx, _c, changes) => {
      calls.push(`correct ${Object.keys(changes).join(',')}`);
      return Promise.resolve();
    },
    erase: (_ctx, customerId) => {
      calls.push(`erase ${customerId}`);
      return Promise.resolve({ eventId: 'e-1', erasedAt: '2026-12-04T10:00:00.000Z' });
    },
  };
  const consents: ConsentData = { withdrawAll: (_ctx, _c, purposes, source) => Promise.resolve([`${purposes.join(',')}@${source}`]) };
  const retained: RetainedData = {
    keep: (_t, _c, _r, values) => {
      calls.push(`keep ${values.map((v) => v.kept.field).join(',')}`);
      for (const v of values) kept.set(v.kept.field, v);
      return Promise.resolve();
    },
    keptFor: () => Promise.resolve([...kept.values()].map((v) => ({ field: v.kept.field, reason: v.kept.reason, until: v.kept.until }))),
    values: (): Promise<RetainedValue[]> => Promise.resolve([]),
  };
  return { service: new SubjectRightsService(customers, consents, retained), calls };
}

describe('what a data-subject request does to the subject’s data (requests context rules over its ports)', () => {
  it('refuses a correction naming a field that is not a profile field, before anything changes', async () => {
    const { service, calls } = ports({});
    await expect(service.correct(context, 'c-1', { name: 'Li', shoeSize: '42' })).rejects.toMatchObject({ code: 'DSR.FIELD_UNKNOWN' });
    await expect(service.correct(context, 'c-1', { shoeSize: '42' })).rejects.toBeInstanceOf(DomainError);
    expect(calls).toEqual([]);
    expect(await service.correct(context, 'c-1', { phone: null, name: 'Li' })).toEqual(['name', 'phone']);
  });

  it('D5: keeps the fields under a duty that hold a value, before the erasure, and lists them as retained', async () => {
    const { service, calls } = ports({ name: 'Li Na', email: null });
    const keep: KeptField[] = [
      { field: 'name', reason: 'tax law', until: '2030-12-31' },
      { field: 'email', reason: 'tax law', until: '2030-12-31' },
    ];
    const erasure = await service.erase(context, 'c-1', 'r-1', keep, new Date());
    expect(calls).toEqual(['keep name', 'erase c-1']);
    expect(erasure.retained).toEqual([{ category: 'name', reason: 'tax law', until: '2030-12-31' }]);
    expect(erasure.covered[0]).toBe('profile (except the retained fields)');
    expect(erasure.eventId).toBe('e-1');
  });

  it('erases everything when nothing is kept, and withdraws consents with the request as the source', async () => {
    const { service, calls } = ports({ name: 'Li Na' });
    expect((await service.erase(context, 'c-1', 'r-2', [], new Date())).covered[0]).toBe('profile');
    expect(calls).toEqual(['erase c-1']);
    expect(await service.withdrawConsents(context, 'c-1', ['newsletter'], 'r-2')).toEqual(['newsletter@dsr:r-2']);
  });
});
