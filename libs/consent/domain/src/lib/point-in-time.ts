import { consentKey, evolveConsent, type ConsentEvent, type ConsentState } from './consent';
import { evolvePurposes, type PurposeEvent, type PurposeRegister } from './purposes';

/** An event with the time it occurred and where it is in the log: the proof of an answer. */
export interface TimedEvent<E> {
  readonly event: E;
  readonly eventId: string;
  readonly position: string;
  readonly occurredAt: string;
}

export interface ConsentAt {
  readonly at: string;
  readonly valid: boolean;
  readonly reasons: readonly string[];
  readonly purposeVersion: number | null;
  /** The events that decide the answer: the purpose's versions so far and the subject's grants and withdrawals of this consent. */
  readonly proof: readonly TimedEvent<ConsentEvent | PurposeEvent>[];
}

/**
 * K7: did the subject validly consent to the purpose on the channel at `at`?
 * Both logs are folded up to that instant only; a grant later withdrawn was
 * valid in between (K2: earlier processing stays lawful).
 */
export function consentAt(
  consentEvents: readonly TimedEvent<ConsentEvent>[],
  purposeEvents: readonly TimedEvent<PurposeEvent>[],
  purposeKey: string,
  channel: string,
  at: string,
): ConsentAt {
  const until = <E>(events: readonly TimedEvent<E>[]): TimedEvent<E>[] => events.filter((e) => e.occurredAt <= at);
  const purposes = until(purposeEvents).filter((e) => e.event.data.purposeKey === purposeKey);
  const register: PurposeRegister = purposes.reduce<PurposeRegister>((s, e) => evolvePurposes(s, e.event), new Map());
  const key = consentKey(purposeKey, channel, 'general', null);
  const relevant = until(consentEvents).filter(
    (e) => e.event.data.purposeKey === purposeKey && e.event.data.channel === channel && e.event.data.scope === 'general',
  );
  const state: ConsentState = relevant.reduce<ConsentState>((s, e) => evolveConsent(s, e.event), { active: new Map(), withdrawn: new Set() });
  const purpose = register.get(purposeKey) ?? null;
  const reasons: string[] = [];
  if (!purpose) {
    reasons.push('PURPOSE_UNKNOWN');
  } else {
    if (purpose.retired) reasons.push('PURPOSE_RETIRED');
    if (!purpose.channels.some((c) => c === channel)) reasons.push('CHANNEL_NOT_IN_PURPOSE');
    const consent = state.active.get(key);
    if (!consent) reasons.push(state.withdrawn.has(key) ? 'CONSENT_WITHDRAWN' : 'NO_CONSENT');
    else if (consent.purposeVersion < purpose.consentFromVersion) reasons.push('OUTDATED_NOTICE_VERSION');
  }
  return {
    at,
    valid: reasons.length === 0,
    reasons,
    purposeVersion: purpose?.version ?? null,
    proof: [...purposes, ...relevant].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0)),
  };
}
