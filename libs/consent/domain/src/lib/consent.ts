import { DomainError, type Decider } from '@attest/kernel';
import type { Channel, DataCategory, Purpose } from './purposes';

/**
 * Consents of one data subject (K1–K4): one stream `consent-<customerId>`
 * holding every grant and withdrawal for every purpose, channel and scope, so
 * the subject's consent history is one ordered log (K7) and concurrent
 * changes for a subject are serialised by the stream revision.
 */

/** `general` for the purpose itself; separate consents (K3) for sensitive data, provision to a third party and cross-border transfer. */
export const CONSENT_SCOPES = ['general', 'sensitive', 'third-party', 'cross-border'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

export type Evidence = {
  /** The notice/policy version the subject saw (must be the purpose's current one). */
  readonly noticeVersion: string;
  /** How consent was given: `checkbox`, `signature`, `verbal-recorded`, `double-opt-in` … */
  readonly method: string;
  /** Where: `web-signup-form`, `store-123` … */
  readonly source: string;
  /** Who collected it: a staff or system reference, never a name. */
  readonly collector: string;
  readonly collectedAt: string;
};

export type ThirdParty = { readonly name: string };
export type CrossBorder = { readonly recipient: string; readonly country: string; readonly purpose: string; readonly dataTypes: readonly DataCategory[] };
export type Guardian = { readonly name: string; readonly relationship: 'parent' | 'legal-guardian' };
/** What a personal field reads as once its subject's key is destroyed (the privacy layer's `ERASED`). */
export type ErasedField = { readonly $erased: true };

type E<T extends string, D> = { readonly type: T; readonly data: D & { readonly tenantId: string; readonly customerId: string } };
/**
 * A consent given. v2 (since stop 29) keeps the guardian's name (personal data,
 * sealed under the subject's key) apart from the relationship (K4 evidence,
 * not personal data), so a receipt and the compliance officer still see who
 * consented — a parent or a legal guardian — after the name is erased.
 * v1 events read as v2 (see `consentGrantedV1ToV2`).
 */
export type ConsentGranted = E<
  'ConsentGranted.v2',
  {
    readonly consentId: string;
    readonly receiptId: string;
    readonly purposeKey: string;
    readonly purposeVersion: number;
    readonly channel: Channel;
    readonly scope: ConsentScope;
    readonly thirdParty: ThirdParty | null;
    readonly crossBorder: CrossBorder | null;
    readonly evidence: Evidence;
    /** K4: the name of the guardian who gave it for a subject under 14 (personal; erased with the subject's key); null when the subject gave it. */
    readonly guardianName: string | ErasedField | null;
    /** K4: how the guardian relates to the subject (not personal); null when the subject gave it, or unknown (an erased v1 event). */
    readonly guardianRelationship: Guardian['relationship'] | null;
  }
>;
export type ConsentWithdrawn = E<
  'ConsentWithdrawn.v1',
  {
    readonly consentId: string;
    readonly receiptId: string;
    readonly purposeKey: string;
    readonly channel: Channel;
    readonly scope: ConsentScope;
    readonly method: string;
    readonly source: string;
  }
>;
export type ConsentEvent = ConsentGranted | ConsentWithdrawn;
export const CONSENT_EVENT_TYPES: readonly ConsentEvent['type'][] = ['ConsentGranted.v2', 'ConsentWithdrawn.v1'];

/**
 * Superseded: written until stop 28, read as `ConsentGranted.v2`. The whole
 * guardian (name and relationship) was one personal field.
 */
export type ConsentGrantedV1 = E<
  'ConsentGranted.v1',
  Omit<ConsentGranted['data'], 'guardianName' | 'guardianRelationship'> & {
    /** The guardian, sealed as one value: the erased marker once the subject's key is destroyed. */
    readonly guardian: Guardian | ErasedField | null;
  }
>;
/** Event types of this context that are no longer written, only read as their successors. */
export const SUPERSEDED_CONSENT_EVENT_TYPES: readonly ConsentGrantedV1['type'][] = ['ConsentGranted.v1'];

/** `ConsentGranted.v1` → `.v2`: the guardian splits into name and relationship; an erased guardian keeps the marker as its name, its relationship unknown. */
export function consentGrantedV1ToV2(data: ConsentGrantedV1['data']): ConsentGranted['data'] {
  const { guardian, ...rest } = data;
  if (guardian === null) return { ...rest, guardianName: null, guardianRelationship: null };
  if ('$erased' in guardian) return { ...rest, guardianName: guardian, guardianRelationship: null };
  return { ...rest, guardianName: guardian.name, guardianRelationship: guardian.relationship };
}

export interface ActiveConsent {
  readonly consentId: string;
  readonly purposeKey: string;
  readonly purposeVersion: number;
  readonly channel: Channel;
  readonly scope: ConsentScope;
  readonly byGuardian: boolean;
  readonly thirdParty: string | null;
  readonly country: string | null;
  readonly dataTypes: readonly DataCategory[];
}

export interface ConsentState {
  readonly active: ReadonlyMap<string, ActiveConsent>;
  /** Keys that were granted once and then withdrawn (to tell "withdrawn" from "never given"). */
  readonly withdrawn: ReadonlySet<string>;
}

/** The identity of a consent: purpose × channel × scope × (third party | country). */
export function consentKey(purposeKey: string, channel: string, scope: ConsentScope, target: string | null): string {
  return [purposeKey, channel, scope, target ?? ''].join('|');
}

/** What a separate consent is for: the third party (case-insensitive) or the country; none for the other scopes. */
export function consentTarget(scope: ConsentScope, thirdPartyName: string | null | undefined, country: string | null | undefined): string | null {
  if (scope === 'third-party') return thirdPartyName?.trim().toLowerCase() ?? null;
  if (scope === 'cross-border') return country?.toUpperCase() ?? null;
  return null;
}

export const consentStreamId = (customerId: string): string => `consent-${customerId}`;

interface Base {
  readonly tenantId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly scope: ConsentScope;
  readonly receiptId: string;
}
export type ConsentCommand =
  | (Base & {
      readonly kind: 'GrantConsent';
      readonly consentId: string;
      /** The purpose as registered now; null when the tenant has no such purpose. */
      readonly purpose: Purpose | null;
      readonly purposeKey: string;
      readonly subjectUnder14: boolean;
      readonly thirdParty: ThirdParty | null;
      readonly crossBorder: CrossBorder | null;
      readonly evidence: Evidence;
      readonly guardian: Guardian | null;
    })
  | (Base & {
      readonly kind: 'WithdrawConsent';
      readonly purposeKey: string;
      readonly thirdParty: ThirdParty | null;
      readonly country: string | null;
      readonly method: string;
      readonly source: string;
    });

const refuse = (code: string, message: string, kind: 'invalid' | 'not_found' | 'conflict' = 'invalid'): never => {
  throw new DomainError(code, message, kind);
};

export function evolveConsent(state: ConsentState, event: ConsentEvent): ConsentState {
  const active = new Map(state.active);
  const withdrawn = new Set(state.withdrawn);
  if (event.type === 'ConsentGranted.v2') {
    const d = event.data;
    const target = consentTarget(d.scope, d.thirdParty?.name, d.crossBorder?.country);
    const key = consentKey(d.purposeKey, d.channel, d.scope, target);
    active.set(key, {
      consentId: d.consentId,
      purposeKey: d.purposeKey,
      purposeVersion: d.purposeVersion,
      channel: d.channel,
      scope: d.scope,
      byGuardian: d.guardianName !== null,
      thirdParty: d.scope === 'third-party' ? target : null,
      country: d.scope === 'cross-border' ? target : null,
      dataTypes: d.crossBorder?.dataTypes ?? [],
    });
    withdrawn.delete(key);
  } else {
    for (const [key, consent] of active) {
      if (consent.consentId === event.data.consentId) {
        active.delete(key);
        withdrawn.add(key);
      }
    }
  }
  return { active, withdrawn };
}

export const consentDecider: Decider<ConsentCommand, ConsentEvent, ConsentState> = {
  initialState: { active: new Map(), withdrawn: new Set() },
  decide(command, state) {
    const ids = { tenantId: command.tenantId, customerId: command.customerId };
    if (command.kind === 'WithdrawConsent') {
      const active = state.active.get(
        consentKey(command.purposeKey, command.channel, command.scope, consentTarget(command.scope, command.thirdParty?.name, command.country)),
      );
      if (!active) return refuse('CONSENT.NOT_GRANTED', 'there is no consent in force to withdraw', 'conflict');
      return [
        {
          type: 'ConsentWithdrawn.v1',
          data: {
            ...ids,
            consentId: active.consentId,
            receiptId: command.receiptId,
            purposeKey: command.purposeKey,
            channel: command.channel,
            scope: command.scope,
            method: command.method,
            source: command.source,
          },
        },
      ];
    }
    const purpose = command.purpose;
    if (!purpose) return refuse('CONSENT.PURPOSE_UNKNOWN', 'the tenant has no such purpose', 'not_found');
    if (purpose.retired) refuse('CONSENT.PURPOSE_RETIRED', 'this purpose is retired', 'conflict');
    if (!purpose.channels.includes(command.channel)) refuse('CONSENT.CHANNEL_NOT_IN_PURPOSE', `the purpose does not use the channel ${command.channel}`);
    if (command.evidence.noticeVersion !== purpose.noticeVersion) {
      refuse('CONSENT.NOTICE_VERSION_MISMATCH', `consent must refer to the current notice version ${purpose.noticeVersion}`);
    }
    if (command.scope === 'third-party' && !command.thirdParty?.name.trim())
      refuse('CONSENT.THIRD_PARTY_REQUIRED', 'consent to provision names the third party');
    if (command.scope === 'cross-border') {
      const t = command.crossBorder;
      if (!t?.recipient.trim() || !t.country.trim() || !t.purpose.trim() || t.dataTypes.length === 0) {
        refuse('CONSENT.TRANSFER_DETAILS_REQUIRED', 'consent to a cross-border transfer names the recipient, country, purpose and data types');
      }
    }
    // K4: under 14, only a guardian can consent.
    if (command.subjectUnder14 && !command.guardian) refuse('CONSENT.GUARDIAN_REQUIRED', 'the subject is under 14: a guardian must give consent');
    return [
      {
        type: 'ConsentGranted.v2',
        data: {
          ...ids,
          consentId: command.consentId,
          receiptId: command.receiptId,
          purposeKey: command.purposeKey,
          purposeVersion: purpose.version,
          channel: command.channel,
          scope: command.scope,
          thirdParty: command.scope === 'third-party' ? command.thirdParty : null,
          crossBorder: command.scope === 'cross-border' ? command.crossBorder : null,
          evidence: command.evidence,
          guardianName: command.guardian?.name ?? null,
          guardianRelationship: command.guardian?.relationship ?? null,
        },
      },
    ];
  },
  evolve: evolveConsent,
};
