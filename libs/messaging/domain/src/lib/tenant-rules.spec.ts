import { isStopRequest, quietUntil, ruleRefusal, type TenantMessagingRules } from './tenant-rules';

const rules: TenantMessagingRules = { marketingCap: 2, frequencyWindowDays: 7, quietHours: { from: '21:00', to: '08:00' }, defaultZone: 'Asia/Shanghai' };

describe('the tenant’s own rules after a decision allowed a recipient', () => {
  it('the suppression list refuses every category; the frequency cap counts marketing only', () => {
    expect(ruleRefusal({ suppressed: true, category: 'UTILITY', marketingSentInWindow: 0, rules })).toBe('suppressed');
    expect(ruleRefusal({ suppressed: false, category: 'MARKETING', marketingSentInWindow: 2, rules })).toBe('frequency-cap');
    expect(ruleRefusal({ suppressed: false, category: 'MARKETING', marketingSentInWindow: 1, rules })).toBeNull();
    expect(ruleRefusal({ suppressed: false, category: 'UTILITY', marketingSentInWindow: 9, rules })).toBeNull();
    expect(ruleRefusal({ suppressed: false, category: 'MARKETING', marketingSentInWindow: 99, rules: { ...rules, marketingCap: null } })).toBeNull();
  });
});

describe('quiet hours in the recipient’s zone hold a message until they end', () => {
  it('holds a message sent at 22:30 in Shanghai until 08:00 there, and one at 07:59 for a minute', () => {
    expect(quietUntil(new Date('2026-12-05T14:30:00Z'), 'Asia/Shanghai', rules.quietHours)).toEqual(new Date('2026-12-06T00:00:00Z'));
    expect(quietUntil(new Date('2026-12-05T23:59:00Z'), 'Asia/Shanghai', rules.quietHours)).toEqual(new Date('2026-12-06T00:00:00Z'));
  });

  it('lets a message through outside them, at their end, and when there are none', () => {
    expect(quietUntil(new Date('2026-12-05T04:00:00Z'), 'Asia/Shanghai', rules.quietHours)).toBeNull();
    expect(quietUntil(new Date('2026-12-06T00:00:00Z'), 'Asia/Shanghai', rules.quietHours)).toBeNull();
    expect(quietUntil(new Date('2026-12-05T14:30:00Z'), 'Asia/Shanghai', null)).toBeNull();
  });

  it('reads the hours in the recipient’s zone, not the server’s: 22:30 in Shanghai is 15:30 in Berlin', () => {
    expect(quietUntil(new Date('2026-12-05T14:30:00Z'), 'Europe/Berlin', rules.quietHours)).toBeNull();
  });

  it('works for quiet hours within one day (12:00–14:00)', () => {
    expect(quietUntil(new Date('2026-12-05T04:15:00Z'), 'Asia/Shanghai', { from: '12:00', to: '14:00' })).toEqual(new Date('2026-12-05T06:00:00Z'));
  });
});

describe('a STOP reply (K2)', () => {
  it('is a whole message that is a stop word of any language, whatever its case, width or trailing punctuation', () => {
    for (const text of ['STOP', 'stop', ' Stop! ', 'ＳＴＯＰ', 'unsubscribe.', '退订', '停止。', 'td']) expect(isStopRequest(text)).toBe(true);
  });

  it('is not a sentence that contains one, nor an empty message', () => {
    for (const text of ["don't stop", 'stop by tomorrow', 'STOPPED', '请不要停止', '', '   ']) expect(isStopRequest(text)).toBe(false);
  });

  it('follows the tenant’s own words when it sets them', () => {
    expect(isStopRequest('BASTA', { it: ['BASTA'] })).toBe(true);
    expect(isStopRequest('STOP', { it: ['BASTA'] })).toBe(false);
  });
});
