// The notification outbox across tenants: dead letters first (every delivery attempt failed), with
// the last error and a retry that puts one back in the delivery queue; pending, delivered and
// erased ones on their own tabs. Payloads are never shown (they may hold personal data).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { api, unwrap } from '../api/client';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { notificationsQuery, type Notification } from '../platform/queries';
import { NOTIFICATION_STATUSES } from '../platform/search';
import { PlatformNav } from './platform-nav';

const route = getRouteApi('/platform/notifications');

export function PlatformNotificationsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('platform.notifications.title'));
  const { status } = route.useSearch();
  const notifications = useQuery(notificationsQuery(status));
  const rows = notifications.data ?? [];
  return (
    <div className="page wide">
      <PlatformNav />
      <h1>{t('platform.notifications.title')}</h1>
      <p className="lead">{t('platform.notifications.intro')}</p>
      <nav className="tabs" aria-label={t('platform.notifications.statuses')}>
        {NOTIFICATION_STATUSES.map((s) => (
          <Link key={s} to="/platform/notifications" search={{ status: s }} aria-current={s === status ? 'page' : undefined} data-status-tab={s}>
            {t(`platform.notifications.status.${s}`)}
          </Link>
        ))}
      </nav>
      {notifications.isError && <ErrorBox error={notifications.error} onRetry={() => void notifications.refetch()} />}
      <table aria-busy={notifications.isFetching} data-notifications={rows.length}>
        <caption>{t(`platform.notifications.status.${status}`)}</caption>
        <thead>
          <tr>
            <th scope="col">{t('platform.notifications.col.kind')}</th>
            <th scope="col">{t('platform.accounts.col.tenant')}</th>
            <th scope="col">{t('platform.notifications.col.attempts')}</th>
            <th scope="col">{t('platform.notifications.col.lastError')}</th>
            <th scope="col">{t('platform.notifications.col.created')}</th>
            <th scope="col">{t('platform.notifications.col.delivered')}</th>
            {status === 'dead' && <th scope="col">{t('platform.notifications.col.action')}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((n) => (
            <Row key={n.id} notification={n} retryable={status === 'dead'} />
          ))}
        </tbody>
      </table>
      {notifications.isSuccess && rows.length === 0 && <p className="muted">{t('platform.notifications.none')}</p>}
    </div>
  );
}

function Row({ notification: n, retryable }: { readonly notification: Notification; readonly retryable: boolean }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const retry = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/platform/notifications/{notificationId}/retry', { params: { path: { notificationId: n.id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['platform', 'notifications'] }),
  });
  return (
    <tr data-notification={n.id}>
      <th scope="row">{n.kind}</th>
      <td className="mono">{n.tenantId}</td>
      <td>{n.attempts}</td>
      <td className="mono break">{n.lastError ?? '—'}</td>
      <td>
        <DateTime value={n.createdAt} />
      </td>
      <td>{n.deliveredAt === null ? '—' : <DateTime value={n.deliveredAt} />}</td>
      {retryable && (
        <td>
          <button
            type="button"
            disabled={retry.isPending || retry.isSuccess}
            onClick={() => {
              retry.mutate();
            }}
          >
            {retry.isSuccess ? t('platform.notifications.requeued') : t('platform.notifications.retry')}
          </button>
          {retry.isError && <ErrorBox error={retry.error} />}
        </td>
      )}
    </tr>
  );
}
