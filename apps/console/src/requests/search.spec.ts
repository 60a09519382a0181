import { bulkFilter, clockOf, parseQueueSearch, queueFilter } from './search';

describe('the request queue’s view in the URL', () => {
  it('keeps known values and drops the rest, so an edited link still opens the queue', () => {
    expect(parseQueueSearch({ tab: 'stale', who: 'all', type: 'deletion', urgency: 'soon', dueFrom: '2026-12-01', dueTo: 'tomorrow', channel: 'fax' })).toEqual(
      {
        tab: 'stale',
        who: 'all',
        type: 'deletion',
        dueFrom: '2026-12-01',
      },
    );
    expect(parseQueueSearch({ tab: 'queue' })).toEqual({});
    expect(parseQueueSearch({ after: '01890000-0000-7000-8000-000000000000' })).toEqual({ after: '01890000-0000-7000-8000-000000000000' });
    expect(parseQueueSearch({ after: "x' OR 1=1" })).toEqual({});
  });

  it('pages the list with `after`, while a bulk action still reaches the whole filter', () => {
    const search = { who: 'all' as const, channel: 'letter' as const, after: '01890000-0000-7000-8000-000000000000' };
    expect(queueFilter(search, 'user:h')).toEqual({ stale: 'false', channel: 'letter', after: '01890000-0000-7000-8000-000000000000' });
    expect(bulkFilter(search, 'user:h')).toEqual({ status: 'open', stale: false, channel: 'letter' });
  });

  it('asks the API for mine by default, without stale unverified requests; the bulk body has booleans', () => {
    expect(queueFilter({}, 'user:h')).toEqual({ stale: 'false', handler: 'user:h' });
    expect(queueFilter({ tab: 'stale', who: 'all', verified: 'false', channel: 'phone' }, 'user:h')).toEqual({
      stale: 'true',
      verified: 'false',
      channel: 'phone',
    });
    expect(bulkFilter({ tab: 'stale', who: 'all', verified: 'false' }, 'user:h')).toEqual({ status: 'open', stale: true, verified: false });
  });

  it('says what the clock is doing', () => {
    const base = { verified: true, extension: null, escalations: [], closedAt: null };
    expect(clockOf({ ...base, verified: false })).toEqual({ kind: 'waiting-identity' });
    expect(clockOf({ ...base, extension: { reason: 'several systems', requesterToldAt: '2026-12-01T00:00:00Z' } })).toEqual({
      kind: 'extended',
      reason: 'several systems',
    });
    expect(clockOf({ ...base, escalations: [{ reason: 'x', at: '2026-12-01T00:00:00Z', by: 'user:h' }] })).toEqual({ kind: 'escalated' });
    expect(clockOf(base)).toEqual({ kind: 'running' });
    expect(clockOf({ ...base, closedAt: '2026-12-01T00:00:00Z' })).toEqual({ kind: 'stopped' });
  });
});
