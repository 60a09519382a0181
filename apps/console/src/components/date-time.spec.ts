import { formatDateTime } from './date-time';

const AT = '2026-12-04T15:11:27.404Z';

describe('formatDateTime', () => {
  it('shows the instant in the given zone and language, and keeps the UTC instant', () => {
    const en = formatDateTime(AT, 'en', 'long', 'UTC');
    expect(en?.utc).toBe(AT);
    expect(en?.text).toMatch(/December 4, 2026/);
    expect(en?.text).toMatch(/3:11:27\sPM/u);

    const zh = formatDateTime(AT, 'zh-CN', 'long', 'Asia/Shanghai');
    expect(zh?.utc).toBe(AT);
    expect(zh?.text).toMatch(/2026年12月4日/);
    expect(zh?.text).toMatch(/23:11:27/);
  });

  it('has a compact style for dense tables', () => {
    expect(formatDateTime(AT, 'en', 'compact', 'UTC')?.text).toMatch(/^12\/4\/26,\s3:11:27\sPM$/u);
    expect(formatDateTime(AT, 'zh-CN', 'compact', 'Asia/Shanghai')?.text).toBe('2026/12/4 23:11:27');
  });

  it('gives the UTC instant of a time with an offset', () => {
    expect(formatDateTime('2026-12-04T16:11:27+01:00', 'en', 'long', 'UTC')?.utc).toBe('2026-12-04T15:11:27.000Z');
  });

  it('refuses what is not an instant (it is shown as it is)', () => {
    expect(formatDateTime('not a date', 'en')).toBeNull();
    expect(formatDateTime('', 'en')).toBeNull();
  });
});
