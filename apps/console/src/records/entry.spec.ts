import { fieldText, prettyBody, receiptsOf, type ProcessingRecordBody } from './entry';

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

  it('leads to the receipt of a consent event’s entry, and to the grant receipts of the consents a decision names', () => {
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
      consents: [],
      asOf: null,
    };
    expect(receiptsOf(base)).toEqual([{ eventId: '01a24294-5868-7002-b4b5-7ded287e1bd1' }]);
    expect(receiptsOf({ ...base, categories: ['contact'] })).toEqual([]);
    // A version 1 decision names no consents; a version 2 one names each it rested on.
    expect(receiptsOf({ ...base, kind: 'decision', eventId: null })).toEqual([]);
    expect(receiptsOf({ ...base, v: 2, kind: 'decision', eventId: null, consents: ['c-1', 'c-2'] })).toEqual([{ consentId: 'c-1' }, { consentId: 'c-2' }]);
  });
});
