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
};

describe('the canonical processing record encoding (P1, version 1)', () => {
  const body = encodeRecord(bodyOf(draft, 7));

  it('has its keys in code-point order, no whitespace, and decodes to what was encoded', () => {
    expect(body.startsWith('{"actor":"apikey:crm","at":"2026-11-22T10:00:00.000Z","categories":["contact"],"channel":"email","commandId":"cmd-1"')).toBe(true);
    expect(body.endsWith('"subject":"psn_Zoë-张伟","tenant":"acme","v":1}')).toBe(true);
    expect(decodeRecord(body)).toEqual(bodyOf(draft, 7));
  });

  it.each([
    ['whitespace', body.replace('"actor":', '"actor": ')],
    ['keys out of order', body.replace('{"actor":"apikey:crm","at":"2026-11-22T10:00:00.000Z",', '{"at":"2026-11-22T10:00:00.000Z","actor":"apikey:crm",')],
    ['an escape JSON would not write', body.replace('"apikey:crm"', '"apikey\\u003acrm"')],
    ['an extra key', body.replace('"v":1}', '"v":1,"w":2}')],
    ['a missing key', body.replace(',"reasons":["CONSENT.WITHDRAWN"]', '')],
    ['an unknown kind', body.replace('"kind":"decision"', '"kind":"gossip"')],
    ['another version', body.replace('"v":1}', '"v":2}')],
    ['a number as text', body.replace('"index":7', '"index":"7"')],
    ['not JSON', body.slice(0, -1)],
    ['an array', '[]'],
  ])('refuses %s', (_, text) => {
    expect(() => decodeRecord(text)).toThrow(RecordEncodingError);
  });
});
