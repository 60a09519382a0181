// Organization administration: the request deadline policy (GDPR month, working days, or a custom
// one with its extension), the holidays the working-day count skips, the retention duties a
// deletion keeps (D5), and the age at which unverified requests leave the queue. Saving applies to
// requests received from then on; requests keep the deadline they were received with.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { POLICY_KINDS, POLICY_UNITS, policyBody, policyForm, type PolicyBody, type PolicyForm, type PolicyProblem, type TenantPolicy } from '../admin/policy';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { usePermission } from '../components/use-permission';
import { useI18n } from '../i18n/context';
import { requestPolicyQuery } from '../requests/queries';
import { AdminNav } from './admin-nav';

export function RequestPolicyPage() {
  const { t } = useI18n();
  useDocumentTitle(t('admin.policy.title'));
  const policy = useQuery(requestPolicyQuery);
  const canManage = usePermission('requests:policy') === true;
  return (
    <div className="page wide">
      <AdminNav />
      <h1>{t('admin.policy.title')}</h1>
      <p className="lead">{t('admin.policy.intro')}</p>
      {policy.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {policy.isError && <ErrorBox error={policy.error} onRetry={() => void policy.refetch()} />}
      {policy.data && <PolicyEditor key={policy.data.updatedAt ?? 'default'} current={policy.data} canManage={canManage} />}
    </div>
  );
}

function PolicyEditor({ current, canManage }: { readonly current: TenantPolicy; readonly canManage: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<PolicyForm>(() => policyForm(current));
  const [problems, setProblems] = useState<readonly PolicyProblem[]>([]);
  const save = useMutation({
    mutationFn: (body: PolicyBody) => unwrap(api.PUT('/v1/data-subject-request-policy', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: requestPolicyQuery.queryKey }),
  });
  const set = <K extends keyof PolicyForm>(key: K, value: PolicyForm[K]) => {
    setForm((previous) => ({ ...previous, [key]: value }));
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const result = policyBody(form);
    if ('problems' in result) {
      setProblems(result.problems);
      return;
    }
    setProblems([]);
    save.mutate(result.body);
  };
  return (
    <form onSubmit={submit} className="card policy-form" aria-labelledby={`${id}-title`} data-policy={current.policy.kind}>
      <h2 id={`${id}-title`}>{t('admin.policy.deadline')}</h2>
      {current.updatedAt !== null && (
        <p className="muted small">
          {t('admin.policy.updated')} <DateTime value={current.updatedAt} /> ({current.updatedBy})
        </p>
      )}
      <fieldset disabled={!canManage}>
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('admin.policy.kind')}</label>
          <select
            id={`${id}-kind`}
            value={form.kind}
            onChange={(event) => {
              set('kind', POLICY_KINDS.find((k) => k === event.target.value) ?? 'gdpr-month');
            }}
          >
            {POLICY_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`admin.policy.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        {form.kind !== 'gdpr-month' && (
          <div className="field">
            <label htmlFor={`${id}-days`}>{t('admin.policy.days')}</label>
            <input
              id={`${id}-days`}
              inputMode="numeric"
              value={form.days}
              onChange={(event) => {
                set('days', event.target.value);
              }}
            />
          </div>
        )}
        {form.kind === 'custom' && (
          <>
            <div className="field">
              <label htmlFor={`${id}-unit`}>{t('admin.policy.unit')}</label>
              <select
                id={`${id}-unit`}
                value={form.unit}
                onChange={(event) => {
                  set('unit', POLICY_UNITS.find((u) => u === event.target.value) ?? 'working-days');
                }}
              >
                {POLICY_UNITS.map((u) => (
                  <option key={u} value={u}>
                    {t(`admin.policy.unit.${u}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-extension`}>{t('admin.policy.extensionDays')}</label>
              <input
                id={`${id}-extension`}
                inputMode="numeric"
                value={form.extensionDays}
                onChange={(event) => {
                  set('extensionDays', event.target.value);
                }}
              />
            </div>
          </>
        )}
        <div className="field">
          <label htmlFor={`${id}-holidays`}>{t('admin.policy.holidays')}</label>
          <textarea
            id={`${id}-holidays`}
            rows={5}
            value={form.holidays}
            aria-describedby={`${id}-holidays-hint`}
            onChange={(event) => {
              set('holidays', event.target.value);
            }}
          />
          <p id={`${id}-holidays-hint`} className="muted small">
            {t('admin.policy.holidaysHint')}
          </p>
        </div>
        <fieldset>
          <legend>{t('admin.policy.duties')}</legend>
          <p className="muted small">{t('admin.policy.dutiesHint')}</p>
          {form.duties.map((duty, i) => (
            <div key={i} className="inline-form" data-duty={i}>
              <label htmlFor={`${id}-duty-${String(i)}-field`}>{t('admin.policy.dutyField')}</label>
              <input
                id={`${id}-duty-${String(i)}-field`}
                value={duty.field}
                onChange={(event) => {
                  set(
                    'duties',
                    form.duties.map((d, j) => (j === i ? { ...d, field: event.target.value } : d)),
                  );
                }}
              />
              <label htmlFor={`${id}-duty-${String(i)}-reason`}>{t('admin.policy.dutyReason')}</label>
              <input
                id={`${id}-duty-${String(i)}-reason`}
                value={duty.reason}
                onChange={(event) => {
                  set(
                    'duties',
                    form.duties.map((d, j) => (j === i ? { ...d, reason: event.target.value } : d)),
                  );
                }}
              />
              <label htmlFor={`${id}-duty-${String(i)}-years`}>{t('admin.policy.dutyYears')}</label>
              <input
                id={`${id}-duty-${String(i)}-years`}
                inputMode="numeric"
                size={3}
                value={duty.years}
                onChange={(event) => {
                  set(
                    'duties',
                    form.duties.map((d, j) => (j === i ? { ...d, years: event.target.value } : d)),
                  );
                }}
              />
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  set(
                    'duties',
                    form.duties.filter((_, j) => j !== i),
                  );
                }}
              >
                {t('admin.policy.removeDuty')}
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => {
              set('duties', [...form.duties, { field: '', reason: '', years: '' }]);
            }}
          >
            {t('admin.policy.addDuty')}
          </button>
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-unverified`}>{t('admin.policy.unverifiedAfterDays')}</label>
          <input
            id={`${id}-unverified`}
            inputMode="numeric"
            value={form.unverifiedAfterDays}
            onChange={(event) => {
              set('unverifiedAfterDays', event.target.value);
            }}
          />
        </div>
        {problems.length > 0 && (
          <div className="error-box" role="alert">
            <ul>
              {problems.map((p) => (
                <li key={p}>{t(`admin.policy.problem.${p}`)}</li>
              ))}
            </ul>
          </div>
        )}
        {save.isError && <ErrorBox error={save.error} />}
        {save.isSuccess && (
          <p className="notice success" role="status" data-saved>
            {t('admin.policy.saved')}
          </p>
        )}
        <button type="submit" disabled={save.isPending}>
          {t('admin.policy.save')}
        </button>
      </fieldset>
      {!canManage && <p className="muted">{t('admin.policy.readOnly')}</p>}
    </form>
  );
}
