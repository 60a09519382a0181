import { bodyOf, decodeRecord, encodeRecord, RecordEncodingError, type RecordDraft } from './record';

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
  ])('refuses %s', (_, text) => {
    expect(() => decodeRecord(text)).toThrow(RecordEncodingError);
  });
});
