// The data-subject requests every tenant escalated to the platform operator (EC 3.12.5), open ones,
// oldest due first, each with why it was escalated. No personal data: the contact is never listed.
import { useQuery } from '@tanstack/react-query';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { escalatedQuery } from '../platform/queries';
import { lightOf } from '../requests/search';
import { PlatformNav } from './platform-nav';

export function PlatformRequestsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('platform.requests.title'));
  const escalated = useQuery(escalatedQuery);
  const rows = escalated.data ?? [];
  return (
    <div className="page wide">
      <PlatformNav />
      <h1>{t('platform.requests.title')}</h1>
      <p className="lead">{t('platform.requests.intro')}</p>
      {escalated.isError && <ErrorBox error={escalated.error} onRetry={() => void escalated.refetch()} />}
      <table aria-busy={escalated.isFetching} data-escalated={rows.length}>
        <caption>{t('platform.requests.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('platform.accounts.col.tenant')}</th>
            <th scope="col">{t('requests.col.request')}</th>
            <th scope="col">{t('requests.col.type')}</th>
            <th scope="col">{t('requests.col.status')}</th>
            <th scope="col">{t('requests.col.due')}</th>
            <th scope="col">{t('platform.requests.why')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((request) => {
            const light = lightOf(request);
            const last = request.escalations.at(-1);
            return (
              <tr key={request.requestId} data-request={request.requestId}>
                <td className="mono">{request.tenantId}</td>
                <th scope="row" className="mono">
                  {request.requestId}
                </th>
                <td>{request.requestType}</td>
                <td>{request.status}</td>
                <td>
                  <span className={`light light-${light}`}>{t(`requests.light.${light}`)}</span> {request.dueOn}
                </td>
                <td>
                  {last ? (
                    <>
                      {last.reason}{' '}
                      <span className="muted">
                        (<DateTime value={last.at} />, {request.escalations.length})
                      </span>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {escalated.isSuccess && rows.length === 0 && <p className="muted">{t('platform.requests.none')}</p>}
    </div>
  );
}
