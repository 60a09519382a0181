import { DomainError, type Decider } from '@attest/kernel';

/**
 * The per-tenant register of purposes (K5, K6): what data is processed why,
 * on which legal basis, over which channels, for how long. One stream
 * `purposes-<tenantId>`. Purposes are versioned; a change of purpose,
 * method or data categories makes earlier consents outdated (K5).
 */

/** Legal bases of PIPL 13 and GDPR 6 (docs/guides/back-office-apps.md maps them to articles). */
export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interests',
  'public-task',
  'legitimate-interests',
  'news-reporting',
  'publicly-disclosed',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const DATA_CATEGORIES = [
  'contact',
  'identity',
  'profile',
  'behaviour',
  'transactions',
  'communications',
  'specific-identity',
  'financial-account',
  'medical-health',
  'biometric',
  'religious-belief',
  'whereabouts',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];
/** C2/PIPL 28: sensitive categories; processing them needs separate consent (K3). */
export const SENSITIVE_CATEGORIES: ReadonlySet<DataCategory> = new Set([
  'specific-identity',
  'financial-account',
  'medical-health',
  'biometric',
  'religious-belief',
  'whereabouts',
]);

export const CHANNELS = ['email', 'sms', 'phone', 'whatsapp', 'wechat', 'in-app', 'postal', 'web'] as const;
export type Channel = (typeof CHANNELS)[number];

export type PurposeTerms = {
  readonly name: string;
  readonly description: string;
  readonly legalBasis: LegalBasis;
  /** How the data is processed (K5: a change of method needs consent again). */
  readonly method: string;
  readonly dataCategories: readonly DataCategory[];
  readonly channels: readonly Channel[];
  readonly retentionDays: number;
  /** The privacy notice text version a consent for this purpose must refer to. */
  readonly noticeVersion: string;
};

type E<T extends string, D> = { readonly type: T; readonly data: D & { readonly tenantId: string; readonly purposeKey: string } };
export type PurposeDefined = E<'PurposeDefined.v1', PurposeTerms & { readonly version: number; readonly definedBy: string }>;
export type PurposeRevised = E<
  'PurposeRevised.v1',
  PurposeTerms & { readonly version: number; readonly reconsentRequired: boolean; readonly revisedBy: string }
>;
export type PurposeRetired = E<'PurposeRetired.v1', { readonly version: number; readonly retiredBy: string }>;
export type PurposeEvent = PurposeDefined | PurposeRevised | PurposeRetired;
export const PURPOSE_EVENT_TYPES: readonly PurposeEvent['type'][] = ['PurposeDefined.v1', 'PurposeRevised.v1', 'PurposeRetired.v1'];

export type Purpose = PurposeTerms & {
  readonly purposeKey: string;
  readonly version: number;
  /** Consents given under an older version than this are outdated (K5). */
  readonly consentFromVersion: number;
  readonly retired: boolean;
};

export type PurposeRegister = ReadonlyMap<string, Purpose>;

export const purposesStreamId = (tenantId: string): string => `purposes-${tenantId}`;

interface Base {
  readonly tenantId: string;
  readonly actor: string;
  readonly purposeKey: string;
}
export type PurposeCommand =
  | (Base & { readonly kind: 'DefinePurpose'; readonly terms: PurposeTerms })
  | (Base & { readonly kind: 'RevisePurpose'; readonly terms: PurposeTerms })
  | (Base & { readonly kind: 'RetirePurpose' });

/**
 * K5: does a revision change what the subject agreed to? A new description
 * (the purpose itself), method, notice text or an added data category does;
 * a new name, a removed category, channels (consent is per channel anyway)
 * or retention do not.
 */
export function needsReconsent(before: PurposeTerms, after: PurposeTerms): boolean {
  const widened = after.dataCategories.some((c) => !before.dataCategories.includes(c));
  return before.description !== after.description || before.method !== after.method || before.noticeVersion !== after.noticeVersion || widened;
}

const refuse = (code: string, message: string, kind: 'invalid' | 'not_found' | 'conflict' = 'conflict'): never => {
  throw new DomainError(code, message, kind);
};

export function evolvePurposes(state: PurposeRegister, event: PurposeEvent): PurposeRegister {
  const next = new Map(state);
  const { purposeKey } = event.data;
  switch (event.type) {
    case 'PurposeDefined.v1': {
      const { tenantId: _t, definedBy: _d, ...terms } = event.data;
      next.set(purposeKey, { ...terms, consentFromVersion: event.data.version, retired: false });
      break;
    }
    case 'PurposeRevised.v1': {
      const previous = state.get(purposeKey);
      const { tenantId: _t, revisedBy: _r, reconsentRequired, ...terms } = event.data;
      next.set(purposeKey, {
        ...terms,
        consentFromVersion: reconsentRequired ? event.data.version : (previous?.consentFromVersion ?? event.data.version),
        retired: false,
      });
      break;
    }
    case 'PurposeRetired.v1': {
      const previous = state.get(purposeKey);
      if (previous) next.set(purposeKey, { ...previous, retired: true });
      break;
    }
  }
  return next;
}

export const purposesDecider: Decider<PurposeCommand, PurposeEvent, PurposeRegister> = {
  initialState: new Map(),
  decide(command, state) {
    const current = state.get(command.purposeKey);
    const ids = { tenantId: command.tenantId, purposeKey: command.purposeKey };
    if (command.kind !== 'RetirePurpose') {
      const t = command.terms;
      if (t.dataCategories.length === 0) refuse('PURPOSE.CATEGORIES_REQUIRED', 'a purpose names the data categories it processes', 'invalid');
      if (t.channels.length === 0) refuse('PURPOSE.CHANNELS_REQUIRED', 'a purpose names its channels', 'invalid');
      if (t.retentionDays < 1) refuse('PURPOSE.RETENTION_REQUIRED', 'a purpose states how long data is kept', 'invalid');
    }
    switch (command.kind) {
      case 'DefinePurpose':
        if (current) refuse('PURPOSE.EXISTS', 'a purpose with this key exists; revise it');
        return [{ type: 'PurposeDefined.v1', data: { ...ids, ...command.terms, version: 1, definedBy: command.actor } }];
      case 'RevisePurpose': {
        if (!current) return refuse('PURPOSE.NOT_FOUND', 'no such purpose', 'not_found');
        if (current.retired) refuse('PURPOSE.RETIRED', 'this purpose is retired');
        return [
          {
            type: 'PurposeRevised.v1',
            data: {
              ...ids,
              ...command.terms,
              version: current.version + 1,
              reconsentRequired: needsReconsent(current, command.terms),
              revisedBy: command.actor,
            },
          },
        ];
      }
      case 'RetirePurpose':
        if (!current) return refuse('PURPOSE.NOT_FOUND', 'no such purpose', 'not_found');
        if (current.retired) refuse('PURPOSE.RETIRED', 'this purpose is retired');
        return [{ type: 'PurposeRetired.v1', data: { ...ids, version: current.version, retiredBy: command.actor } }];
    }
  },
  evolve: evolvePurposes,
};
