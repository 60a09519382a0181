import { advance, MAX_SEND_ATTEMPTS, SEND_ERRORS, verdictOn, type DeliveryState } from './send-policy';

const now = new Date('2026-12-05T10:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

describe('the send policy: what follows a Cloud API error (ADR 0015, 7)', () => {
  it('130429 slows the whole number down with backoff; 131056 waits for that recipient only; 131049 waits a day', () => {
    expect(verdictOn(SEND_ERRORS.throughput, 1, now)).toEqual({ kind: 'retry', at: later(1_000), scope: 'number', code: 130429 });
    expect(verdictOn(SEND_ERRORS.throughput, 3, now)).toEqual({ kind: 'retry', at: later(4_000), scope: 'number', code: 130429 });
    expect(verdictOn(SEND_ERRORS.pairRate, 1, now)).toEqual({ kind: 'retry', at: later(6_000), scope: 'recipient', code: 131056 });
    expect(verdictOn(SEND_ERRORS.pairRate, 2, now)).toEqual({ kind: 'retry', at: later(12_000), scope: 'recipient', code: 131056 });
    expect(verdictOn(SEND_ERRORS.pairRate, 7, now)).toEqual({ kind: 'retry', at: later(384_000), scope: 'recipient', code: 131056 });
    expect(verdictOn(SEND_ERRORS.marketingLimit, 1, now)).toEqual({ kind: 'retry', at: later(86_400_000), scope: 'recipient', code: 131049 });
  });

  it('gives up after the last attempt instead of retrying for ever', () => {
    expect(verdictOn(SEND_ERRORS.throughput, MAX_SEND_ATTEMPTS, now)).toEqual({ kind: 'final', reason: 'attempts-exhausted', code: 130429, withdraws: false });
    expect(verdictOn(SEND_ERRORS.marketingLimit, MAX_SEND_ATTEMPTS, now)).toMatchObject({ kind: 'final', reason: 'attempts-exhausted' });
  });

  it('131026, 131047, 132000/132001, 132015/132016, 190 and unknown codes are final; 131050 is final and a withdrawal (K2)', () => {
    expect(verdictOn(SEND_ERRORS.undeliverable, 1, now)).toEqual({ kind: 'final', reason: 'undeliverable', code: 131026, withdraws: false });
    expect(verdictOn(SEND_ERRORS.reEngagement, 1, now)).toMatchObject({ reason: 'outside-window', withdraws: false });
    expect(verdictOn(SEND_ERRORS.marketingStopped, 1, now)).toEqual({ kind: 'final', reason: 'marketing-stopped', code: 131050, withdraws: true });
    expect(verdictOn(SEND_ERRORS.parameterMismatch, 1, now)).toMatchObject({ reason: 'template-invalid' });
    expect(verdictOn(SEND_ERRORS.templateMissing, 1, now)).toMatchObject({ reason: 'template-invalid' });
    expect(verdictOn(SEND_ERRORS.templatePaused, 1, now)).toMatchObject({ reason: 'template-stopped' });
    expect(verdictOn(SEND_ERRORS.templateDisabled, 1, now)).toMatchObject({ reason: 'template-stopped' });
    expect(verdictOn(SEND_ERRORS.accessToken, 1, now)).toMatchObject({ reason: 'credentials' });
    expect(verdictOn(368, 1, now)).toEqual({ kind: 'final', reason: 'refused', code: 368, withdraws: false });
  });
});

describe('a message’s statuses never move backwards (ADR 0015, 9)', () => {
  const walk = (from: DeliveryState, statuses: readonly string[]): DeliveryState => statuses.reduce<DeliveryState>((s, next) => advance(s, next) ?? s, from);

  it('moves forward on sent, delivered, read; a repeat or an older status changes nothing', () => {
    expect(advance('queued', 'sent')).toBe('sent');
    expect(advance('in-doubt', 'delivered')).toBe('delivered');
    expect(advance('sent', 'sent')).toBeNull();
    expect(advance('read', 'delivered')).toBeNull();
    expect(advance('delivered', 'sent')).toBeNull();
  });

  it('failed ends a message that was not delivered; nothing follows it; a failed after delivery is ignored', () => {
    expect(advance('sent', 'failed')).toBe('failed');
    expect(advance('in-doubt', 'failed')).toBe('failed');
    expect(advance('failed', 'read')).toBeNull();
    expect(advance('delivered', 'failed')).toBeNull();
  });

  it('ignores statuses it does not know (the Cloud API may add some)', () => {
    expect(advance('sent', 'played')).toBeNull();
    expect(advance('sent', 'deleted')).toBeNull();
  });

  it('any order of the same statuses, repeated, ends in the same state', () => {
    const statuses = ['sent', 'delivered', 'read'];
    const orders = [
      ['sent', 'delivered', 'read'],
      ['read', 'sent', 'delivered'],
      ['delivered', 'read', 'sent', 'read'],
      ['read', 'read', 'delivered', 'sent', 'sent'],
    ];
    for (const order of orders) expect(walk('queued', order)).toBe('read');
    expect(walk('queued', ['failed', ...statuses])).toBe('failed');
    expect(walk('queued', [...statuses, 'failed'])).toBe('read');
  });
});
