// Consent: the overview per purpose × channel, and a receipt looked up by its id (in the URL).
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useId, useState, type SubmitEvent } from 'react';
import { consentOverviewQuery, receiptQuery } from '../api/queries';
import { ErrorBox } from '../components/ErrorBox';
import { ReceiptView } from '../components/ReceiptView';
import { useDocumentTitle } from '../components/use-document-title';
import { overviewMatrix, parseReceiptId, type Counts } from '../consent/consent';
import { useI18n } from '../i18n/context';

const route = getRouteApi('/consent');

export function ConsentPage() {
  const { t } = useI18n();
  useDocumentTitle(t('consent.title'));
  const search = route.useSearch();
  return (
    <div className="page wide">
      <h1>{t('consent.title')}</h1>
      <p className="lead">{t('consent.intro')}</p>
      <Overview />
      <ReceiptLookup receipt={search.receipt} />
    </div>
  );
}

function CountsCell({ counts }: { readonly counts: Counts | null }) {
  const { t } = useI18n();
  if (counts === null) return <span className="muted">—</span>;
  return (
    <span className="counts">
      <span className="granted">{t('consent.inForce', { n: counts.granted })}</span>
      {counts.withdrawn > 0 && <span className="withdrawn">{t('consent.withdrawnCount', { n: counts.withdrawn })}</span>}
    </span>
  );
}

function Overview() {
  const { t } = useI18n();
  const query = useQuery(consentOverviewQuery);
  return (
    <section className="card" aria-labelledby="consent-overview">
      <h2 id="consent-overview">{t('consent.overviewTitle')}</h2>
      <p className="muted">{t('consent.overviewHint')}</p>
      {query.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {query.isError && (
        <ErrorBox
          error={query.error}
          onRetry={() => {
            void query.refetch();
          }}
        />
      )}
      {query.data && query.data.length === 0 && <p className="notice">{t('consent.noPurposes')}</p>}
      {query.data && query.data.length > 0 && <OverviewTable matrix={overviewMatrix(query.data)} />}
    </section>
  );
}

function OverviewTable({ matrix }: { readonly matrix: ReturnType<typeof overviewMatrix> }) {
  const { t } = useI18n();
  return (
    <div className="table-scroll fit" role="region" aria-labelledby="consent-overview-caption" tabIndex={0}>
      <table className="dense consent-matrix">
        <caption id="consent-overview-caption">{t('consent.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('consent.purpose')}</th>
            <th scope="col" className="num">
              {t('consent.version')}
            </th>
            <th scope="col">{t('consent.anyChannel')}</th>
            {matrix.channels.map((channel) => (
              <th key={channel} scope="col" className="mono">
                {channel}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.rows.map((row) => (
            <tr key={row.purposeKey} data-purpose={row.purposeKey}>
              <th scope="row" className="mono">
                {row.purposeKey}
              </th>
              <td className="num">{row.version}</td>
              <td>
                <CountsCell counts={row.total} />
              </td>
              {row.cells.map((cell, i) => (
                <td key={matrix.channels[i]} data-channel={matrix.channels[i]}>
                  <CountsCell counts={cell} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReceiptLookup({ receipt }: { readonly receipt: string | undefined }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const id = useId();
  const [draft, setDraft] = useState(receipt ?? '');
  const [invalid, setInvalid] = useState(false);
  const query = useQuery({ ...receiptQuery(receipt ?? ''), enabled: receipt !== undefined, retry: false });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseReceiptId(draft);
    setInvalid(parsed === undefined);
    if (parsed !== undefined) void navigate({ to: '/consent', search: { receipt: parsed } });
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('consent.lookupTitle')}</h2>
      <form className="inline-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-receipt`}>{t('consent.receiptId')}</label>
          <input
            id={`${id}-receipt`}
            className="mono"
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
            }}
            aria-describedby={`${id}-hint`}
            aria-invalid={invalid}
            autoComplete="off"
            spellCheck={false}
          />
          <small id={`${id}-hint`}>{invalid ? t('consent.receiptIdInvalid') : t('consent.receiptIdHint')}</small>
        </div>
        <div className="actions">
          <button type="submit" className="button primary">
            {t('consent.lookUp')}
          </button>
        </div>
      </form>
      {receipt !== undefined && query.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {query.isError && <ErrorBox error={query.error} />}
      {query.data && <ReceiptView receipt={query.data} headingId={`${id}-receipt-title`} />}
    </section>
  );
}
