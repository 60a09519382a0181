// What a dispatcher does after a send (ADR 0015, 7–8): the Cloud API's error codes as a policy,
// and the order a message's statuses may take. Pure; time comes in.

/** The codes the policy knows (the Cloud API's numbers). */
export const SEND_ERRORS = {
  throughput: 130429,
  pairRate: 131056,
  marketingLimit: 131049,
  undeliverable: 131026,
  reEngagement: 131047,
  marketingStopped: 131050,
  parameterMismatch: 132000,
  templateMissing: 132001,
  templatePaused: 132015,
  templateDisabled: 132016,
  accessToken: 190,
} as const;

export type FinalReason =
  'undeliverable' | 'outside-window' | 'marketing-stopped' | 'template-invalid' | 'template-stopped' | 'credentials' | 'refused' | 'attempts-exhausted';

export type SendVerdict =
  /** Try again at `at`: the whole business number waits (throughput) or only this recipient (pace, marketing limit). */
  | { readonly kind: 'retry'; readonly at: Date; readonly scope: 'number' | 'recipient'; readonly code: number }
  /** Never again. `withdraws`: the person stopped marketing (K2: a withdrawal of marketing consent on whatsapp). */
  | { readonly kind: 'final'; readonly reason: FinalReason; readonly code: number | null; readonly withdraws: boolean };

export const MAX_SEND_ATTEMPTS = 8;
const DAY_MS = 86_400_000;

/**
 * The verdict on a refused send or a `failed` status. `attempt` counts this one (1 = the first
 * send); backoff doubles from one second for the number and from six seconds (the pair rate)
 * for a recipient, capped at ten minutes; a marketing limit waits a day.
 */
export function verdictOn(code: number, attempt: number, now: Date): SendVerdict {
  const after = (ms: number): Date => new Date(now.getTime() + ms);
  const backoff = (baseMs: number): number => Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 600_000);
  const final = (reason: FinalReason, withdraws = false): SendVerdict => ({ kind: 'final', reason, code, withdraws });
  if (attempt >= MAX_SEND_ATTEMPTS && (code === SEND_ERRORS.throughput || code === SEND_ERRORS.pairRate || code === SEND_ERRORS.marketingLimit)) {
    return final('attempts-exhausted');
  }
  switch (code) {
    case SEND_ERRORS.throughput:
      return { kind: 'retry', at: after(backoff(1_000)), scope: 'number', code };
    case SEND_ERRORS.pairRate:
      return { kind: 'retry', at: after(backoff(6_000)), scope: 'recipient', code };
    case SEND_ERRORS.marketingLimit:
      return { kind: 'retry', at: after(DAY_MS), scope: 'recipient', code };
    case SEND_ERRORS.undeliverable:
      return final('undeliverable');
    case SEND_ERRORS.reEngagement:
      return final('outside-window');
    case SEND_ERRORS.marketingStopped:
      return final('marketing-stopped', true);
    case SEND_ERRORS.parameterMismatch:
    case SEND_ERRORS.templateMissing:
      return final('template-invalid');
    case SEND_ERRORS.templatePaused:
    case SEND_ERRORS.templateDisabled:
      return final('template-stopped');
    case SEND_ERRORS.accessToken:
      return final('credentials');
    default:
      return final('refused');
  }
}

/** Where a sent message stands. `in-doubt`: the send's answer was lost; only its webhook settles it. */
export type DeliveryState = 'queued' | 'in-doubt' | 'sent' | 'delivered' | 'read' | 'failed';

const RANK: Readonly<Record<DeliveryState, number>> = { queued: 0, 'in-doubt': 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * The state after a status webhook, or null when it changes nothing: a repeat, an older status
 * arriving late (read before delivered: delivered is then implied and ignored), anything after
 * `failed`, a `failed` after the message was delivered, or a status the Cloud API may add later.
 */
export function advance(current: DeliveryState, incoming: string): DeliveryState | null {
  if (incoming !== 'sent' && incoming !== 'delivered' && incoming !== 'read' && incoming !== 'failed') return null;
  if (current === 'failed') return null;
  if (incoming === 'failed') return RANK[current] >= RANK.delivered ? null : 'failed';
  return RANK[incoming] > RANK[current] ? incoming : null;
}
