import type { ActiveConsent } from './consent';
import { consentKey, consentTarget } from './consent';
import { SENSITIVE_CATEGORIES, type Channel, type DataCategory, type LegalBasis, type Purpose } from './purposes';

/** P3: why processing is denied. Stable, machine-readable. */
export const DENY_REASONS = [
  'PURPOSE_UNKNOWN',
  'PURPOSE_RETIRED',
  'CHANNEL_NOT_IN_PURPOSE',
  'CATEGORY_NOT_IN_PURPOSE',
  'ACCOUNT_SUSPENDED',
  'SUBJECT_UNKNOWN',
  'SUBJECT_ERASED',
  'SUBJECT_RESTRICTED',
  'LEGAL_BASIS_INSUFFICIENT',
  'NO_CONSENT',
  'CONSENT_WITHDRAWN',
  'OUTDATED_NOTICE_VERSION',
  'MINOR_WITHOUT_GUARDIAN_CONSENT',
  'SENSITIVE_WITHOUT_SEPARATE_CONSENT',
  'NO_THIRD_PARTY_CONSENT',
  'NO_TRANSFER_CONSENT',
] as const;
export type DenyReason = (typeof DENY_REASONS)[number];

export interface DecisionRequest {
  readonly purposeKey: string;
  readonly channel: Channel;
  readonly dataCategories: readonly DataCategory[];
  /** Provision to this third party (K3, PIPL 23). */
  readonly thirdParty?: string | null;
  /** Transfer to this country (ISO 3166 alpha-2; K3, PIPL 39). */
  readonly transferCountry?: string | null;
}

/** What the decision is taken on; gathered by the application in one read. */
export interface DecisionFacts {
  readonly purpose: Purpose | null;
  readonly tenantActive: boolean;
  readonly subject: { readonly exists: boolean; readonly erased: boolean; readonly restricted: boolean; readonly under14: boolean };
  readonly consents: ReadonlyMap<string, ActiveConsent>;
  readonly withdrawn: ReadonlySet<string>;
}

export interface Decision {
  readonly allow: boolean;
  readonly reasons: readonly DenyReason[];
  /** The legal basis relied on (the purpose's), or null when the purpose is unknown. */
  readonly legalBasis: LegalBasis | null;
  /** The consents the answer relied on. */
  readonly consentIds: readonly string[];
}

/** Bases that do not carry sensitive data (GDPR 9 lists no such exception; PIPL 28–29 needs separate consent). */
const NOT_FOR_SENSITIVE: ReadonlySet<LegalBasis> = new Set(['legitimate-interests', 'news-reporting', 'publicly-disclosed']);

/**
 * P3: may this data be processed for this purpose on this channel now? Pure:
 * every reason that applies is listed, so a caller can fix all of them.
 */
export function decide(request: DecisionRequest, facts: DecisionFacts): Decision {
  const { purpose, subject } = facts;
  if (!purpose) return { allow: false, reasons: ['PURPOSE_UNKNOWN'], legalBasis: null, consentIds: [] };
  const reasons: DenyReason[] = [];
  const used: string[] = [];
  if (purpose.retired) reasons.push('PURPOSE_RETIRED');
  if (!purpose.channels.includes(request.channel)) reasons.push('CHANNEL_NOT_IN_PURPOSE');
  if (request.dataCategories.some((c) => !purpose.dataCategories.includes(c))) reasons.push('CATEGORY_NOT_IN_PURPOSE');
  if (!facts.tenantActive) reasons.push('ACCOUNT_SUSPENDED');
  if (!subject.exists) reasons.push('SUBJECT_UNKNOWN');
  if (subject.erased) reasons.push('SUBJECT_ERASED');
  if (subject.restricted) reasons.push('SUBJECT_RESTRICTED');

  // C2: everything about a child under 14 is sensitive.
  const sensitive = subject.under14 || request.dataCategories.some((c) => SENSITIVE_CATEGORIES.has(c));
  if (sensitive && NOT_FOR_SENSITIVE.has(purpose.legalBasis)) reasons.push('LEGAL_BASIS_INSUFFICIENT');

  const valid = (scope: 'general' | 'sensitive' | 'third-party' | 'cross-border', target: string | null, reasonIfMissing: DenyReason): ActiveConsent | null => {
    const key = consentKey(purpose.purposeKey, request.channel, scope, target);
    const consent = facts.consents.get(key);
    if (!consent) {
      reasons.push(scope === 'general' && facts.withdrawn.has(key) ? 'CONSENT_WITHDRAWN' : reasonIfMissing);
      return null;
    }
    used.push(consent.consentId);
    if (consent.purposeVersion < purpose.consentFromVersion) reasons.push('OUTDATED_NOTICE_VERSION');
    if (subject.under14 && !consent.byGuardian) reasons.push('MINOR_WITHOUT_GUARDIAN_CONSENT');
    return consent;
  };

  if (purpose.legalBasis === 'consent') {
    valid('general', null, 'NO_CONSENT');
    if (request.dataCategories.some((c) => SENSITIVE_CATEGORIES.has(c))) valid('sensitive', null, 'SENSITIVE_WITHOUT_SEPARATE_CONSENT');
  }
  // Provision and transfer need their own consent whatever the basis of the purpose (PIPL 23, 39).
  if (request.thirdParty) valid('third-party', consentTarget('third-party', request.thirdParty, null), 'NO_THIRD_PARTY_CONSENT');
  if (request.transferCountry) {
    const consent = valid('cross-border', consentTarget('cross-border', null, request.transferCountry), 'NO_TRANSFER_CONSENT');
    if (consent && request.dataCategories.some((c) => !consent.dataTypes.includes(c))) reasons.push('NO_TRANSFER_CONSENT');
  }
  const unique = [...new Set(reasons)];
  return { allow: unique.length === 0, reasons: unique, legalBasis: purpose.legalBasis, consentIds: [...new Set(used)] };
}
