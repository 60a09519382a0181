// The request deadline policy form as the API wants it (PUT /v1/data-subject-request-policy).
import type { components } from '../api/schema';

export type PolicyBody = components['schemas']['PolicyRequestDto'];
export type PolicyKind = PolicyBody['policy']['kind'];
export type TenantPolicy = components['schemas']['TenantRequestPolicy'];
export const POLICY_KINDS = ['gdpr-month', 'working-days', 'custom'] as const satisfies readonly PolicyKind[];
export const POLICY_UNITS = ['calendar-days', 'working-days'] as const;

/** What the form holds (strings, as inputs give them). */
export interface PolicyForm {
  readonly kind: PolicyKind;
  readonly days: string;
  readonly unit: (typeof POLICY_UNITS)[number];
  readonly extensionDays: string;
  /** One day (YYYY-MM-DD) per line. */
  readonly holidays: string;
  readonly duties: readonly { readonly field: string; readonly reason: string; readonly years: string }[];
  readonly unverifiedAfterDays: string;
}

/** The form filled from the tenant's policy as the API answers it. */
export function policyForm(current: TenantPolicy): PolicyForm {
  const p = current.policy;
  return {
    kind: p.kind,
    days: 'days' in p ? String(p.days) : '',
    unit: 'unit' in p ? p.unit : 'working-days',
    extensionDays: 'extensionDays' in p ? String(p.extensionDays) : '',
    holidays: current.calendar.holidays.join('\n'),
    duties: current.retentionDuties.map((d) => ({ field: d.field, reason: d.reason, years: String(d.years) })),
    unverifiedAfterDays: String(current.unverifiedAfterDays),
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const whole = (text: string): number | null => (/^\d{1,4}$/.test(text.trim()) ? Number(text.trim()) : null);

/** Why the form cannot be sent yet (an i18n key's last part), each once. */
export type PolicyProblem = 'days' | 'extensionDays' | 'holidays' | 'duties' | 'unverifiedAfterDays';

/** The PUT body, or what is wrong; the API's own rules (DSR.POLICY_INVALID, DSR.DUTY_*) still apply after. */
export function policyBody(form: PolicyForm): { body: PolicyBody } | { problems: PolicyProblem[] } {
  const problems = new Set<PolicyProblem>();
  const days = whole(form.days);
  const extensionDays = whole(form.extensionDays);
  if (form.kind !== 'gdpr-month' && (days === null || days < 1)) problems.add('days');
  if (form.kind === 'custom' && (extensionDays === null || extensionDays < 0)) problems.add('extensionDays');
  const holidays = form.holidays
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (holidays.some((h) => !DAY.test(h))) problems.add('holidays');
  const duties = form.duties.filter((d) => d.field.trim() !== '' || d.reason.trim() !== '' || d.years.trim() !== '');
  const years = duties.map((d) => whole(d.years));
  if (duties.some((d, i) => d.field.trim() === '' || d.reason.trim() === '' || (years[i] ?? null) === null)) problems.add('duties');
  const unverified = whole(form.unverifiedAfterDays);
  if (unverified === null || unverified < 1 || unverified > 365) problems.add('unverifiedAfterDays');
  if (problems.size > 0) return { problems: [...problems] };
  const policy: PolicyBody['policy'] =
    form.kind === 'gdpr-month'
      ? { kind: 'gdpr-month' }
      : form.kind === 'working-days'
        ? { kind: 'working-days', days: days ?? 0 }
        : { kind: 'custom', unit: form.unit, days: days ?? 0, extensionDays: extensionDays ?? 0 };
  return {
    body: {
      policy,
      holidays: [...new Set(holidays)].sort(),
      retentionDuties: duties.map((d, i) => ({ field: d.field.trim(), reason: d.reason.trim(), years: years[i] ?? 0 })),
      unverifiedAfterDays: unverified ?? 14,
    },
  };
}
