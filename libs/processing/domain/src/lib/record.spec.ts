import fc from 'fast-check';
import { bodyOf, decodeRecord, encodeRecord, encodeRecordAround, RecordEncodingError, type RecordDraft } from './record';

const draft: RecordDraft = {
  tenantId: 'acme',
  sourceId: 'evt-1',
  kind: 'decision',
  categories: ['contact'],
  purpose: 'newsletter',
  method: 'api',
  measures: ['per-subject-encryption'],
  legalBasis: 'consent',
  actor: 'apikey:crm',
  subject: 'psn_Zoë-张伟',
  at: '2026-11-22T10:00:00.000Z',
  eventId: null,
  commandId: 'cmd-1',
  correlationId: 'corr-1',
  channel: 'email',
  outcome: 'deny',
  reasons: ['CONSENT.WITHDRAWN'],
  consents: ['018f0000-0000-7000-8000-000000000001'],
  asOf: 'pg:00000001.0000000000000a3c.0000000000000001',
};
const AS_OF = ',"asOf":"pg:00000001.0000000000000a3c.0000000000000001"';

describe('the canonical processing record encoding (P1, version 3)', () => {
  const body = encodeRecord(bodyOf(draft, 7));

  it('has its keys in code-point order, no whitespace, and decodes to what was encoded', () => {
    expect(
      body.startsWith(
        '{"actor":"apikey:crm","asOf":"pg:00000001.0000000000000a3c.0000000000000001","at":"2026-11-22T10:00:00.000Z","categories":["contact"],"channel":"email","commandId":"cmd-1"',
      ),
    ).toBe(true);
    expect(body).toContain('"commandId":"cmd-1","consents":["018f0000-0000-7000-8000-000000000001"],"correlationId":"corr-1"');
    expect(body.endsWith('"subject":"psn_Zoë-张伟","tenant":"acme","v":3}')).toBe(true);
    expect(decodeRecord(body)).toEqual(bodyOf(draft, 7));
  });

  it('still reads version 2 (written before decisions said how fresh their facts were): the same keys without asOf, read as null', () => {
    const v2 = encodeRecord({ ...bodyOf(draft, 7), v: 2, asOf: null });
    expect(v2).toBe(body.replace(AS_OF, '').replace('"v":3}', '"v":2}'));
    expect(decodeRecord(v2)).toEqual({ ...bodyOf(draft, 7), v: 2, asOf: null });
    expect(encodeRecord(decodeRecord(v2))).toBe(v2);
    expect(() => encodeRecord({ ...bodyOf(draft, 7), v: 2 })).toThrow(RecordEncodingError);
  });

  it('a draft staged before version 3 (no asOf) becomes a record with asOf null', () => {
    const { asOf: _ignored, ...older } = draft;
    expect(bodyOf(older, 7)).toMatchObject({ v: 3, asOf: null });
  });

  it('still reads version 1 (written before consents were named): the same keys without consents, read as none', () => {
    const v1 = encodeRecord({ ...bodyOf(draft, 7), v: 1, consents: [], asOf: null });
    expect(v1).toBe(body.replace(AS_OF, '').replace(',"consents":["018f0000-0000-7000-8000-000000000001"]', '').replace('"v":3}', '"v":1}'));
    expect(decodeRecord(v1)).toEqual({ ...bodyOf(draft, 7), v: 1, consents: [], asOf: null });
    expect(encodeRecord(decodeRecord(v1))).toBe(v1);
  });

  it('cannot write consents into a version 1 record', () => {
    expect(() => encodeRecord({ ...bodyOf(draft, 7), v: 1, asOf: null })).toThrow(RecordEncodingError);
  });

  it.each([
    ['whitespace', body.replace('"actor":', '"actor": ')],
    ['keys out of order', body.replace('"correlationId":"corr-1","eventId":null', '"eventId":null,"correlationId":"corr-1"')],
    ['an escape JSON would not write', body.replace('"apikey:crm"', '"apikey\\u003acrm"')],
    ['an extra key', body.replace('"v":3}', '"v":3,"w":2}')],
    ['a missing key', body.replace(',"reasons":["CONSENT.WITHDRAWN"]', '')],
    ['an unknown kind', body.replace('"kind":"decision"', '"kind":"gossip"')],
    ['another version', body.replace('"v":3}', '"v":4}')],
    ['version 1 naming consents', body.replace(AS_OF, '').replace('"v":3}', '"v":1}')],
    ['version 2 naming a position', body.replace('"v":3}', '"v":2}')],
    ['version 3 without consents', body.replace(',"consents":["018f0000-0000-7000-8000-000000000001"]', '')],
    ['version 3 without asOf', body.replace(AS_OF, '')],
    ['a position that is not a string', body.replace(AS_OF, ',"asOf":1')],
    ['consents that are not strings', body.replace('["018f0000-0000-7000-8000-000000000001"]', '[1]')],
    ['a number as text', body.replace('"index":7', '"index":"7"')],
    ['not JSON', body.slice(0, -1)],
    ['an array', '[]'],
  ])('refuses %s', (fault, text) => {
    expect(() => decodeRecord(text)).toThrow(RecordEncodingError);
    // Read to be shown, only the spelling passes: every other fault is still refused.
    const spelling = /whitespace|escape/.test(fault);
    if (spelling) expect(decodeRecord(text, 'shape')).toEqual(bodyOf(draft, 7));
    else expect(() => decodeRecord(text, 'shape')).toThrow(RecordEncodingError);
  });

  it('checks keys and types, not the text, when only the shape is checked: a key written twice passes there, never in full', () => {
    const twice = body.replace('"v":3}', '"v":3,"subject":"psn_forged"}');
    expect(() => decodeRecord(twice)).toThrow(RecordEncodingError);
    expect(decodeRecord(twice, 'shape')).toMatchObject({ subject: 'psn_forged' });
  });

  it('reads versions 1 and 2 with their defaults when only the shape is checked', () => {
    const v1 = encodeRecord({ ...bodyOf(draft, 7), v: 1, consents: [], asOf: null });
    const v2 = encodeRecord({ ...bodyOf(draft, 7), v: 2, asOf: null });
    expect(decodeRecord(v1, 'shape')).toEqual(decodeRecord(v1));
    expect(decodeRecord(v2, 'shape')).toEqual(decodeRecord(v2));
    expect(decodeRecord(body, 'shape')).toEqual(bodyOf(draft, 7));
  });
});

describe('the encoding split around the index (written before the log says the position)', () => {
  // Strings that look like the split point, escapes and non-BMP characters: the split must find the key itself.
  const text = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom(',"index":0,"kind":', '\\",\\"index\\":0,', '","index":0,"kind":"x', '\\', '"', '😀,"index":0'),
  );
  const orNull = fc.option(text, { nil: null });
  const drafts = fc.record({
    tenantId: text,
    sourceId: text,
    kind: fc.constantFrom(...(['decision', 'collect', 'export'] as const)),
    categories: fc.array(text, { maxLength: 3 }),
    purpose: orNull,
    method: text,
    measures: fc.array(text, { maxLength: 3 }),
    legalBasis: orNull,
    actor: text,
    subject: orNull,
    at: text,
    eventId: orNull,
    commandId: orNull,
    correlationId: orNull,
    channel: orNull,
    outcome: orNull,
    reasons: fc.array(text, { maxLength: 3 }),
    consents: fc.array(text, { maxLength: 3 }),
    asOf: orNull,
  });

  it('gives the canonical encoding at every index, in every version', () => {
    fc.assert(
      fc.property(drafts, fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(1, 2, 3), (d, index, v) => {
        const body = v === 3 ? bodyOf(d, index) : { ...bodyOf(d, index), v, asOf: null, ...(v === 1 ? { consents: [] } : {}) };
        const { head, tail } = encodeRecordAround(body);
        expect(`${head}${index}${tail}`).toBe(encodeRecord(body));
      }),
      { numRuns: 500 },
    );
  });

  it('is the same split whatever index the record had', () => {
    const around = encodeRecordAround(bodyOf(draft, 7));
    expect(encodeRecordAround(bodyOf(draft, 0))).toEqual(around);
    expect(around.head.endsWith('"eventId":null,"index":')).toBe(true);
    expect(around.tail.startsWith(',"kind":"decision"')).toBe(true);
  });
});
