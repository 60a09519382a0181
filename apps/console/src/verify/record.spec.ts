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
};

describe('the console’s copy of the record format', () => {
  it('lists exactly the server’s processing kinds, in the same order', () => {
    expect([...PROCESSING_KINDS]).toEqual([...SERVER_KINDS]);
  });

  it('reads a version 2 body (with the consents a decision rested on) as the server does', () => {
    const body = encodeRecord(bodyOf(draft, 3));
    expect(decodeRecord(body)).toEqual({ ok: true, value: serverDecode(body) });
  });

  it('reads a version 1 body (no consents key) as the server does: no consents', () => {
    const body = encodeRecord({ ...bodyOf(draft, 3), v: 1, consents: [] });
    expect(body).not.toContain('consents');
    expect(decodeRecord(body)).toEqual({ ok: true, value: { ...serverDecode(body), consents: [] } });
  });

  it.each([
    ['a version 1 body naming consents', (b: string) => b.replace('"v":2}', '"v":1}')],
    ['a version 2 body without consents', (b: string) => b.replace(',"consents":["018f0000-0000-7000-8000-000000000001"]', '')],
    ['consents that are not a list of strings', (b: string) => b.replace('"consents":["018f0000-0000-7000-8000-000000000001"]', '"consents":[1]')],
    ['a version 3 body', (b: string) => b.replace('"v":2}', '"v":3}')],
  ])('refuses %s, as the server does', (_, edit) => {
    const body = edit(encodeRecord(bodyOf(draft, 3)));
    expect(decodeRecord(body).ok).toBe(false);
    expect(() => serverDecode(body)).toThrow();
  });
});
