import { PROCESSING_KINDS as SERVER_KINDS } from '@attest/kernel';
import { bodyOf, decodeRecord as serverDecode, encodeRecord, type RecordDraft } from '@attest/processing-domain';
import { decodeRecord, PROCESSING_KINDS } from './record';

const draft: RecordDraft = {
  tenantId: 'acme',
  sourceId: 'src-1',
  kind: 'decision',
  categories: ['contact'],
  purpose: 'newsletter',
  method: 'api',
  measures: ['per-subject-encryption'],
  legalBasis: 'consent',
  actor: 'apikey:crm',
  subject: 'psn_x',
  at: '2026-11-22T10:00:00.000Z',
  eventId: null,
  commandId: 'cmd-1',
  correlationId: 'corr-1',
  channel: 'email',
  outcome: 'allow',
  reasons: [],
  consents: ['018f0000-0000-7000-8000-000000000001'],
  asOf: 'pg:00000001.0000000000000a3c.0000000000000001',
};

const AS_OF = ',"asOf":"pg:00000001.0000000000000a3c.0000000000000001"';

describe('the console’s copy of the record format', () => {
  it('lists exactly the server’s processing kinds, in the same order', () => {
    expect([...PROCESSING_KINDS]).toEqual([...SERVER_KINDS]);
  });

  it('reads a version 3 body (with the position its decision rested on) as the server does', () => {
    const body = encodeRecord(bodyOf(draft, 3));
    expect(body).toContain('"asOf":"pg:');
    expect(decodeRecord(body)).toEqual({ ok: true, value: serverDecode(body) });
  });

  it('reads a version 2 body (with the consents a decision rested on, no position) as the server does', () => {
    const body = encodeRecord({ ...bodyOf(draft, 3), v: 2, asOf: null });
    expect(body).not.toContain('asOf');
    expect(decodeRecord(body)).toEqual({ ok: true, value: serverDecode(body) });
  });

  it('reads a version 1 body (no consents key) as the server does: no consents', () => {
    const body = encodeRecord({ ...bodyOf(draft, 3), v: 1, consents: [], asOf: null });
    expect(body).not.toContain('consents');
    expect(decodeRecord(body)).toEqual({ ok: true, value: { ...serverDecode(body), consents: [] } });
  });

  it.each([
    ['a version 1 body naming consents', (b: string) => b.replace(AS_OF, '').replace('"v":3}', '"v":1}')],
    ['a version 2 body naming a position', (b: string) => b.replace('"v":3}', '"v":2}')],
    ['a version 3 body without consents', (b: string) => b.replace(',"consents":["018f0000-0000-7000-8000-000000000001"]', '')],
    ['a version 3 body without a position', (b: string) => b.replace(AS_OF, '')],
    ['a position that is not a string', (b: string) => b.replace(AS_OF, ',"asOf":7')],
    ['consents that are not a list of strings', (b: string) => b.replace('"consents":["018f0000-0000-7000-8000-000000000001"]', '"consents":[1]')],
    ['a version 4 body', (b: string) => b.replace('"v":3}', '"v":4}')],
  ])('refuses %s, as the server does', (_, edit) => {
    const body = edit(encodeRecord(bodyOf(draft, 3)));
    expect(decodeRecord(body).ok).toBe(false);
    expect(() => serverDecode(body)).toThrow();
  });
});
