import { policyBody, policyForm, type PolicyForm } from './policy';

const form: PolicyForm = {
  kind: 'working-days',
  days: '15',
  unit: 'working-days',
  extensionDays: '',
  holidays: '2026-12-25\n\n 2026-10-01 \n2026-12-25',
  duties: [
    { field: 'bankAccount', reason: 'Tax law: 10 years', years: '10' },
    { field: '', reason: '', years: '' },
  ],
  unverifiedAfterDays: '21',
};

describe('the request deadline policy form', () => {
  it('builds the body: the policy of its kind, holidays sorted once, blank duty rows left out', () => {
    expect(policyBody(form)).toEqual({
      body: {
        policy: { kind: 'working-days', days: 15 },
        holidays: ['2026-10-01', '2026-12-25'],
        retentionDuties: [{ field: 'bankAccount', reason: 'Tax law: 10 years', years: 10 }],
        unverifiedAfterDays: 21,
      },
    });
    expect(policyBody({ ...form, kind: 'gdpr-month', days: '' })).toMatchObject({ body: { policy: { kind: 'gdpr-month' } } });
    expect(policyBody({ ...form, kind: 'custom', unit: 'calendar-days', days: '30', extensionDays: '60' })).toMatchObject({
      body: { policy: { kind: 'custom', unit: 'calendar-days', days: 30, extensionDays: 60 } },
    });
  });

  it('says what is wrong instead of sending it', () => {
    expect(
      policyBody({
        ...form,
        kind: 'custom',
        days: 'x',
        extensionDays: '',
        holidays: '25/12/2026',
        duties: [{ field: 'iban', reason: '', years: '3' }],
        unverifiedAfterDays: '0',
      }),
    ).toEqual({ problems: ['days', 'extensionDays', 'holidays', 'duties', 'unverifiedAfterDays'] });
  });

  it('fills the form from the policy in force', () => {
    expect(
      policyForm({
        policy: { kind: 'custom', unit: 'calendar-days', days: 30, extensionDays: 60 },
        calendar: { holidays: ['2026-12-25'] },
        retentionDuties: [{ field: 'bankAccount', reason: 'Tax', years: 10 }],
        unverifiedAfterDays: 14,
        updatedBy: null,
        updatedAt: null,
      }),
    ).toEqual({
      kind: 'custom',
      days: '30',
      unit: 'calendar-days',
      extensionDays: '60',
      holidays: '2026-12-25',
      duties: [{ field: 'bankAccount', reason: 'Tax', years: '10' }],
      unverifiedAfterDays: '14',
    });
  });
});
