import { checkEntry, type VerifiableEntry } from '@attest/processing-application';
import { bodyOf, encodeRecord } from '@attest/processing-domain';
import { leafHashOfText } from '@attest/transparency';
import { EntryCheckers } from './entry-checkers';
import { testDraft } from './test-drafts';

const tenantId = 't-threads';
const body = (i: number, tenant = tenantId): string => encodeRecord(bodyOf(testDraft(tenant, i), i));

/** Good entries and one of every kind of fault an entry can show on its own. */
function entries(): VerifiableEntry[] {
  const good = Array.from({ length: 40 }, (_, i): VerifiableEntry => ({ index: i, body: body(i), leafHash: i % 2 === 0 ? leafHashOfText(body(i)) : null }));
  const at = (i: number): VerifiableEntry => good[i] as VerifiableEntry;
  good[3] = { ...at(3), body: body(3).replace('"newsletter"', '"analytics"'), leafHash: leafHashOfText(body(3)) }; // changed body, stored hash kept
  good[5] = { ...at(5), body: body(5, 't-other') }; // another tenant's
  good[7] = { ...at(7), body: body(8) }; // moved
  good[9] = { ...at(9), body: `${body(9)} ` }; // not canonical
  good[11] = { index: 11, body: null, leafHash: leafHashOfText(body(11)) }; // purged, hash kept
  good[13] = { index: 13, body: null, leafHash: null }; // purged, hash lost
  good[15] = { ...at(15), body: 'not json' };
  return good;
}

describe('EntryCheckers (entries checked on worker threads)', () => {
  let checkers: EntryCheckers;
  beforeAll(() => {
    checkers = new EntryCheckers(2);
  });
  afterAll(async () => {
    await checkers.close();
  });

  it('answers what checkEntry answers on this thread, entry by entry, whichever thread took the batch', async () => {
    const all = entries();
    const expected = all.map((e) => checkEntry(e, tenantId));
    const [first, second, empty] = await Promise.all([
      checkers.check(tenantId, all.slice(0, 20)),
      checkers.check(tenantId, all.slice(20)),
      checkers.check(tenantId, []),
    ]);
    const got = [...first, ...second];
    expect(empty).toEqual([]);
    expect(got.map((c) => ({ hash: c.hash.toString('hex'), problems: c.problems }))).toEqual(
      expected.map((c) => ({ hash: c.hash.toString('hex'), problems: c.problems })),
    );
    // The faults were seen (not merely equal to an in-thread run that saw nothing).
    expect(got.filter((c) => c.problems.length > 0)).toHaveLength(6);
    expect(got[3]?.problems).toEqual(['entry 3: its body does not match its stored leaf hash']);
    expect(got[5]?.problems).toEqual(['entry 5: it belongs to tenant t-other']);
    expect(got[11]?.hash.equals(leafHashOfText(body(11)))).toBe(true);
  });

  it('fails the batches a thread was given when it stops, instead of leaving them waiting', async () => {
    const doomed = new EntryCheckers(1);
    const big = Array.from({ length: 20_000 }, (_, i): VerifiableEntry => ({ index: i, body: body(i), leafHash: null }));
    const pending = doomed.check(tenantId, big);
    await doomed.close();
    await expect(pending).rejects.toThrow(/an entry-checking thread exited/);
  });
});
