import { allowedUpdates, checkHoldReason, checkIncident, checkUpdate, emptyUpdate, EMPTY_INCIDENT, splitList, type IncidentDraft } from './forms';

// datetime-local values are in the zone this runs in; the expected instants are computed the same way.
const local = '2026-03-02T09:30';
const utc = new Date(2026, 2, 2, 9, 30, 0).toISOString();

const draft: IncidentDraft = {
  kind: 'leak',
  description: '  Export left in a public bucket ',
  awareAt: local,
  occurredAt: '',
  dataCategories: 'contact, , order history ,',
  affectedSubjectsEstimate: '120',
  likelyConsequences: 'Phishing',
};

describe('recording an incident', () => {
  it('builds the request body: trimmed texts, the local time as a UTC instant, the categories as a list', () => {
    expect(checkIncident(draft)).toEqual({
      ok: true,
      body: {
        kind: 'leak',
        description: 'Export left in a public bucket',
        awareAt: utc,
        occurredAt: null,
        dataCategories: ['contact', 'order history'],
        affectedSubjectsEstimate: 120,
        likelyConsequences: 'Phishing',
      },
    });
    const withOccurrence = checkIncident({ ...draft, occurredAt: '2026-03-01T22:15:05' });
    expect(withOccurrence.ok && withOccurrence.body.occurredAt).toBe(new Date(2026, 2, 1, 22, 15, 5).toISOString());
  });

  it('names every field the API would refuse, as its DTO checks it', () => {
    expect(checkIncident(EMPTY_INCIDENT)).toEqual({
      ok: false,
      problems: {
        kind: { code: 'required' },
        description: { code: 'required' },
        awareAt: { code: 'required' },
        affectedSubjectsEstimate: { code: 'required' },
        likelyConsequences: { code: 'required' },
      },
    });
    expect(
      checkIncident({
        ...draft,
        kind: 'flood',
        description: 'x'.repeat(5001),
        awareAt: 'yesterday',
        affectedSubjectsEstimate: '-1',
        dataCategories: Array.from({ length: 51 }, (_, i) => `c${String(i)}`).join(','),
      }),
    ).toEqual({
      ok: false,
      problems: {
        kind: { code: 'choice' },
        description: { code: 'too-long', max: 5000 },
        awareAt: { code: 'instant' },
        dataCategories: { code: 'too-many', max: 50 },
        affectedSubjectsEstimate: { code: 'whole-number' },
      },
    });
    expect(checkIncident({ ...draft, affectedSubjectsEstimate: '1.5', dataCategories: 'y'.repeat(201) })).toEqual({
      ok: false,
      problems: { affectedSubjectsEstimate: { code: 'whole-number' }, dataCategories: { code: 'too-long', max: 200 } },
    });
    // 5000 characters are counted as code points, as the API counts them.
    expect(checkIncident({ ...draft, description: '数'.repeat(5000) }).ok).toBe(true);
  });

  it('splits a comma-separated list', () => {
    expect(splitList(' a ,b,, c ')).toEqual(['a', 'b', 'c']);
    expect(splitList('')).toEqual([]);
  });
});

describe('an update of an incident', () => {
  it('sends exactly the fields of its kind', () => {
    expect(checkUpdate({ ...emptyUpdate('authority-notified', local), authority: ' CNIL ', reference: 'R-1' })).toEqual({
      ok: true,
      body: { type: 'authority-notified', at: utc, authority: 'CNIL', reference: 'R-1' },
    });
    expect(checkUpdate({ ...emptyUpdate('authority-notified', local), authority: 'CNIL', reference: 'R-1', delayReason: 'Forensics first' })).toEqual({
      ok: true,
      body: { type: 'authority-notified', at: utc, authority: 'CNIL', reference: 'R-1', delayReason: 'Forensics first' },
    });
    expect(checkUpdate({ ...emptyUpdate('subjects-notified', local), channel: 'email', count: '120', authority: 'ignored' })).toEqual({
      ok: true,
      body: { type: 'subjects-notified', at: utc, channel: 'email', count: 120 },
    });
    expect(checkUpdate({ ...emptyUpdate('remedy', local), description: 'Bucket made private' })).toEqual({
      ok: true,
      body: { type: 'remedy', at: utc, description: 'Bucket made private' },
    });
    expect(checkUpdate({ ...emptyUpdate('closed', local), summary: 'Done' })).toEqual({ ok: true, body: { type: 'closed', at: utc, summary: 'Done' } });
  });

  it('refuses what the API would answer INCIDENT.UPDATE_INCOMPLETE or VALIDATION.FAILED to', () => {
    expect(checkUpdate(emptyUpdate('authority-notified', ''))).toEqual({
      ok: false,
      problems: { at: { code: 'required' }, authority: { code: 'required' }, reference: { code: 'required' } },
    });
    expect(checkUpdate({ ...emptyUpdate('subjects-notified', local), channel: 'c'.repeat(101), count: 'many' })).toEqual({
      ok: false,
      problems: { channel: { code: 'too-long', max: 100 }, count: { code: 'whole-number' } },
    });
    expect(checkUpdate({ ...emptyUpdate('authority-notified', local), authority: 'a', reference: 'r', delayReason: 'd'.repeat(2001) })).toEqual({
      ok: false,
      problems: { delayReason: { code: 'too-long', max: 2000 } },
    });
    expect(checkUpdate(emptyUpdate('remedy', local))).toEqual({ ok: false, problems: { description: { code: 'required' } } });
    expect(checkUpdate(emptyUpdate('closed', local))).toEqual({ ok: false, problems: { summary: { code: 'required' } } });
  });

  it('offers each notification once and nothing after the closing', () => {
    const none = { closedAt: null, authorityNotifiedAt: null, subjectsNotifiedAt: null };
    expect(allowedUpdates(none)).toEqual(['authority-notified', 'subjects-notified', 'remedy', 'closed']);
    expect(allowedUpdates({ ...none, authorityNotifiedAt: '2026-03-03T00:00:00Z' })).toEqual(['subjects-notified', 'remedy', 'closed']);
    expect(allowedUpdates({ ...none, subjectsNotifiedAt: '2026-03-03T00:00:00Z' })).toEqual(['authority-notified', 'remedy', 'closed']);
    expect(allowedUpdates({ ...none, closedAt: '2026-03-03T00:00:00Z' })).toEqual([]);
  });
});

describe('a legal hold’s reason', () => {
  it('is 1 to 500 characters without control characters, as the API’s pattern', () => {
    expect(checkHoldReason(' Litigation 2026-117 ')).toEqual({ ok: true, body: { reason: 'Litigation 2026-117' } });
    expect(checkHoldReason('   ')).toEqual({ ok: false, problems: { reason: { code: 'required' } } });
    expect(checkHoldReason('r'.repeat(501))).toEqual({ ok: false, problems: { reason: { code: 'too-long', max: 500 } } });
    expect(checkHoldReason('line one\nline two')).toEqual({ ok: false, problems: { reason: { code: 'control-characters' } } });
  });
});
