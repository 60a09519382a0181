// Manual intake: a request that came by phone, letter, e-mail or in person, entered by a handler
// with the moment it actually arrived (the API's `receivedAt`; the deadline counts from that day).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { intakeBody, isManual, RELATIONS, type IntakeError, type IntakeForm, type ReceiveBody } from '../requests/forms';
import { REQUEST_CHANNELS, REQUEST_TYPES } from '../requests/search';

const EMPTY: IntakeForm = { customerId: '', type: 'access', channel: 'phone', relation: 'self', email: '', phone: '', receivedAt: '' };

export function NewRequestPage() {
  const { t } = useI18n();
  useDocumentTitle(t('intake.title'));
  const id = useId();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<IntakeForm>(EMPTY);
  const [missing, setMissing] = useState<readonly IntakeError[]>([]);
  const receive = useMutation({
    mutationFn: (body: ReceiveBody) => unwrap(api.POST('/v1/data-subject-requests', { body })),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['requests'] });
      await navigate({ to: '/requests/$requestId', params: { requestId: created.requestId } });
    },
  });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const result = intakeBody(form);
    if ('errors' in result) {
      setMissing(result.errors);
      return;
    }
    setMissing([]);
    receive.mutate(result.body);
  };
  const field = (key: keyof IntakeForm) => ({
    id: `${id}-${key}`,
    value: form[key],
    onChange: (event: { target: { value: string } }) => {
      setForm({ ...form, [key]: event.target.value });
    },
  });
  const manual = isManual(form.channel);
  return (
    <div className="page">
      <p>
        <Link to="/requests">{t('request.back')}</Link>
      </p>
      <h1>{t('intake.title')}</h1>
      <p className="lead">{t('intake.intro')}</p>
      <form onSubmit={submit} className="card intake-form" aria-labelledby={`${id}-title`} noValidate>
        <h2 id={`${id}-title`}>{t('intake.request')}</h2>
        <div className="field">
          <label htmlFor={`${id}-customerId`}>{t('intake.customer')}</label>
          <input {...field('customerId')} className="mono" autoComplete="off" required aria-describedby={`${id}-customer-hint`} />
          <p id={`${id}-customer-hint`} className="muted small">
            {t('intake.customerHint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-type`}>{t('requests.type')}</label>
          <select {...field('type')}>
            {REQUEST_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-channel`}>{t('requests.channel')}</label>
          <select {...field('channel')}>
            {REQUEST_CHANNELS.map((channel) => (
              <option key={channel} value={channel}>
                {channel}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-receivedAt`}>{t('intake.receivedAt')}</label>
          <input {...field('receivedAt')} type="datetime-local" disabled={!manual} aria-describedby={`${id}-received-hint`} />
          <p id={`${id}-received-hint`} className="muted small">
            {manual ? t('intake.receivedAtHint') : t('intake.receivedAtNotManual')}
          </p>
        </div>
        <fieldset>
          <legend>{t('intake.requester')}</legend>
          <p className="muted small">{t('intake.requesterHint')}</p>
          <div className="field">
            <label htmlFor={`${id}-relation`}>{t('intake.relation')}</label>
            <select {...field('relation')}>
              {RELATIONS.map((relation) => (
                <option key={relation} value={relation}>
                  {t(`intake.relation.${relation}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-email`}>{t('intake.email')}</label>
            <input {...field('email')} type="email" autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor={`${id}-phone`}>{t('intake.phone')}</label>
            <input {...field('phone')} type="tel" autoComplete="off" placeholder="+8613800000000" />
          </div>
        </fieldset>
        {missing.length > 0 && (
          <div className="error-box" role="alert">
            <ul>
              {missing.map((m) => (
                <li key={m}>{t(`intake.missing.${m}`)}</li>
              ))}
            </ul>
          </div>
        )}
        {receive.isError && <ErrorBox error={receive.error} />}
        <button type="submit" disabled={receive.isPending}>
          {t('intake.submit')}
        </button>
      </form>
    </div>
  );
}
