import { actorRole, escapeHtml, formatWhen, isTimeZone, wordFor } from './document';

describe('document vocabulary (pages for people)', () => {
  it('shows an instant in words in the reader’s zone, naming the zone; a date alone without a time', () => {
    expect(formatWhen('2026-11-24T09:30:00.000Z', { lang: 'en', timeZone: 'Asia/Shanghai' })).toBe('November 24, 2026 at 5:30 PM (China Standard Time)');
    expect(formatWhen('2026-11-24T09:30:00.000Z', { lang: 'zh-CN', timeZone: 'Asia/Shanghai' })).toBe('2026年11月24日 17:30（中国标准时间）');
    expect(formatWhen('2026-12-23', { lang: 'en', timeZone: 'Asia/Shanghai' })).toBe('December 23, 2026');
    expect(formatWhen(null, { lang: 'en', timeZone: 'UTC' })).toBe('');
    expect(formatWhen('not a date', { lang: 'en', timeZone: 'UTC' })).toBe('not a date');
  });

  it('knows IANA time zones and refuses anything else', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('has words for codes in both languages, and falls back to the code', () => {
    expect(wordFor('kind', 'read', 'en')).toBe('Looked at');
    expect(wordFor('kind', 'read', 'zh-CN')).toBe('查阅');
    expect(wordFor('channel', 'carrier-pigeon', 'zh-CN')).toBe('carrier-pigeon');
  });

  it('names an actor by role, never by key id or person', () => {
    expect(actorRole('apiKey:01a24083-8bde-7009-ad53-fdc45e1c11b4', 'en')).toBe('an automated service of the organisation');
    expect(actorRole('user:01a24083-0000-7000-8000-000000000001', 'zh-CN')).toBe('机构的工作人员');
    expect(actorRole(null, 'en')).toBe('the organisation');
  });

  it('escapes markup', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });
});
