import { addMonths, addWorkingDays, ageOn, isIsoDate } from './dates';

describe('calendar', () => {
  it('A11: 15 working days skip weekends and holidays, not counting the request day', () => {
    // Friday 2026-11-20 → three full weeks later.
    expect(addWorkingDays('2026-11-20', 15)).toBe('2026-12-11');
    expect(addWorkingDays('2026-11-23', 1)).toBe('2026-11-24');
    expect(addWorkingDays('2026-11-27', 1)).toBe('2026-11-30');
    expect(addWorkingDays('2026-11-20', 15, new Set(['2026-12-01']))).toBe('2026-12-14');
  });

  it('A8/A10: six months later clamps to the end of a shorter month', () => {
    expect(addMonths('2026-01-15', 6)).toBe('2026-07-15');
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2027-08-31', 6)).toBe('2028-02-29');
  });

  it('A2/A12: age turns on the birthday', () => {
    expect(ageOn('2008-11-22', '2026-11-22')).toBe(18);
    expect(ageOn('2008-11-23', '2026-11-22')).toBe(17);
    expect(ageOn('2008-12-01', '2026-11-22')).toBe(17);
  });

  it('accepts real dates only', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('26-02-01')).toBe(false);
  });
});
