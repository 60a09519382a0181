import { deciderSpec } from '@attest/testing';
import { consentDecider, consentGrantedV1ToV2, consentKey, type ConsentCommand, type ConsentEvent, type ConsentGrantedV1, type ConsentState } from './consent';
import { decide, DENY_REASONS, type DecisionFacts, type DecisionRequest, type DenyReason } from './decision';
import { consentAt, type TimedEvent } from './point-in-time';
import { purposesDecider, type Purpose, type PurposeEvent, type PurposeTerms } from './purposes';

const terms: PurposeTerms = {
  name: 'Newsletter',
  description: 'Monthly product news',
  legalBasis: 'consent',
  method: 'bulk-email',
  dataCategories: ['contact', 'behaviour'],
  channels: ['email', 'sms'],
  retentionDays: 730,
  noticeVersion: 'n-1',
};
const purpose: Purpose = { ...terms, purposeKey: 'newsletter', version: 1, consentFromVersion: 1, retired: false };
const evidence = { noticeVersion: 'n-1', method: 'checkbox', source: 'web-signup', collector: 'system:web', collectedAt: '2026-11-01T10:00:00.000Z' };
const ids = { tenantId: 'acme', customerId: 'c-1' };

describe('purposes register (K5, K6)', () => {
  const spec = deciderSpec(purposesDecider);
  const base = { tenantId: 'acme', actor: 'user:dpo', purposeKey: 'newsletter' };
  const defined: PurposeEvent = {
    type: 'PurposeDefined.v1',
    data: { tenantId: 'acme', purposeKey: 'newsletter', ...terms, version: 1, definedBy: 'user:dpo' },
  };

  it('K6: defines a purpose with its legal basis; versions revisions; K5 flags what needs consent again', () => {
    spec
      .given([])
      .when({ ...base, kind: 'DefinePurpose', terms })
      .then([defined]);
    const revise = (changes: Partial<PurposeTerms>, reconsentRequired: boolean): void => {
      spec
        .given([defined])
        .when({ ...base, kind: 'RevisePurpose', terms: { ...terms, ...changes } })
        .then([
          {
            type: 'PurposeRevised.v1',
            data: { tenantId: 'acme', purposeKey: 'newsletter', ...terms, ...changes, version: 2, reconsentRequired, revisedBy: 'user:dpo' },
          },
        ]);
    };
    revise({ description: 'Weekly offers' }, true);
    revise({ method: 'profiling' }, true);
    revise({ dataCategories: ['contact', 'behaviour', 'transactions'] }, true);
    revise({ noticeVersion: 'n-2' }, true);
    revise({ name: 'News', retentionDays: 365, channels: ['email'], dataCategories: ['contact'] }, false);
    spec
      .given([defined])
      .when({ ...base, kind: 'RetirePurpose' })
      .then([{ type: 'PurposeRetired.v1', data: { tenantId: 'acme', purposeKey: 'newsletter', version: 1, retiredBy: 'user:dpo' } }]);
  });

  it('refuses incomplete or out-of-order register changes', () => {
    spec
      .given([defined])
      .when({ ...base, kind: 'DefinePurpose', terms })
      .thenRefuses('PURPOSE.EXISTS');
    spec
      .given([])
      .when({ ...base, kind: 'RevisePurpose', terms })
      .thenRefuses('PURPOSE.NOT_FOUND');
    spec
      .given([])
      .when({ ...base, kind: 'RetirePurpose' })
      .thenRefuses('PURPOSE.NOT_FOUND');
    const retired: PurposeEvent = { type: 'PurposeRetired.v1', data: { tenantId: 'acme', purposeKey: 'newsletter', version: 1, retiredBy: 'x' } };
    spec
      .given([defined, retired])
      .when({ ...base, kind: 'RevisePurpose', terms })
      .thenRefuses('PURPOSE.RETIRED');
    spec
      .given([defined, retired])
      .when({ ...base, kind: 'RetirePurpose' })
      .thenRefuses('PURPOSE.RETIRED');
    spec
      .given([])
      .when({ ...base, kind: 'DefinePurpose', terms: { ...terms, dataCategories: [] } })
      .thenRefuses('PURPOSE.CATEGORIES_REQUIRED');
    spec
      .given([])
      .when({ ...base, kind: 'DefinePurpose', terms: { ...terms, channels: [] } })
      .thenRefuses('PURPOSE.CHANNELS_REQUIRED');
    spec
      .given([])
      .when({ ...base, kind: 'DefinePurpose', terms: { ...terms, retentionDays: 0 } })
      .thenRefuses('PURPOSE.RETENTION_REQUIRED');
  });
});

describe('consent decider (K1–K4)', () => {
  const spec = deciderSpec(consentDecider);
  const grant = (extra: Partial<Extract<ConsentCommand, { kind: 'GrantConsent' }>> = {}): ConsentCommand => ({
    ...ids,
    kind: 'GrantConsent',
    consentId: 'k-1',
    receiptId: 'r-1',
    purpose,
    purposeKey: 'newsletter',
    subjectUnder14: false,
    channel: 'email',
    scope: 'general',
    thirdParty: null,
    crossBorder: null,
    evidence,
    guardian: null,
    ...extra,
  });
  const granted: ConsentEvent = {
    type: 'ConsentGranted.v2',
    data: {
      ...ids,
      consentId: 'k-1',
      receiptId: 'r-1',
      purposeKey: 'newsletter',
      purposeVersion: 1,
      channel: 'email',
      scope: 'general',
      thirdParty: null,
      crossBorder: null,
      evidence,
      guardianName: null,
      guardianRelationship: null,
    },
  };

  it('K1: grants with evidence; K2: withdraws in one call', () => {
    spec.given([]).when(grant()).then([granted]);
    spec
      .given([granted])
      .when({
        ...ids,
        kind: 'WithdrawConsent',
        purposeKey: 'newsletter',
        channel: 'email',
        scope: 'general',
        receiptId: 'r-2',
        thirdParty: null,
        country: null,
        method: 'unsubscribe-link',
        source: 'email-footer',
      })
      .then([
        {
          type: 'ConsentWithdrawn.v1',
          data: {
            ...ids,
            consentId: 'k-1',
            receiptId: 'r-2',
            purposeKey: 'newsletter',
            channel: 'email',
            scope: 'general',
            method: 'unsubscribe-link',
            source: 'email-footer',
          },
        },
      ]);
  });

  it('K3/K4: separate consents name their party or transfer; a guardian consents for a child under 14', () => {
    const guardian = { name: 'Li Na', relationship: 'parent' as const };
    spec
      .given([])
      .when(grant({ subjectUnder14: true, guardian }))
      .then([{ ...granted, data: { ...granted.data, guardianName: 'Li Na', guardianRelationship: 'parent' } }]);
    const crossBorder = { recipient: 'Acme GmbH', country: 'DE', purpose: 'support', dataTypes: ['contact' as const] };
    spec
      .given([])
      .when(grant({ scope: 'cross-border', crossBorder }))
      .then([{ ...granted, data: { ...granted.data, scope: 'cross-border', crossBorder } }]);
  });

  it('refuses every invalid grant and a withdrawal of nothing', () => {
    spec
      .given([])
      .when(grant({ purpose: null }))
      .thenRefuses('CONSENT.PURPOSE_UNKNOWN');
    spec
      .given([])
      .when(grant({ purpose: { ...purpose, retired: true } }))
      .thenRefuses('CONSENT.PURPOSE_RETIRED');
    spec
      .given([])
      .when(grant({ channel: 'phone' }))
      .thenRefuses('CONSENT.CHANNEL_NOT_IN_PURPOSE');
    spec
      .given([])
      .when(grant({ evidence: { ...evidence, noticeVersion: 'n-0' } }))
      .thenRefuses('CONSENT.NOTICE_VERSION_MISMATCH');
    spec
      .given([])
      .when(grant({ scope: 'third-party' }))
      .thenRefuses('CONSENT.THIRD_PARTY_REQUIRED');
    spec
      .given([])
      .when(grant({ scope: 'cross-border', crossBorder: { recipient: 'x', country: 'DE', purpose: 'p', dataTypes: [] } }))
      .thenRefuses('CONSENT.TRANSFER_DETAILS_REQUIRED');
    spec
      .given([])
      .when(grant({ subjectUnder14: true }))
      .thenRefuses('CONSENT.GUARDIAN_REQUIRED');
    spec
      .given([])
      .when({
        ...ids,
        kind: 'WithdrawConsent',
        purposeKey: 'newsletter',
        channel: 'email',
        scope: 'general',
        receiptId: 'r',
        thirdParty: null,
        country: null,
        method: 'm',
        source: 's',
      })
      .thenRefuses('CONSENT.NOT_GRANTED');
  });
});

describe('processing decisions (P3): every deny reason', () => {
  const active = (
    scope: 'general' | 'sensitive' | 'third-party' | 'cross-border',
    extra: Partial<{ purposeVersion: number; byGuardian: boolean; target: string | null; dataTypes: ('contact' | 'medical-health')[] }> = {},
  ) => {
    const target = extra.target ?? null;
    return [
      consentKey('newsletter', 'email', scope, target),
      {
        consentId: `k-${scope}`,
        purposeKey: 'newsletter',
        purposeVersion: extra.purposeVersion ?? 1,
        channel: 'email' as const,
        scope,
        byGuardian: extra.byGuardian ?? false,
        thirdParty: scope === 'third-party' ? target : null,
        country: scope === 'cross-border' ? target : null,
        dataTypes: extra.dataTypes ?? [],
      },
    ] as const;
  };
  const facts = (over: Partial<DecisionFacts> = {}): DecisionFacts => ({
    purpose,
    tenantActive: true,
    subject: { exists: true, erased: false, restricted: false, under14: false },
    consents: new Map([active('general')]),
    withdrawn: new Set(),
    ...over,
  });
  const request: DecisionRequest = { purposeKey: 'newsletter', channel: 'email', dataCategories: ['contact'] };
  const reasonsOf = (r: DecisionRequest, f: DecisionFacts): readonly DenyReason[] => decide(r, f).reasons;

  it('allows with a valid consent and names the basis and consent', () => {
    expect(decide(request, facts())).toEqual({ allow: true, reasons: [], legalBasis: 'consent', consentIds: ['k-general'] });
  });

  it('denies for each reason', () => {
    const seen = new Set<DenyReason>();
    const check = (expected: DenyReason, r: DecisionRequest, f: DecisionFacts): void => {
      const reasons = reasonsOf(r, f);
      expect(reasons).toContain(expected);
      expect(decide(r, f).allow).toBe(false);
      seen.add(expected);
    };
    check('PURPOSE_UNKNOWN', request, facts({ purpose: null }));
    check('PURPOSE_RETIRED', request, facts({ purpose: { ...purpose, retired: true } }));
    check('CHANNEL_NOT_IN_PURPOSE', { ...request, channel: 'phone' }, facts());
    check('CATEGORY_NOT_IN_PURPOSE', { ...request, dataCategories: ['identity'] }, facts());
    check('ACCOUNT_SUSPENDED', request, facts({ tenantActive: false }));
    check('SUBJECT_UNKNOWN', request, facts({ subject: { exists: false, erased: false, restricted: false, under14: false } }));
    check('SUBJECT_ERASED', request, facts({ subject: { exists: true, erased: true, restricted: false, under14: false } }));
    check('SUBJECT_RESTRICTED', request, facts({ subject: { exists: true, erased: false, restricted: true, under14: false } }));
    check(
      'LEGAL_BASIS_INSUFFICIENT',
      { ...request, dataCategories: ['medical-health'] },
      facts({ purpose: { ...purpose, legalBasis: 'legitimate-interests', dataCategories: ['medical-health'] } }),
    );
    check('NO_CONSENT', request, facts({ consents: new Map() }));
    check('CONSENT_WITHDRAWN', request, facts({ consents: new Map(), withdrawn: new Set([consentKey('newsletter', 'email', 'general', null)]) }));
    check('OUTDATED_NOTICE_VERSION', request, facts({ purpose: { ...purpose, version: 2, consentFromVersion: 2 } }));
    check('MINOR_WITHOUT_GUARDIAN_CONSENT', request, facts({ subject: { exists: true, erased: false, restricted: false, under14: true } }));
    check(
      'SENSITIVE_WITHOUT_SEPARATE_CONSENT',
      { ...request, dataCategories: ['medical-health'] },
      facts({ purpose: { ...purpose, dataCategories: ['contact', 'medical-health'] } }),
    );
    check('NO_THIRD_PARTY_CONSENT', { ...request, thirdParty: 'Partner Ltd' }, facts());
    check('NO_TRANSFER_CONSENT', { ...request, transferCountry: 'DE' }, facts());
    check(
      'NO_TRANSFER_CONSENT',
      { ...request, transferCountry: 'DE' },
      facts({ consents: new Map([active('general'), active('cross-border', { target: 'DE', dataTypes: ['medical-health'] })]) }),
    );
    expect([...seen].sort()).toEqual([...DENY_REASONS].sort());
  });

  it('allows what the separate consents cover, and lists every reason at once', () => {
    const all = new Map([
      active('general'),
      active('sensitive'),
      active('third-party', { target: 'partner ltd' }),
      active('cross-border', { target: 'DE', dataTypes: ['contact', 'medical-health'] }),
    ]);
    const p = { ...purpose, dataCategories: ['contact' as const, 'medical-health' as const] };
    expect(
      decide(
        { ...request, dataCategories: ['contact', 'medical-health'], thirdParty: 'Partner Ltd', transferCountry: 'de' },
        facts({ purpose: p, consents: all }),
      ).allow,
    ).toBe(true);
    expect(reasonsOf({ ...request, channel: 'phone' }, facts({ tenantActive: false, consents: new Map() }))).toEqual([
      'CHANNEL_NOT_IN_PURPOSE',
      'ACCOUNT_SUSPENDED',
      'NO_CONSENT',
    ]);
    // A purpose on another basis needs no consent, but provision still does (PIPL 23).
    expect(decide(request, facts({ purpose: { ...purpose, legalBasis: 'contract' }, consents: new Map() })).allow).toBe(true);
    expect(reasonsOf({ ...request, thirdParty: 'X' }, facts({ purpose: { ...purpose, legalBasis: 'contract' }, consents: new Map() }))).toEqual([
      'NO_THIRD_PARTY_CONSENT',
    ]);
    // A guardian's consent for a child under 14 counts.
    expect(
      decide(
        request,
        facts({ subject: { exists: true, erased: false, restricted: false, under14: true }, consents: new Map([active('general', { byGuardian: true })]) }),
      ).allow,
    ).toBe(true);
  });
});

describe('K7: consent at a point in time', () => {
  let position = 0;
  const timed = <E>(event: E, occurredAt: string): TimedEvent<E> => ({
    event,
    eventId: `e-${String(++position)}`,
    position: String(position).padStart(6, '0'),
    occurredAt,
  });
  const defined = timed<PurposeEvent>(
    { type: 'PurposeDefined.v1', data: { tenantId: 'acme', purposeKey: 'newsletter', ...terms, version: 1, definedBy: 'u' } },
    '2026-01-01T00:00:00.000Z',
  );
  const grantAt = (at: string, id: string, version = 1): TimedEvent<ConsentEvent> =>
    timed(
      {
        type: 'ConsentGranted.v2',
        data: {
          ...ids,
          consentId: id,
          receiptId: `r-${id}`,
          purposeKey: 'newsletter',
          purposeVersion: version,
          channel: 'email',
          scope: 'general',
          thirdParty: null,
          crossBorder: null,
          evidence,
          guardianName: null,
          guardianRelationship: null,
        },
      },
      at,
    );
  const withdrawAt = (at: string, id: string): TimedEvent<ConsentEvent> =>
    timed(
      {
        type: 'ConsentWithdrawn.v1',
        data: { ...ids, consentId: id, receiptId: `w-${id}`, purposeKey: 'newsletter', channel: 'email', scope: 'general', method: 'm', source: 's' },
      },
      at,
    );
  const revised = timed<PurposeEvent>(
    {
      type: 'PurposeRevised.v1',
      data: {
        tenantId: 'acme',
        purposeKey: 'newsletter',
        ...terms,
        description: 'Weekly offers',
        noticeVersion: 'n-2',
        version: 2,
        reconsentRequired: true,
        revisedBy: 'u',
      },
    },
    '2026-09-01T00:00:00.000Z',
  );
  const consents = [
    grantAt('2026-02-01T00:00:00.000Z', 'k-1'),
    withdrawAt('2026-04-01T00:00:00.000Z', 'k-1'),
    grantAt('2026-06-01T00:00:00.000Z', 'k-2'),
    grantAt('2026-10-01T00:00:00.000Z', 'k-3', 2),
  ];
  const purposes = [defined, revised];
  const at = (t: string) => consentAt(consents, purposes, 'newsletter', 'email', t);

  it('answers across grant → withdraw → re-grant → notice change → re-grant, with the proving events', () => {
    expect(at('2026-01-15T00:00:00.000Z')).toMatchObject({ valid: false, reasons: ['NO_CONSENT'] });
    expect(at('2026-03-01T00:00:00.000Z')).toMatchObject({ valid: true, reasons: [], purposeVersion: 1 });
    expect(at('2026-05-01T00:00:00.000Z')).toMatchObject({ valid: false, reasons: ['CONSENT_WITHDRAWN'] });
    expect(at('2026-07-01T00:00:00.000Z')).toMatchObject({ valid: true });
    expect(at('2026-09-15T00:00:00.000Z')).toMatchObject({ valid: false, reasons: ['OUTDATED_NOTICE_VERSION'], purposeVersion: 2 });
    expect(at('2026-10-15T00:00:00.000Z')).toMatchObject({ valid: true, purposeVersion: 2 });
    expect(at('2025-12-01T00:00:00.000Z')).toMatchObject({ valid: false, reasons: ['PURPOSE_UNKNOWN'], proof: [] });
    const proof = at('2026-05-01T00:00:00.000Z').proof.map((p) => p.event.type);
    expect(proof).toEqual(['PurposeDefined.v1', 'ConsentGranted.v2', 'ConsentWithdrawn.v1']);
    expect(consentAt(consents, purposes, 'newsletter', 'phone', '2026-03-01T00:00:00.000Z')).toMatchObject({
      valid: false,
      reasons: ['CHANNEL_NOT_IN_PURPOSE', 'NO_CONSENT'],
    });
  });

  it('state is folded, not looked up: a withdrawal of one consent does not touch another', () => {
    const state: ConsentState = [grantAt('2026-02-01T00:00:00.000Z', 'a').event].reduce(consentDecider.evolve, consentDecider.initialState);
    expect(state.active.size).toBe(1);
  });
});

describe('ConsentGranted.v1 read as .v2', () => {
  const v1: ConsentGrantedV1['data'] = {
    tenantId: 'acme',
    customerId: 'c-1',
    consentId: 'k-1',
    receiptId: 'r-1',
    purposeKey: 'newsletter',
    purposeVersion: 1,
    channel: 'email',
    scope: 'general',
    thirdParty: null,
    crossBorder: null,
    evidence: { noticeVersion: '1', method: 'checkbox', source: 'web', collector: 'system:web', collectedAt: '2026-01-01T00:00:00.000Z' },
    guardian: null,
  };
  const { guardian: _dropped, ...common } = v1;

  it('splits the guardian into its name and its relationship', () => {
    expect(consentGrantedV1ToV2({ ...v1, guardian: { name: 'Li Na', relationship: 'legal-guardian' } })).toEqual({
      ...common,
      guardianName: 'Li Na',
      guardianRelationship: 'legal-guardian',
    });
  });

  it('reads a consent the subject gave as one without a guardian', () => {
    expect(consentGrantedV1ToV2(v1)).toEqual({ ...common, guardianName: null, guardianRelationship: null });
  });

  it('keeps an erased guardian erased: the marker as the name, the relationship unknown, still given by a guardian', () => {
    const v2 = consentGrantedV1ToV2({ ...v1, guardian: { $erased: true } });
    expect(v2).toEqual({ ...common, guardianName: { $erased: true }, guardianRelationship: null });
    const state = consentDecider.evolve(consentDecider.initialState, { type: 'ConsentGranted.v2', data: v2 });
    expect([...state.active.values()][0]?.byGuardian).toBe(true);
  });
});
