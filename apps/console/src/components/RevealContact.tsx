// The requester's contact, masked until a person reveals it: a declared purpose, a recent sign-in
// (the API answers AUTH.STEP_UP_REQUIRED otherwise and the console sends the person to sign in
// again), and the read recorded in the processing record ("who looked"). The revealed values live
// in this component's state only: never in the query cache, the address or the browser's storage.
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { useI18n } from '../i18n/context';
import { ErrorBox } from './ErrorBox';

/** The purposes a handler may declare for this read (X-Purpose keys). */
export const REVEAL_PURPOSES = ['data-subject-request', 'identity-verification'] as const;
type RevealPurpose = (typeof REVEAL_PURPOSES)[number];

export function RevealContact({ requestId }: { readonly requestId: string }) {
  const { t } = useI18n();
  const id = useId();
  const [asking, setAsking] = useState(false);
  const [purpose, setPurpose] = useState<RevealPurpose>('data-subject-request');
  const reveal = useMutation({
    mutationFn: (declared: RevealPurpose) =>
      unwrap(
        api.GET('/v1/data-subject-requests/{requestId}/requester', {
          params: { path: { requestId }, header: { 'X-Purpose': declared } },
        }),
      ),
    gcTime: 0,
  });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    reveal.mutate(purpose);
  };
  const shown = reveal.data;
  if (shown) {
    return (
      <div data-revealed="yes">
        {shown.erased ? (
          <span className="muted">{t('reveal.erased')}</span>
        ) : (
          <span className="mono">{[shown.email, shown.phone].filter((v) => v !== null).join(' · ')}</span>
        )}{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            reveal.reset();
            setAsking(false);
          }}
        >
          {t('reveal.hide')}
        </button>
        <p className="muted small">{t('reveal.recorded', { purpose: t(`reveal.purpose.${purpose}`) })}</p>
      </div>
    );
  }
  if (!asking) {
    return (
      <span data-revealed="no">
        <span className="masked" aria-label={t('reveal.maskedLabel')}>
          ••••••
        </span>{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setAsking(true);
          }}
        >
          {t('reveal.ask')}
        </button>
      </span>
    );
  }
  return (
    <form onSubmit={submit} className="reveal-form" data-revealed="asking">
      <label htmlFor={`${id}-purpose`}>{t('reveal.purpose')}</label>{' '}
      <select
        id={`${id}-purpose`}
        value={purpose}
        onChange={(event) => {
          setPurpose(REVEAL_PURPOSES.find((p) => p === event.target.value) ?? 'data-subject-request');
        }}
      >
        {REVEAL_PURPOSES.map((p) => (
          <option key={p} value={p}>
            {t(`reveal.purpose.${p}`)}
          </option>
        ))}
      </select>{' '}
      <button type="submit" disabled={reveal.isPending}>
        {t('reveal.submit')}
      </button>{' '}
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setAsking(false);
        }}
      >
        {t('reveal.cancel')}
      </button>
      <p className="muted small">{t('reveal.hint')}</p>
      {reveal.isError && <ErrorBox error={reveal.error} />}
    </form>
  );
}
