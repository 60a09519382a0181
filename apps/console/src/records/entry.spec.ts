import { fieldText, prettyBody, receiptEventOf, type ProcessingRecordBody } from './entry';

describe('entry page', () => {
  it('pretty-prints the canonical body, or shows it as it is', () => {
    expect(prettyBody('{"a":1,"b":[true]}')).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}');
    expect(prettyBody('not json')).toBe('not json');
  });

  it('shows field values as text; null and empty lists as no value', () => {
    expect(fieldText(['contact', 'consent'])).toBe('contact, consent');
    expect(fieldText([])).toBeNull();
    expect(fieldText(null)).toBeNull();
    expect(fieldText(3)).toBe('3');
  });

  it('leads to a consent receipt only from an entry recorded from a consent event', () => {
    const base: ProcessingRecordBody = {
      v: 1,
      tenant: 't',
      index: 4,
      kind: 'collect',
      categories: ['consent'],
      purpose: 'newsletter',
      method: 'event',
      measures: [],
      legalBasis: 'consent',
      actor: 'apiKey:k',
      subject: 'psn_1',
      at: '2026-12-04T10:00:00.000Z',
      eventId: '01a24294-5868-7002-b4b5-7ded287e1bd1',
      commandId: null,
      correlationId: null,
      channel: null,
      outcome: null,
      reasons: [],
    };
    expect(receiptEventOf(base)).toBe('01a24294-5868-7002-b4b5-7ded287e1bd1');
    expect(receiptEventOf({ ...base, categories: ['contact'] })).toBeNull();
    expect(receiptEventOf({ ...base, kind: 'decision', eventId: null })).toBeNull();
  });
});
