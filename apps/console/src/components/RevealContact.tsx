// Personal data, masked until a person reveals it: a declared purpose, a recent sign-in (the API
// answers AUTH.STEP_UP_REQUIRED otherwise and the console sends the person to sign in again), and
// the read recorded in the processing record ("who looked"). The revealed values live in this
// component's state only: never in the query cache, the address or the browser's storage.
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { useI18n } from '../i18n/context';
import { ErrorBox } from './ErrorBox';

/** The purposes a person may declare for a reveal (X-Purpose keys), each with its label. */
export const REVEAL_PURPOSES = ['data-subject-request', 'identity-verification', 'member-administration'] as const;
export type RevealPurpose = (typeof REVEAL_PURPOSES)[number];

/** What a reveal shows: the fields, or that the key behind them was destroyed. */
export interface Revealed {
  readonly erased: boolean;
  readonly values: readonly (string | null)[];
}

/** The requester's contact of a data-subject request. */
export function RevealContact({ requestId }: { readonly requestId: string }) {
  const { t } = useI18n();
  return (
    <Reveal
      purposes={['data-subject-request', 'identity-verification']}
      erased={t('reveal.erased')}
      load={async (purpose) => {
        const contact = await unwrap(
          api.GET('/v1/data-subject-requests/{requestId}/requester', { params: { path: { requestId }, header: { 'X-Purpose': purpose } } }),
        );
        return { erased: contact.erased, values: [contact.email, contact.phone] };
      }}
    />
  );
}

/** A member's name and contact (organization administration). */
export function RevealMember({ accountId }: { readonly accountId: string }) {
  const { t } = useI18n();
  return (
    <Reveal
      purposes={['member-administration']}
      erased={t('reveal.erasedMember')}
      load={async (purpose) => {
        const data = await unwrap(
          api.GET('/v1/organization/members/{accountId}/personal-data', { params: { path: { accountId }, header: { 'X-Purpose': purpose } } }),
        );
        return { erased: data.erased, values: [data.name, data.email, data.phone, data.birthDate] };
      }}
    />
  );
}

export function Reveal({
  purposes,
  load,
  erased,
}: {
  readonly purposes: readonly RevealPurpose[];
  readonly load: (purpose: RevealPurpose) => Promise<Revealed>;
  /** Said instead of the values once their key is destroyed. */
  readonly erased: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const first = purposes[0] ?? 'data-subject-request';
  const [asking, setAsking] = useState(false);
  const [purpose, setPurpose] = useState<RevealPurpose>(first);
  const reveal = useMutation({ mutationFn: load, gcTime: 0 });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    reveal.mutate(purpose);
  };
  const shown = reveal.data;
  if (shown) {
    return (
      <div data-revealed="yes">
        {shown.erased ? <span className="muted">{erased}</span> : <span className="mono">{shown.values.filter((v) => v !== null).join(' · ')}</span>}{' '}
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
          setPurpose(purposes.find((p) => p === event.target.value) ?? first);
        }}
      >
        {purposes.map((p) => (
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
