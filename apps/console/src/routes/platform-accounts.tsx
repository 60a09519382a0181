// The platform operator's account queues: enterprises waiting for verification, open cancellation
// requests, and every account, across tenants; the queue, the tenant and the page are in the address.
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useId, useState, type SubmitEvent } from 'react';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { accountsQuery } from '../platform/queries';
import { ACCOUNT_QUEUES } from '../platform/search';
import { PlatformNav } from './platform-nav';

const route = getRouteApi('/platform/accounts');

export function PlatformAccountsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('platform.accounts.title'));
  const search = route.useSearch();
  const navigate = useNavigate();
  const id = useId();
  const [tenant, setTenant] = useState(search.tenant ?? '');
  const accounts = useQuery(accountsQuery(search.queue, search.tenant ?? '', search.after));
  const go = (after: string | undefined) =>
    void navigate({
      to: '/platform/accounts',
      search: { queue: search.queue, ...(search.tenant === undefined ? {} : { tenant: search.tenant }), ...(after === undefined ? {} : { after }) },
    });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void navigate({ to: '/platform/accounts', search: { queue: search.queue, ...(tenant.trim() === '' ? {} : { tenant: tenant.trim() }) } });
  };
  const rows = accounts.data ?? [];
  const last = rows.at(-1);
  return (
    <div className="page wide">
      <PlatformNav />
      <h1>{t('platform.accounts.title')}</h1>
      <p className="lead">{t('platform.accounts.intro')}</p>
      <nav className="tabs" aria-label={t('platform.accounts.queues')}>
        {ACCOUNT_QUEUES.map((queue) => (
          <Link
            key={queue}
            to="/platform/accounts"
            search={{ queue, ...(search.tenant === undefined ? {} : { tenant: search.tenant }) }}
            aria-current={queue === search.queue ? 'page' : undefined}
            data-queue={queue}
          >
            {t(`platform.accounts.queue.${queue}`)}
          </Link>
        ))}
      </nav>
      <form onSubmit={submit} className="inline-form">
        <label htmlFor={`${id}-tenant`}>{t('platform.accounts.tenant')}</label>
        <input
          id={`${id}-tenant`}
          value={tenant}
          className="mono"
          autoComplete="off"
          onChange={(event) => {
            setTenant(event.target.value);
          }}
        />
        <button type="submit">{t('platform.accounts.filter')}</button>
      </form>
      {accounts.isError && <ErrorBox error={accounts.error} onRetry={() => void accounts.refetch()} />}
      <table aria-busy={accounts.isFetching} data-accounts={rows.length}>
        <caption>{t(`platform.accounts.queue.${search.queue}`)}</caption>
        <thead>
          <tr>
            <th scope="col">{t('platform.accounts.col.account')}</th>
            <th scope="col">{t('platform.accounts.col.tenant')}</th>
            <th scope="col">{t('platform.accounts.col.kind')}</th>
            <th scope="col">{t('platform.accounts.col.status')}</th>
            <th scope="col">{t('platform.accounts.col.verification')}</th>
            <th scope="col">{t('platform.accounts.col.holds')}</th>
            <th scope="col">{t('platform.accounts.col.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((account) => (
            <tr key={account.accountId} data-account={account.accountId}>
              <th scope="row">
                <Link to="/platform/accounts/$accountId" params={{ accountId: account.accountId }}>
                  {account.legalName ?? account.accountId}
                </Link>
                {account.cancellationRequested && <span className="badge">{t('platform.account.cancellationRequested')}</span>}
              </th>
              <td className="mono">{account.tenantId}</td>
              <td>{account.kind}</td>
              <td>{account.status}</td>
              <td>{account.verification ?? '—'}</td>
              <td>{account.holds.length}</td>
              <td>
                <DateTime value={account.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {accounts.isSuccess && rows.length === 0 && <p className="muted">{t('platform.accounts.none')}</p>}
      <p>
        {search.after !== undefined && (
          <button
            type="button"
            onClick={() => {
              go(undefined);
            }}
          >
            {t('platform.first')}
          </button>
        )}{' '}
        {last && rows.length === 50 && (
          <button
            type="button"
            onClick={() => {
              go(last.accountId);
            }}
          >
            {t('platform.next')}
          </button>
        )}
      </p>
    </div>
  );
}
