import type { ActiveConsent, Purpose } from '@attest/consent-domain';

export interface SubjectFacts {
  readonly exists: boolean;
  readonly erased: boolean;
  readonly restricted: boolean;
  readonly under14: boolean;
  readonly consents: ReadonlyMap<string, ActiveConsent>;
  readonly withdrawn: ReadonlySet<string>;
}

export interface PurposeOverview {
  readonly purposeKey: string;
  readonly version: number;
  /** Subjects with a general consent to the purpose in force on at least one channel. */
  readonly granted: number;
  /** Subjects whose general consent to the purpose is withdrawn on at least one channel. */
  readonly withdrawn: number;
  /** The same counts per channel (only channels with a consent, given or withdrawn), by channel name. */
  readonly channels: readonly ChannelOverview[];
}

export interface ChannelOverview {
  readonly channel: string;
  readonly granted: number;
  readonly withdrawn: number;
}

/** The consent context's read models. */
export interface ConsentReadModel {
  purposes(tenantId: string): Promise<Purpose[]>;
  purpose(tenantId: string, purposeKey: string): Promise<Purpose | null>;
  /** Decision facts for each subject, in one query, for one purpose. */
  subjects(tenantId: string, customerIds: readonly string[], purposeKey: string): Promise<ReadonlyMap<string, SubjectFacts>>;
  /** Everything a decision needs — purpose, tenant state, subjects — in one round trip. */
  decisionFacts(
    tenantId: string,
    customerIds: readonly string[],
    purposeKey: string,
  ): Promise<{ readonly purpose: Purpose | null; readonly tenantActive: boolean; readonly subjects: ReadonlyMap<string, SubjectFacts> }>;
  /** Which subject a receipt belongs to. */
  receiptSubject(tenantId: string, receiptId: string): Promise<string | null>;
  /** The receipt made by a consent event (given or withdrawn), if that event made one. */
  receiptOfEvent(tenantId: string, eventId: string): Promise<string | null>;
  /** The receipt of the grant that made this consent (a decision's record names the consents it rested on). */
  receiptOfConsent(tenantId: string, consentId: string): Promise<string | null>;
  overview(tenantId: string): Promise<PurposeOverview[]>;
}

/**
 * How fresh a decision's facts must be (ADR 0016), as Zanzibar's zookies:
 * `default` answers from the process's facts as they stand; `atLeastAsFresh`
 * only once the process has applied the event log through the token (a
 * command's `consistencyToken`); `full` reads the read models.
 */
export type Consistency = { readonly kind: 'default' } | { readonly kind: 'atLeastAsFresh'; readonly token: string } | { readonly kind: 'full' };

export interface DecisionFactsAnswer {
  readonly purpose: Purpose | null;
  readonly tenantActive: boolean;
  readonly subjects: ReadonlyMap<string, SubjectFacts>;
  /** The facts reflect every event of the log at or before this position; null when the process cannot tell. */
  readonly asOf: string | null;
}

/** Where decisions get their facts: memory kept current from the log, or the read models. */
export interface DecisionFacts {
  facts(tenantId: string, customerIds: readonly string[], purposeKey: string, consistency: Consistency): Promise<DecisionFactsAnswer>;
}

export interface ConsentProjector {
  projectStream(streamId: string): Promise<unknown>;
}

export const CONSENT_READ_MODEL = Symbol.for('attest.consent.ReadModel');
export const CONSENT_PROJECTOR = Symbol.for('attest.consent.Projector');
export const DECISION_FACTS = Symbol.for('attest.consent.DecisionFacts');
