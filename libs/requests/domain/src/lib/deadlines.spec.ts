import { DomainError } from '@attest/kernel';
import { checkDuties, checkPolicy, deadlineOf, urgencyOf, type RetentionDuty } from './deadlines';

const none = { holidays: [] };

describe('D3 deadlines', () => {
  it('GDPR: one calendar month, the 31st ending on the last day of a shorter month, leap years included', () => {
    expect(deadlineOf({ kind: 'gdpr-month' }, '2026-11-22', none)).toEqual({
      dueOn: '2026-12-22',
      maxExtendedDueOn: '2027-02-22',
      extensionNoticeBy: '2026-12-22',
    });
    expect(deadlineOf({ kind: 'gdpr-month' }, '2027-01-31', none).dueOn).toBe('2027-02-28');
    expect(deadlineOf({ kind: 'gdpr-month' }, '2028-01-31', none).dueOn).toBe('2028-02-29');
    expect(deadlineOf({ kind: 'gdpr-month' }, '2028-02-29', none).dueOn).toBe('2028-03-29');
    expect(deadlineOf({ kind: 'gdpr-month' }, '2026-12-31', none)).toMatchObject({ dueOn: '2027-01-31', maxExtendedDueOn: '2027-03-31' });
    expect(deadlineOf({ kind: 'gdpr-month' }, '2027-11-30', none)).toMatchObject({ dueOn: '2027-12-30', maxExtendedDueOn: '2028-02-29' });
  });

  it('15 working days: the day of receipt does not count, weekends and holidays are skipped; no extension', () => {
    // Friday 2026-11-20: Monday 23 is day 1; three weeks later, Friday 2026-12-11 is day 15.
    expect(deadlineOf({ kind: 'working-days', days: 15 }, '2026-11-20', none)).toEqual({
      dueOn: '2026-12-11',
      maxExtendedDueOn: null,
      extensionNoticeBy: null,
    });
    // Received on a Saturday: Monday is day 1 as well.
    expect(deadlineOf({ kind: 'working-days', days: 15 }, '2026-11-21', none).dueOn).toBe('2026-12-11');
    // Over the year end with public holidays on 25 Dec and 1 Jan.
    const holidays = { holidays: ['2026-12-25', '2027-01-01'] };
    expect(deadlineOf({ kind: 'working-days', days: 15 }, '2026-12-18', none).dueOn).toBe('2027-01-08');
    expect(deadlineOf({ kind: 'working-days', days: 15 }, '2026-12-18', holidays).dueOn).toBe('2027-01-12');
    // Across 29 February.
    expect(deadlineOf({ kind: 'working-days', days: 5 }, '2028-02-25', none).dueOn).toBe('2028-03-03');
  });

  it('custom: calendar or working days, with an extension of the same unit', () => {
    expect(deadlineOf({ kind: 'custom', unit: 'calendar-days', days: 30, extensionDays: 30 }, '2028-02-01', none)).toEqual({
      dueOn: '2028-03-02',
      maxExtendedDueOn: '2028-04-01',
      extensionNoticeBy: '2028-03-02',
    });
    expect(deadlineOf({ kind: 'custom', unit: 'working-days', days: 10, extensionDays: 0 }, '2026-11-23', none)).toEqual({
      dueOn: '2026-12-07',
      maxExtendedDueOn: null,
      extensionNoticeBy: null,
    });
  });

  it('refuses impossible policies and calendars', () => {
    for (const [policy, holidays] of [
      [{ kind: 'working-days', days: 0 }, []],
      [{ kind: 'working-days', days: 1.5 }, []],
      [{ kind: 'custom', unit: 'calendar-days', days: 10, extensionDays: -1 }, []],
      [{ kind: 'gdpr-month' }, ['2026-02-30']],
    ] as const) {
      expect(() => {
        checkPolicy(policy, { holidays });
      }).toThrow(expect.objectContaining({ code: 'DSR.POLICY_INVALID' }) as DomainError);
    }
    expect(() => {
      checkPolicy({ kind: 'working-days', days: 15 }, { holidays: ['2026-12-25'] });
    }).not.toThrow();
  });

  it('D5: refuses retention duties for unknown fields, twice for one field, of impossible length or without a reason', () => {
    const fields = ['email', 'idNumber'];
    const refusal = (duties: readonly RetentionDuty[]): string | null => {
      try {
        checkDuties(duties, fields);
        return null;
      } catch (error) {
        return error instanceof DomainError ? error.code : 'not a domain error';
      }
    };
    const duty = { field: 'email', reason: 'tax law', years: 10 };
    expect(refusal([duty, { ...duty, field: 'idNumber' }])).toBeNull();
    expect(refusal([{ ...duty, field: 'shoeSize' }])).toBe('DSR.DUTY_FIELD_UNKNOWN');
    expect(refusal([duty, { ...duty, years: 5 }])).toBe('DSR.DUTY_DUPLICATE');
    for (const years of [0, 31, 2.5]) expect(refusal([{ ...duty, years }])).toBe('DSR.DUTY_INVALID');
    expect(refusal([{ ...duty, reason: '  ' }])).toBe('DSR.DUTY_INVALID');
  });

  it('the queue: on track, at risk within five days of the end of the due date, overdue after it', () => {
    expect(urgencyOf('2026-12-22', new Date('2026-12-01T00:00:00Z'))).toBe('on-track');
    expect(urgencyOf('2026-12-22', new Date('2026-12-18T00:00:00Z'))).toBe('at-risk');
    expect(urgencyOf('2026-12-22', new Date('2026-12-22T23:59:59Z'))).toBe('at-risk');
    expect(urgencyOf('2026-12-22', new Date('2026-12-23T00:00:00Z'))).toBe('overdue');
  });
});
